"""Adding, replacing and removing documents in place: the result must be the index a full
build of the same documents gives (same passages, same scores), and a failed update must
leave the old index whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rank_bm25

from retrieval import (
    BM25Settings,
    IndexInvalidError,
    IndexMissingError,
    Retriever,
    Tokenizer,
    update_index,
)
from retrieval.bm25 import Counts, SparseBM25, Vocabulary
from tests.conftest import CORPUS, build, docbot, update

QUERIES = [
    "肇庆一共建成了多少个初心堂",
    "深圳暖蜂驛站",
    "广西 党建 乡村振兴",
    "基层党组织书记培训",
    "新增的段落 红树林",
    "党员",
]
ARTICLES = sorted(p.name for p in CORPUS.glob("0*.txt"))


def ranked(r: Retriever, q: str) -> list[tuple[str, float]]:
    return [(h.passage_id, h.score) for h in r.search(q, k=8)]


def same_results(a: Retriever, b: Retriever) -> None:
    """Same passages, each with the same score for every query; the same ranked scores.
    (Passages may be numbered differently, so equal scores may be ordered differently.)"""
    assert len(a) == len(b) and set(a.documents) == set(b.documents)
    ids_a, ids_b = [p.id for p in a.passages], [p.id for p in b.passages]
    assert sorted(ids_a) == sorted(ids_b)
    for q in QUERIES:
        tokens = list(a.analyze(q).tokens)
        assert tokens == list(b.analyze(q).tokens)
        of_b = dict(zip(ids_b, b.scores(tokens).tolist(), strict=True))
        for pid, score in zip(ids_a, a.scores(tokens).tolist(), strict=True):
            assert score == pytest.approx(of_b[pid], rel=1e-9, abs=1e-12), (q, pid)
        got, want = ranked(a, q), ranked(b, q)
        assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=1e-9), q


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """``before``: four of the articles; ``after``: the same with the first one changed, the
    second one gone and the fifth one added."""
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    for name in ARTICLES[:4]:
        shutil.copy(CORPUS / name, before / name)
    for name in [ARTICLES[0], ARTICLES[2], ARTICLES[3], ARTICLES[4]]:
        shutil.copy(CORPUS / name, after / name)
    changed = after / ARTICLES[0]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n\n新增的段落：红树林保护区新建党员服务站三个。\n",
        encoding="utf-8",
    )
    return before, after


def become(before: Path, after: Path) -> None:
    """Edit the folder ``before`` until it holds what ``after`` holds."""
    for file in before.iterdir():
        if not (after / file.name).exists():
            file.unlink()
    for file in after.iterdir():
        shutil.copy(file, before / file.name)


@pytest.mark.parametrize(
    "settings", [BM25Settings(), BM25Settings("plus", 1.2, 0.5), BM25Settings("l", 1.5, 0.75)]
)
def test_an_update_gives_the_index_a_full_build_gives(
    tokenizer: Tokenizer, tmp_path: Path, folders: tuple[Path, Path], settings: BM25Settings
) -> None:
    before, after = folders
    index = tmp_path / "i.db"
    build([before], index, tokenizer=tokenizer, bm25=settings)
    become(before, after)
    updated, report = update(
        index,
        add=[before / ARTICLES[0], before / ARTICLES[4], before / ARTICLES[2]],
        remove=[ARTICLES[1]],
        tokenizer=tokenizer,
        bm25=settings,
    )
    assert report.added == [ARTICLES[4]]
    assert report.changed == [ARTICLES[0]]
    assert report.unchanged == [ARTICLES[2]]
    assert report.removed == [ARTICLES[1]]
    assert report.documents == 4 and report.passages == len(updated)
    full = build([after], tmp_path / "full.db", tokenizer=tokenizer, bm25=settings)
    same_results(updated, full)
    assert updated.search("红树林保护区")[0].doc == ARTICLES[0]
    assert not any(h.doc == ARTICLES[1] for q in QUERIES for h in updated.search(q, k=20))
    reopened = Retriever.open(index, tokenizer=tokenizer, bm25=settings)
    same_results(reopened, full)


def test_updated_scores_equal_rank_bm25_over_the_stored_passages(
    tokenizer: Tokenizer, tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    before, after = folders
    index = tmp_path / "i.db"
    build([before], index, tokenizer=tokenizer)
    become(before, after)
    r, _ = update(index, add=[before / ARTICLES[0], before / ARTICLES[4]], remove=[ARTICLES[1]])
    corpus = [p.tokens for p in r.passages]  # in the order the update left them
    ref = rank_bm25.BM25Okapi(corpus, k1=1.2, b=0.75, epsilon=0.25)
    for q in QUERIES:
        tokens = list(r.analyze(q).tokens)
        assert np.allclose(r.scores(tokens), ref.get_scores(tokens), rtol=1e-9, atol=1e-12)


def test_the_arrays_arithmetic_equals_counting_again() -> None:
    """Counts.changed (remove, move, append, new terms) against counting the result."""
    rng = np.random.default_rng(11)
    words = [f"t{i}" for i in range(400)]
    p = 1 / np.arange(1, 401)
    p /= p.sum()
    corpus = [list(rng.choice(words, size=rng.integers(0, 30), p=p)) for _ in range(900)]
    vocab: dict[str, int] = {}
    old = Counts.of(corpus, vocab)
    removed = sorted({3, 4, 5, 450, 899} | set(range(600, 640)))
    kept = len(corpus) - len(removed)
    remap = np.arange(len(corpus))
    remap[removed] = -1
    tail = [s for s in range(kept, len(corpus)) if remap[s] >= 0]
    remap[tail] = [s for s in removed if s < kept]
    added_docs = [["t1", "brand-new", "t399", "t1"], [], ["brand-new", "another"]]
    rows_before = len(vocab)
    added = Counts.of(added_docs, vocab, rows=rows_before)
    assert vocab["brand-new"] == rows_before and vocab["another"] == rows_before + 1
    final: list[list[str]] = [[] for _ in range(kept)]
    for old_slot, new_slot in enumerate(remap):
        if new_slot >= 0:
            final[new_slot] = corpus[old_slot]
    final += added_docs
    changed = old.changed(remap, added)
    again = Counts.of(final, dict(vocab))
    assert np.array_equal(changed.indptr, again.indptr)
    assert np.array_equal(changed.lengths, again.lengths)
    rows = np.repeat(np.arange(len(again.indptr) - 1), np.diff(again.indptr))
    by_row = np.lexsort((changed.indices, rows)), np.lexsort((again.indices, rows))
    # the same postings in each row (a moved passage keeps its place in a row)
    assert np.array_equal(changed.indices[by_row[0]], again.indices[by_row[1]])
    assert np.array_equal(changed.tf[by_row[0]], again.tf[by_row[1]])
    scorer = SparseBM25.from_counts(vocab, changed, "okapi", 1.2, 0.75)
    ref = rank_bm25.BM25Okapi(final, k1=1.2, b=0.75)
    for q in (["t1", "brand-new"], ["t0", "t0", "t7"], ["t399", "absent"]):
        assert np.allclose(scorer.get_scores(q), ref.get_scores(q), rtol=1e-9, atol=1e-12)


def test_a_term_left_in_no_passage_counts_for_nothing(tokenizer: Tokenizer, tmp_path: Path) -> None:
    """Removing the only document with a word: the word is unknown again, and Okapi's
    average IDF (which flooring uses) is over the remaining words only."""
    src = tmp_path / "c"
    src.mkdir()
    (src / "a.txt").write_text("标题甲\n\n独有词汇红树林保护。\n", encoding="utf-8")
    shutil.copy(CORPUS / ARTICLES[3], src / ARTICLES[3])
    index = tmp_path / "i.db"
    r = build([src], index, tokenizer=tokenizer)
    assert r.search("红树林")
    r, _ = update(index, remove=["a.txt"], tokenizer=tokenizer)
    assert r.search("红树林") == [] and r.document_frequency("红树林") == 0
    (src / "a.txt").unlink()
    same_results(r, build([src], tmp_path / "full.db", tokenizer=tokenizer))


def test_removing_everything_then_adding_again(tokenizer: Tokenizer, tmp_path: Path) -> None:
    index = tmp_path / "i.db"
    build([CORPUS / ARTICLES[0], CORPUS / ARTICLES[1]], index, tokenizer=tokenizer)
    r, report = update(index, remove=ARTICLES[:2], tokenizer=tokenizer)
    assert len(r) == 0 and r.search("初心堂") == [] and report.documents == 0
    r, report = update(index, add=[CORPUS / ARTICLES[1]], tokenizer=tokenizer)
    assert report.added == [ARTICLES[1]]
    full = build([CORPUS / ARTICLES[1]], tmp_path / "full.db", tokenizer=tokenizer)
    same_results(r, full)


def test_nothing_changed_writes_nothing(tokenizer: Tokenizer, tmp_path: Path) -> None:
    index = tmp_path / "i.db"
    build([CORPUS], index, tokenizer=tokenizer)
    stamp = index.stat().st_mtime_ns, index.stat().st_ino
    _, report = update(
        index, add=[CORPUS / ARTICLES[2]], remove=["no-such.txt"], tokenizer=tokenizer
    )
    assert report.unchanged == [ARTICLES[2]]
    assert report.skipped == [("no-such.txt", "not in the index")]
    assert (index.stat().st_mtime_ns, index.stat().st_ino) == stamp


class DiskFullAfterWeighing(BM25Settings):
    """The default settings, but the disk fills up once the new weights are computed."""

    def weigh(self, vocab: Vocabulary, counts: Counts) -> SparseBM25:
        super().weigh(vocab, counts)
        raise OSError(28, "No space left on device")


def test_a_failed_update_leaves_the_old_index_answering(
    tokenizer: Tokenizer, tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    before, after = folders
    index = tmp_path / "i.db"
    old = build([before], index, tokenizer=tokenizer)
    expected = {q: ranked(old, q) for q in QUERIES}

    become(before, after)
    with pytest.raises(Exception, match="previous index is unchanged"):
        update_index(
            index, add=[before / ARTICLES[4]], tokenizer=tokenizer, bm25=DiskFullAfterWeighing()
        )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    assert len(list(tmp_path.glob(".i.db.*.arrays"))) == 1
    reopened = Retriever.open(index, tokenizer=tokenizer)
    assert {q: ranked(reopened, q) for q in QUERIES} == expected
    assert {q: ranked(old, q) for q in QUERIES} == expected  # the open one still answers


def test_an_open_retriever_keeps_answering_across_an_update(
    tokenizer: Tokenizer, tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    before, after = folders
    index = tmp_path / "i.db"
    old = build([before], index, tokenizer=tokenizer)
    expected = {q: ranked(old, q) for q in QUERIES}
    become(before, after)
    update(index, add=[before / ARTICLES[4]], remove=[ARTICLES[1]], tokenizer=tokenizer)
    assert {q: ranked(old, q) for q in QUERIES} == expected


def test_an_update_refuses_other_settings_and_a_missing_index(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    index = tmp_path / "i.db"
    with pytest.raises(IndexMissingError, match="No index at"):
        update(index, add=[CORPUS / ARTICLES[0]], tokenizer=tokenizer)
    build([CORPUS / ARTICLES[0]], index, tokenizer=tokenizer)
    with pytest.raises(IndexInvalidError, match="other tokenizer, chunking or BM25 settings"):
        update(index, add=[CORPUS / ARTICLES[1]], tokenizer=tokenizer, bm25=BM25Settings(k1=2.0))
    with pytest.raises(IndexInvalidError, match="other tokenizer, chunking or BM25 settings"):
        update(index, add=[CORPUS / ARTICLES[1]], tokenizer=tokenizer, max_chars=200)


def test_an_index_saved_without_counts_is_updated_exactly(
    tokenizer: Tokenizer, tmp_path: Path, folders: tuple[Path, Path]
) -> None:
    """An index written before term counts were kept: they are counted from the stored
    tokens once, and the update is still exact."""
    before, after = folders
    index = tmp_path / "i.db"
    build([before], index, tokenizer=tokenizer)
    (folder,) = tmp_path.glob(".i.db.*.arrays")
    for name in SparseBM25.COUNTED:
        (folder / f"{name}.npy").unlink()
    become(before, after)
    r, _ = update(
        index,
        add=[before / ARTICLES[0], before / ARTICLES[4]],
        remove=[ARTICLES[1]],
        tokenizer=tokenizer,
    )
    same_results(r, build([after], tmp_path / "full.db", tokenizer=tokenizer))


@pytest.mark.slow
def test_docbot_update_command(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    held = tmp_path / "held"
    held.mkdir()
    shutil.move(tmp_path / "corpus" / ARTICLES[4], held / ARTICLES[4])
    assert docbot("index", cwd=tmp_path).returncode == 0
    result = docbot("update", str(held / ARTICLES[4]), "--remove", ARTICLES[0], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stderr and "1 removed" in result.stderr
    assert "Indexed 4 documents" in result.stderr
    asked = docbot("ask", "--json", "广西", cwd=tmp_path)
    assert asked.returncode == 0 and ARTICLES[4] in asked.stdout
    kept = docbot("index", cwd=tmp_path)  # what `make run` runs: the update is kept
    assert "Indexed 4 documents" in kept.stderr and "0 removed" in kept.stderr
    nothing = docbot("update", cwd=tmp_path)
    assert nothing.returncode == 2 and nothing.stderr.startswith("Error: nothing to do")
    missing = docbot("--index", "nowhere.db", "update", str(held / ARTICLES[4]), cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "docbot index" in missing.stderr
    assert "Traceback" not in missing.stderr + nothing.stderr
