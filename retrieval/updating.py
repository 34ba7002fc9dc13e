"""Adding, replacing and removing documents in a built index without rebuilding it.

Only the documents named are read, cleaned and segmented. The index file is copied, the copy
changed and renamed over the old one, so a reader of the old file and a run that is
interrupted both see a whole index. The weight table is recomputed from stored term
counts with array operations (:meth:`~retrieval.scoring.Counts.changed`): N, the average
length and every document frequency are exact, as if the index had been built from scratch.

Passages keep their numbers, except that the last ones move into the places of removed
passages, so ties between equal scores may be ordered differently than after a full build.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from . import store
from .errors import IndexInvalidError, IndexMissingError
from .ingest import (
    BuildReport,
    Segmenting,
    document_row,
    furniture_words,
    passage_rows,
    read_sources,
    replacing,
    settings_signature,
    utc_now,
)
from .scoring import Counts, SparseBM25, Vocabulary
from .tokenization import Tokenizer

Weigh = Callable[[Vocabulary, Counts], SparseBM25]


def update_index(
    index_path: str | Path,
    tokenizer: Tokenizer,
    weigh: Weigh,
    *,
    add: Sequence[str | Path] = (),
    remove: Sequence[str] = (),
    max_chars: int,
    extra_meta: dict[str, Any] | None = None,
    segmenting: Segmenting | None = None,
) -> BuildReport:
    """Add or replace the documents under ``add`` (named as :func:`~retrieval.ingest.build_index`
    names them) and remove the documents named in ``remove``; ``weigh`` makes the scorer
    from counts with the index's BM25 settings."""
    index_path = Path(index_path)
    report = BuildReport()
    if not index_path.exists():
        raise IndexMissingError(f"No index at {index_path}. Build it first with: docbot index")
    db, meta = store.open_store(index_path)
    try:
        signature = settings_signature(tokenizer, max_chars)
        wanted = {**signature, **(extra_meta or {})}
        if any(meta.get(k) != v for k, v in wanted.items()):
            raise IndexInvalidError(
                f"{index_path} was built with other tokenizer, chunking or BM25 settings; "
                "rebuild it with: docbot index"
            )
        hashes = {row["name"]: row["hash"] for row in db["documents"].rows}
        size = int(db.execute("select count(*) from passages").fetchone()[0])
        shared_edges = set(meta.get("shared_edges", []))
        sources = read_sources(
            add, report, plausibility=tokenizer.word_share, shared_edges=shared_edges
        )
        coming = []  # the sources to (re)index: new or changed
        for src in sources:
            name = src.document.name
            if hashes.get(name) == src.hash:
                report.unchanged.append(name)
                continue
            (report.changed if name in hashes else report.added).append(name)
            coming.append(src)
        for name in remove:
            if name in hashes:
                report.removed.append(name)
            else:
                report.skipped.append((name, "not in the index"))
        report.documents = len(hashes) - len(report.removed) + len(report.added)
        going = report.changed + report.removed
        if not coming and not going:
            report.passages = size
            return report
        slots = _slots_of(db, going)
        old_table = _old_table(index_path, meta, db, size)
    finally:
        db.close()

    kept = size - len(slots)
    remap = np.arange(size, dtype=np.int64)
    remap[slots] = -1
    holes = [s for s in slots if s < kept]
    tail = [s for s in range(kept, size) if remap[s] >= 0]
    remap[tail] = holes

    with replacing(index_path) as (tmp, arrays, build_id):
        shutil.copyfile(index_path, tmp)
        with contextlib.closing(sqlite_utils.Database(tmp)) as new_db, new_db.conn:
            added_tokens, new_terms, vocab_size = _write_changes(
                new_db,
                going,
                list(zip(tail, holes, strict=True)),
                coming,
                kept,
                tokenizer,
                max_chars,
                segmenting or Segmenting(workers=1),
            )
            report.passages = kept + len(added_tokens)
            furniture = set(meta.get("furniture_words", []))
            furniture.update(furniture_words(coming, tokenizer))
            values: dict[str, Any] = {
                "built_at": utc_now(),
                "furniture_words": sorted(furniture),
                "shared_edges": sorted(shared_edges),
                "arrays": None,
            }
            if report.passages:
                vocab = dict(new_terms)  # the rows of the terms the new passages use
                added = Counts.of(added_tokens, vocab, rows=vocab_size)
                counts = old_table.changed(remap, added) if old_table is not None else added
                # Only saved here: the new file's terms table is its vocabulary.
                weigh(vocab, counts).save(arrays)
                values["arrays"] = build_id
                store.insert_terms(new_db, {t: r for t, r in vocab.items() if r >= vocab_size})
            store.write_meta(new_db, values)
    return report


def _slots_of(db: Any, names: list[str]) -> list[int]:
    """The passage numbers of the documents ``names``, ascending."""
    out: list[int] = []
    for marks, group in store.in_groups(names):
        rows = db.execute(f"select seq from passages where doc in ({marks})", group).fetchall()
        out.extend(int(r[0]) for r in rows)
    return sorted(out)


def _old_table(index_path: Path, meta: dict[str, Any], db: Any, size: int) -> Counts | None:
    """The term counts of the current index: from its arrays, or (a table written before
    counts were kept) counted again from the stored tokens."""
    if size == 0:
        return None
    folder = store.arrays_folder(index_path, str(meta.get("arrays")))
    if meta.get("arrays") and folder.exists():
        counts = SparseBM25.load(folder, {}, size).counts()
        if counts is not None:
            return counts
    vocab = {row["term"]: int(row["row"]) for row in db["terms"].rows}
    corpus = [p.tokens for p in store.read_passages(db)]
    if not vocab:  # no weight table at all: rows in order of appearance
        return Counts.of(corpus, vocab)
    before = len(vocab)
    counts = Counts.of(corpus, vocab)
    if len(vocab) != before:
        raise IndexInvalidError(f"{index_path} is inconsistent; rebuild it with: docbot index")
    return counts


def _write_changes(
    db: Any,
    going: list[str],
    moves: list[tuple[int, int]],
    coming: list[Any],
    kept: int,
    tokenizer: Tokenizer,
    max_chars: int,
    segmenting: Segmenting,
) -> tuple[list[list[str]], dict[str, int], int]:
    """Delete, move and insert rows; return the added passages' tokens, the rows of the
    terms they use that the index already has, and how many terms it has."""
    for marks, group in store.in_groups(going):
        db.execute(f"delete from passages where doc in ({marks})", group)
        db.execute(f"delete from documents where name in ({marks})", group)
    for old, new in moves:
        db.execute("update passages set seq = ? where seq = ?", (new, old))
    now = utc_now()
    seq = kept
    batch = []
    for src in coming:
        rows = list(passage_rows(src, {}, max_chars, seq))
        seq += len(rows)
        batch.append((src, rows))
    keys = [r["key"] for _, rows in batch for r in rows]
    found = segmenting.segment(list(dict.fromkeys(keys)), tokenizer)
    tokens: list[list[str]] = []
    passages = []
    for _, rows in batch:
        for r in rows:
            r["tokens"] = found[r.pop("key")]
            tokens.append(r["tokens"].split(" ") if r["tokens"] else [])
            passages.append(r)
    store.insert_documents(db, [document_row(src, now, len(rows)) for src, rows in batch])
    store.insert_passages(db, passages)
    known, size = store.term_rows(db, {t for doc in tokens for t in doc})
    return tokens, known, size
