"""The collection an index holds: every format indexed beside the bundled corpus, sources
remembered (added, refreshed, removed, rebuilt), size and time trusted before hashing, web
pages by URL from a server on 127.0.0.1, hostile files skipped with their reasons."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from retrieval import (
    BuildReport,
    ReadLimits,
    Retriever,
    Tokenizer,
    index_sources,
    list_documents,
    remove_from_index,
)
from tests.conftest import CORPUS

from . import makefiles

ARTICLES = sorted(p.name for p in CORPUS.glob("*.txt"))


def index(tokenizer: Tokenizer, db: Path, *paths: str | Path, **kw: object) -> BuildReport:
    return index_sources(db, list(paths), tokenizer=tokenizer, **kw)  # type: ignore[arg-type]


def opened(db: Path, tokenizer: Tokenizer) -> Retriever:
    return Retriever.open(db, tokenizer=tokenizer)


def corpus_and_page(
    tokenizer: Tokenizer, tmp_path: Path, name: str, script: str
) -> tuple[Path, Path, Path]:
    """A copy of the corpus indexed as a folder, then one Markdown page in ``script``
    indexed by its name: (the index, the folder, the page)."""
    db, folder, page = tmp_path / "i.db", tmp_path / "docs", tmp_path / name
    shutil.copytree(CORPUS, folder)
    index(tokenizer, db, folder)
    page.write_bytes(makefiles.markdown(script))
    index(tokenizer, db, page)
    return db, folder, page


@pytest.fixture
def formats(tmp_path: Path) -> Path:
    """A folder of every format, both scripts, and two files docbot does not read."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(makefiles.pdf("simplified", pages=3))
    (folder / "museum.docx").write_bytes(makefiles.docx("traditional"))
    (folder / "page.html").write_bytes(makefiles.html("traditional"))
    (folder / "notes.md").write_bytes(makefiles.markdown("simplified"))
    (folder / "book.epub").write_bytes(makefiles.epub("traditional"))
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200))
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    return folder


def test_every_format_beside_the_corpus(
    tokenizer: Tokenizer, tmp_path: Path, formats: Path
) -> None:
    db = tmp_path / "i.db"
    report = index(tokenizer, db, CORPUS, formats)
    skipped = dict(report.skipped)
    assert "not supported" in skipped["mine/old.doc"] and ".pdf" in skipped["mine/old.doc"]
    assert "not supported" in skipped["mine/photo.png"]
    r = opened(db, tokenizer)
    mine = {"report.pdf", "museum.docx", "page.html", "notes.md", "book.epub"}
    assert mine | set(ARTICLES) == set(r.documents)
    titles = {name: r.documents[name].title for name in mine}
    assert titles["report.pdf"] == titles["notes.md"] == makefiles.SIMPLIFIED["title"]
    assert {titles[n] for n in ("museum.docx", "page.html", "book.epub")} == {
        makefiles.TRADITIONAL["title"]
    }
    for p in r.passages:
        if p.doc in mine:
            assert not any(junk in p.text for junk in ("<", "&ldquo;", "**", "分享到", "版权所有"))
    asked = {
        "simplified": "肇庆全市建成了多少个初心堂？",
        "traditional": "總統府中央塔樓有多高？",
    }
    for script, question in asked.items():
        hits = r.search(question, k=10)
        formats_found = {r.documents[h.doc].format for h in hits}
        wanted = {"pdf", "markdown"} if script == "simplified" else {"docx", "html", "epub"}
        assert wanted <= formats_found, (script, formats_found)
    pdf_hits = [h for h in r.search("初心堂累计开展活动", k=10) if h.doc == "report.pdf"]
    assert pdf_hits and all(h.page in (1, 2, 3) for h in pdf_hits)
    sections = {h.section for h in r.search("總統府開放民眾參觀", k=10) if h.doc == "museum.docx"}
    assert sections & set(makefiles.TRADITIONAL["sections"])  # type: ignore[arg-type]
    assert r.search("肇庆建成了多少个初心堂？")[0].doc in {*ARTICLES, "report.pdf", "notes.md"}
    assert r.search("廣州召開基層黨組織建設工作會議")[0].doc == ARTICLES[2]


def test_indexing_a_path_adds_it_and_keeps_everything_else(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    db = tmp_path / "i.db"
    index(tokenizer, db, CORPUS)
    extra = tmp_path / "extra.md"
    extra.write_bytes(makefiles.markdown("simplified"))
    report = index(tokenizer, db, extra)
    assert report.added == ["extra.md"] and report.removed == []
    assert report.documents == len(ARTICLES) + 1
    origins, documents = list_documents(db)
    assert [o.kind for o in origins] == ["folder", "file"]
    assert {d.name for d in documents} == {*ARTICLES, "extra.md"}
    again = index(tokenizer, db)  # every remembered source refreshed; nothing changed
    assert sorted(again.unchanged) == sorted([*ARTICLES, "extra.md"]) and not again.removed


def test_a_refresh_adds_changes_and_removes_what_changed_in_a_folder(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    db, folder, _ = corpus_and_page(tokenizer, tmp_path, "other.md", "traditional")
    (folder / ARTICLES[2]).unlink()
    changed = folder / ARTICLES[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\n红树林保护区新建服务站三个。\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "new.docx").write_bytes(makefiles.docx("simplified"))
    report = index(tokenizer, db)
    assert report.removed == [ARTICLES[2]]
    assert report.changed == [ARTICLES[0]]
    assert report.added == ["sub/new.docx"]
    assert "other.md" in report.unchanged
    r = opened(db, tokenizer)
    assert r.search("红树林保护区")[0].doc == ARTICLES[0]
    assert ARTICLES[2] not in r.documents and "other.md" in r.documents


def test_size_and_time_are_trusted_before_hashing(tokenizer: Tokenizer, tmp_path: Path) -> None:
    """A file whose size and modification time are those stored is not read again (the
    point: a refresh of a large collection reads nothing); a touched file with the same bytes
    is unchanged; changed bytes with a new time are read."""
    folder = tmp_path / "docs"
    folder.mkdir()
    file = folder / "a.txt"
    file.write_text("标题甲乙丙丁戊己\n\n红树林保护区新建服务站三个。\n", encoding="utf-8")
    db = tmp_path / "i.db"
    index(tokenizer, db, folder)
    stat = file.stat()
    file.write_text(
        "标题甲乙丙丁戊己\n\n湿地公园保护新建服务站三个。\n", encoding="utf-8"
    )  # same size
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert index(tokenizer, db).unchanged == ["a.txt"]
    assert opened(db, tokenizer).search("红树林保护区")  # not read: the old text stands
    file.write_text("标题甲乙丙丁戊己\n\n红树林保护区新建服务站三个。\n", encoding="utf-8")
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert index(tokenizer, db).unchanged == ["a.txt"]  # read, hashed: the same bytes
    file.write_text("标题甲乙丙丁戊己\n\n湿地公园保护新建服务站三个。\n", encoding="utf-8")
    os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    assert index(tokenizer, db).changed == ["a.txt"]
    assert opened(db, tokenizer).search("湿地公园")


def test_two_folders_may_each_hold_a_file_of_the_same_name(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    for name, script in (("a", "simplified"), ("b", "traditional")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "notes.md").write_bytes(makefiles.markdown(script))
    db = tmp_path / "i.db"
    index(tokenizer, db, tmp_path / "a")
    report = index(tokenizer, db, tmp_path / "b")
    assert report.added == ["b/notes.md"]
    _, documents = list_documents(db)
    assert {(d.name, d.path) for d in documents} == {
        ("notes.md", "notes.md"),
        ("b/notes.md", "notes.md"),
    }
    assert sorted(index(tokenizer, db).unchanged) == ["b/notes.md", "notes.md"]  # names stay


def test_remove_forgets_a_document_or_a_whole_source(tokenizer: Tokenizer, tmp_path: Path) -> None:
    db, folder, _ = corpus_and_page(tokenizer, tmp_path, "extra.md", "simplified")
    report = remove_from_index(db, [ARTICLES[0], "no-such-thing"], tokenizer=tokenizer)
    assert report.removed == [ARTICLES[0]] and report.skipped == [
        ("no-such-thing", "not in the index")
    ]
    assert ARTICLES[0] not in index(tokenizer, db).added  # the file is still there: not re-read
    assert ARTICLES[0] not in opened(db, tokenizer).documents
    assert index(tokenizer, db, folder / ARTICLES[0]).added == [ARTICLES[0]]  # asked for again
    report = remove_from_index(db, [str(folder)], tokenizer=tokenizer)
    assert sorted(report.removed) == ARTICLES
    origins, documents = list_documents(db)
    assert [o.label for o in origins] == ["extra.md"] and [d.name for d in documents] == [
        "extra.md"
    ]
    remove_from_index(db, ["extra.md"], tokenizer=tokenizer)  # a file source: forgotten too
    assert list_documents(db) == ([], [])


def test_rebuild_starts_over_from_the_remembered_sources(
    tokenizer: Tokenizer, tmp_path: Path, formats: Path
) -> None:
    db, fresh = tmp_path / "i.db", tmp_path / "fresh.db"
    index(tokenizer, db, CORPUS)
    index(tokenizer, db, formats / "report.pdf")
    index(tokenizer, db, formats / "museum.docx")
    report = index(tokenizer, db, rebuild=True)
    assert report.documents == len(ARTICLES) + 2
    index(tokenizer, fresh, CORPUS, formats / "report.pdf", formats / "museum.docx")
    a, b = opened(db, tokenizer), opened(fresh, tokenizer)
    for q in ("初心堂累计开展活动", "總統府開放參觀", "廣州召開會議"):
        assert [(h.passage_id, round(h.score, 9)) for h in a.search(q, k=8)] == [
            (h.passage_id, round(h.score, 9)) for h in b.search(q, k=8)
        ]


def test_a_bad_new_version_keeps_the_indexed_one(tokenizer: Tokenizer, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "museum.docx").write_bytes(makefiles.docx("traditional"))
    db = tmp_path / "i.db"
    index(tokenizer, db, folder)
    (folder / "museum.docx").write_bytes(b"PK\x03\x04 this is not a zip any more")
    report = index(tokenizer, db)
    assert "museum.docx" in dict(report.skipped) and report.removed == []
    assert opened(db, tokenizer).search("總統府開放參觀")[0].doc == "museum.docx"


def test_hostile_files_are_skipped_with_reasons_and_cost_nothing(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    bomb = makefiles.replace_member(makefiles.docx(), "word/media/zeros.bin", bytes(5_000_000))
    (folder / "bomb.docx").write_bytes(bomb)
    (folder / "locked.pdf").write_bytes(makefiles.pdf(pages=1, encrypt="secret"))
    (folder / "scan.pdf").write_bytes(makefiles.pdf_image_only())
    good = makefiles.pdf(pages=2)
    (folder / "half.pdf").write_bytes(good[: len(good) // 2])
    (folder / "ok.md").write_bytes(makefiles.markdown("simplified"))
    db = tmp_path / "i.db"
    index(tokenizer, db, CORPUS)
    report = index(tokenizer, db, folder, limits=ReadLimits(memory_mb=300))
    why = dict(report.skipped)
    assert "zip bomb" in why["bomb.docx"]
    assert "password" in why["locked.pdf"]
    assert "OCR" in why["scan.pdf"]
    assert "damaged" in why["half.pdf"] or "truncated" in why["half.pdf"]
    assert report.added == ["ok.md"]
    assert set(opened(db, tokenizer).documents) == {*ARTICLES, "ok.md"}
    (folder / "slow.pdf").write_bytes(makefiles.pdf(pages=200))
    report = index(tokenizer, db, folder / "slow.pdf", limits=ReadLimits(seconds=0.3))
    assert "longer than 0.3 s" in dict(report.skipped)["slow.pdf"]
    assert set(opened(db, tokenizer).documents) == {*ARTICLES, "ok.md"}


# -- web pages ---------------------------------------------------------------------------------

PAGE = makefiles.html("traditional")


class Page(BaseHTTPRequestHandler):
    conditional = 0

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        if self.path != "/news/museum":
            self.send_response(404)
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == '"v1"':
            type(self).conditional += 1
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_web_page_is_indexed_by_url_and_cited_with_it(
    tokenizer: Tokenizer, tmp_path: Path, site: str
) -> None:
    url = f"{site}/news/museum"
    db = tmp_path / "i.db"
    index(tokenizer, db, CORPUS)
    assert index(tokenizer, db, url).added == [url]
    hit = opened(db, tokenizer).search("總統府中央塔樓有多高")[0]
    assert hit.doc == url and hit.url == url and hit.title == makefiles.TRADITIONAL["title"]
    before = Page.conditional
    report = index(tokenizer, db)  # refreshed with a conditional GET: 304, nothing read
    assert url in report.unchanged and Page.conditional == before + 1
    broken = index(tokenizer, db, f"{site}/gone")
    assert dict(broken.skipped)[f"{site}/gone"].startswith("the server answered 404")
    assert url in opened(db, tokenizer).documents
    assert f"{site}/gone" not in {o.key for o in list_documents(db)[0]}  # not remembered


def test_a_remembered_source_that_is_gone_does_not_stop_a_refresh(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    db, folder, solo = corpus_and_page(tokenizer, tmp_path, "solo.md", "traditional")
    solo.unlink()
    shutil.move(folder, tmp_path / "moved")
    report = index(tokenizer, db)  # neither is there: both named, their documents kept
    why = dict(report.skipped)
    assert "No such file" in why["solo.md"] and "kept until removed" in why["solo.md"]
    assert "No such folder" in why["docs"]
    assert report.removed == [] and report.documents == len(ARTICLES) + 1
    rebuilt = index(tokenizer, db, rebuild=True)
    assert "left out of the rebuild" in dict(rebuilt.skipped)["docs"]


def test_the_text_says_the_date_and_source_before_the_files_metadata(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    """A page's own 发布时间 / 来源 line wins over its markup's guesses and is not article
    text: it is kept only as the last passage, the publication card (for 哪天发的); 上一篇/下一篇
    links and editor credits are page furniture."""
    body = "".join(
        f"<p>{p}</p>"
        for p in makefiles.SIMPLIFIED["paragraphs"]  # type: ignore[attr-defined]
    )
    page = (
        "<html><head><title>冰雪节开幕</title>"
        '<meta property="article:published_time" content="2000-01-01"></head><body>'
        "<article><h1>冰雪节开幕</h1><p>发布时间：2023-12-18 10:05 来源：黑龙江日报 作者：刘冬</p>"
        f"{body}<p>（责任编辑：李娜）</p><p>上一篇：松花江冰封期提前</p></article></body></html>"
    )
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "ice.html").write_text(page, encoding="utf-8")
    db = tmp_path / "i.db"
    index(tokenizer, db, folder)
    r = opened(db, tokenizer)
    doc = r.documents["ice.html"]
    assert (doc.date, doc.source) == ("2023-12-18", "黑龙江日报")
    texts = [p.text for p in r.passages if p.doc == "ice.html"]
    assert len(texts) > 1 and "来源" in texts[-1] and "2023-12-18" in texts[-1]
    assert not any("来源" in t for t in texts[:-1])
    assert not any(("责任编辑" in t or "上一篇" in t) for t in texts)


def test_other_settings_rebuild_from_every_remembered_source(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    """Changing the BM25 settings rebuilds the index from all its sources, not from the
    default corpus alone (added documents were lost that way)."""
    from retrieval import BM25Settings

    db = tmp_path / "i.db"
    index(tokenizer, db, CORPUS)
    extra = tmp_path / "extra.md"
    extra.write_bytes(makefiles.markdown("simplified"))
    index(tokenizer, db, extra)
    report = index(tokenizer, db, default=[CORPUS], bm25=BM25Settings(k1=2.0))
    assert report.rebuilt_because == "tokenizer, chunking or BM25 settings changed"
    assert report.documents == len(ARTICLES) + 1
    assert [o.label for o in list_documents(db)[0]] == [CORPUS.name, "extra.md"]


def test_an_older_index_is_rebuilt_from_the_default_and_the_paths(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    """An index of an older docbot remembers no sources: indexing a folder into it rebuilds
    it from the default corpus and that folder, not from the folder alone."""
    import json
    import sqlite3

    db = tmp_path / "i.db"
    index(tokenizer, db, CORPUS)
    with sqlite3.connect(db) as conn:
        conn.execute("update meta set value = ? where key = 'schema_version'", (json.dumps(2),))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "notes.md").write_bytes(makefiles.markdown("simplified"))
    report = index(tokenizer, db, extra, default=[CORPUS])
    assert report.rebuilt_because == "the index was written by another docbot version"
    assert set(opened(db, tokenizer).documents) == {*ARTICLES, "notes.md"}
