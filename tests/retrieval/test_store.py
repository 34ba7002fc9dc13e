"""The SQLite store and indexing runs: incremental, atomic, careful with foreign files."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from retrieval import (
    IndexInvalidError,
    IndexMissingError,
    RetrievalError,
    Retriever,
    Tokenizer,
    TokenizerSettings,
    build_index,
)
from tests.conftest import CORPUS, build, build_reporting


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


def test_store_round_trip(corpus: Path, tokenizer: Tokenizer, tmp_path: Path) -> None:
    built = build([corpus], tmp_path / "i.db", tokenizer=tokenizer)
    opened = Retriever.open(tmp_path / "i.db", tokenizer=tokenizer)
    assert [p.id for p in opened.passages] == [p.id for p in built.passages]
    assert opened.documents == built.documents
    db = sqlite_utils.Database(tmp_path / "i.db")
    assert set(db.table_names()) >= {"documents", "passages", "meta"}
    row = next(iter(db["documents"].rows))
    assert {"name", "title", "date", "source", "hash", "ingested_at"} <= set(row)
    meta = {r["key"]: json.loads(r["value"]) for r in db["meta"].rows}
    assert meta["schema_version"] == 3 and meta["tokenizer"] == tokenizer.signature
    assert meta["bm25"]["variant"] == "okapi"


def test_second_run_is_incremental(corpus: Path, tokenizer: Tokenizer, tmp_path: Path) -> None:
    index = tmp_path / "i.db"
    first = build_index([corpus], index, tokenizer=tokenizer)
    assert len(first.added) == 5
    again = build_index([corpus], index, tokenizer=tokenizer)
    assert len(again.unchanged) == 5 and not again.added and not again.changed
    victim = corpus / "003_62f9692f69b22526.txt"
    title, rest = victim.read_text(encoding="utf-8").split("\n", 1)
    victim.write_text(f"{title}\n\n深圳新增一段测试内容。\n{rest}", encoding="utf-8")
    (corpus / "002_a41bde1fcd41b39a.txt").unlink()
    third = build_index([corpus], index, tokenizer=tokenizer)
    assert third.changed == ["003_62f9692f69b22526.txt"]
    assert third.removed == ["002_a41bde1fcd41b39a.txt"]
    r = Retriever.open(index, tokenizer=tokenizer)
    assert "002_a41bde1fcd41b39a.txt" not in r.documents
    assert r.search("深圳新增一段测试内容", k=1)[0].doc == "003_62f9692f69b22526.txt"


def test_interrupted_run_leaves_the_previous_index(
    corpus: Path, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    index = tmp_path / "i.db"
    build([corpus], index, tokenizer=tokenizer)
    before = [
        (h.passage_id, h.score) for h in Retriever.open(index, tokenizer=tokenizer).search("初心堂")
    ]
    (corpus / "new.txt").write_text("新文件的内容。\n" * 3, encoding="utf-8")

    def interrupt(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build([corpus], index, tokenizer=tokenizer, progress=interrupt)
    after = [
        (h.passage_id, h.score) for h in Retriever.open(index, tokenizer=tokenizer).search("初心堂")
    ]
    assert after == before
    assert not list(tmp_path.glob(".i.db.*.tmp"))


def test_tokenizer_change_rebuilds(
    corpus: Path, tokenizer: Tokenizer, tmp_path: Path, jieba_cache: Path
) -> None:
    index = tmp_path / "i.db"
    build_index([corpus], index, tokenizer=tokenizer)
    other = Tokenizer(TokenizerSettings(bigrams=False), cache_dir=jieba_cache)
    report = build_index([corpus], index, tokenizer=other)
    assert report.rebuilt_because == "tokenizer or chunking settings changed"
    with pytest.raises(RetrievalError, match="other tokenizer settings"):
        Retriever.open(index, tokenizer=tokenizer)


def test_foreign_sqlite_file_is_never_overwritten(
    corpus: Path, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    foreign = tmp_path / "mine.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table precious (x)")
    conn.execute("insert into precious values (42)")
    conn.commit()
    conn.close()
    with pytest.raises(IndexInvalidError, match="not a docbot index"):
        build([corpus], foreign, tokenizer=tokenizer)
    with pytest.raises(IndexInvalidError):
        Retriever.open(foreign, tokenizer=tokenizer)
    assert sqlite3.connect(foreign).execute("select x from precious").fetchone() == (42,)


def test_missing_and_garbage_index(tokenizer: Tokenizer, tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="No index at"):
        Retriever.open(tmp_path / "none.db", tokenizer=tokenizer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(IndexInvalidError):
        Retriever.open(junk, tokenizer=tokenizer)


def test_jsonl_passages_keep_their_id_as_document(tokenizer: Tokenizer, tmp_path: Path) -> None:
    long = "".join(f"第{i}句讲的是一件比较长的事情，需要很多字来描述。" for i in range(30))
    rows = [
        {"id": "x-1", "title": "甲", "text": "短文本。"},
        {"id": "x-2", "title": "乙", "text": long},
    ]
    src = tmp_path / "p.jsonl"
    src.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n",
        encoding="utf-8",
    )
    r, report = build_reporting([src], tmp_path / "i.db", tokenizer=tokenizer)
    docs = [p.doc for p in r.passages]
    assert docs[0] == "x-1" and set(docs[1:]) == {"x-2"} and len(docs) > 2
    assert report.skipped and "p.jsonl:3" in report.skipped[0][0]


def test_footer_repeated_across_pages_is_dropped(tokenizer: Tokenizer, tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    footer = "本站所有内容均来自网络转载仅供学习交流使用"
    for name, body in [
        ("a.txt", "甲文章第一段内容。\n甲文章第二段内容。"),
        ("b.txt", "乙文章的正文。\n乙文章第二段。"),
    ]:
        (corpus / name).write_text(f"{body}\n{footer}\n", encoding="utf-8")
    r = build([corpus], tmp_path / "i.db", tokenizer=tokenizer)
    assert not any(footer in p.text for p in r.passages)
    assert r.search("转载") == []


def test_unreadable_and_non_utf8_files_are_skipped_not_fatal(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("好的文件内容。", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(b"\x00\x01\x02garbage\x80\x81" * 10)
    r, report = build_reporting([corpus], tmp_path / "i.db", tokenizer=tokenizer)
    assert [d for d in r.documents] == ["good.txt"]
    assert report.skipped == [("bad.txt", "binary data, not text")]


def test_open_maps_the_weight_table_and_reads_passages_lazily(
    corpus: Path, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    from retrieval import BM25Settings
    from retrieval.store import LazyPassages

    index = tmp_path / "i.db"
    build([corpus], index, tokenizer=tokenizer)
    lazy = Retriever.open(index, tokenizer=tokenizer)
    assert isinstance(lazy.passages, LazyPassages)
    about = {d: sorted(lazy.about(d)) for d in lazy.documents}
    eager = Retriever(
        lazy.path,
        lazy.documents,
        list(lazy.passages),
        tokenizer,
        lazy.settings,
        entity_words=lazy.entity_words,
        document_entities=about,
    )
    for q in ["肇庆建成了多少个初心堂", "深圳建了多少個暖蜂驛站", "全省基层党组织建设工作会议"]:
        assert [(h.passage_id, h.score) for h in lazy.search(q)] == [
            (h.passage_id, h.score) for h in eager.search(q)
        ]
        query = lazy.analyze(q)
        assert query == eager.analyze(q)
        best = lazy.search(q)[0].passage_id
        assert lazy.coverage(query, best) == eager.coverage(query, best)
    # other BM25 settings than the table was built with: computed from the stored tokens
    other = Retriever.open(index, tokenizer=tokenizer, bm25=BM25Settings(k1=0.9))
    assert isinstance(other.passages, list)
    # each build keeps one weight table: earlier ones are removed
    build([corpus], index, tokenizer=tokenizer)
    assert len(list(tmp_path.glob(".i.db.*.arrays"))) == 1


def test_parallel_segmentation_gives_the_same_index(
    corpus: Path, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    from retrieval import Segmenting

    serial = build(
        [corpus], tmp_path / "s.db", tokenizer=tokenizer, segmenting=Segmenting(workers=1)
    )
    parallel = build(
        [corpus],
        tmp_path / "p.db",
        tokenizer=tokenizer,
        segmenting=Segmenting(workers=2, parallel_min=1, batch=40),
    )
    assert [(p.id, p.tokens) for p in parallel.passages] == [
        (p.id, p.tokens) for p in serial.passages
    ]
