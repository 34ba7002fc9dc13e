"""Corpus paths -> store: incremental by content hash, atomic by write-then-rename."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from . import store
from .chunking import DEFAULT_MAX_CHARS, chunk
from .cleaning import clean_document, clean_line
from .decoding import Plausibility, UndecodableError, decode
from .errors import CorpusError, IndexInvalidError, IndexWriteError
from .normalization import to_simplified
from .schema import Document
from .scoring import Counts, CountsBuilder, SparseBM25, Vocabulary, release_freed_memory
from .tokenization import Tokenizer, TokenizerSettings

TEXT_SUFFIXES = (".txt", ".md")
PASSAGE_SUFFIXES = (".jsonl",)
MAX_FILE_BYTES = 20_000_000  # larger files are skipped with a message (an archive, a dump ...)
EDGE = 4  # how many paragraphs at each end of a page can be a shared header/footer

Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    """What an index run did, for the CLI to tell the user."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    rebuilt_because: str | None = None
    documents: int = 0
    passages: int = 0


@dataclass
class _Source:
    document: Document
    paragraphs: list[str]
    hash: str
    removed: list[str] = field(default_factory=list)


def _is_document(path: Path, root: Path) -> bool:
    """A file a folder scan indexes: .txt/.md/.jsonl, not hidden, not the folder's README."""
    rel = path.relative_to(root).parts
    return (
        path.is_file()
        and path.suffix.lower() in TEXT_SUFFIXES + PASSAGE_SUFFIXES
        and not any(part.startswith(".") for part in rel)
        and not path.stem.upper().startswith("README")
    )


def discover(paths: Sequence[str | Path]) -> list[tuple[str, Path]]:
    """(name, path) of every indexable file under ``paths``; names are stable and unique."""
    found: list[tuple[str, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if _is_document(p, path))
            found.extend((p.relative_to(path).as_posix(), p) for p in files)
        elif path.is_file():
            found.append((path.name, path))
        else:
            raise CorpusError(f"No such file or folder: {path}")
    return found


def _read_text_file(name: str, data: bytes, plausibility: Plausibility | None) -> _Source:
    cleaned = clean_document(decode(data, plausibility))
    doc = Document(name, cleaned.title or name, cleaned.date, cleaned.source, cleaned.author)
    body = [p for i, p in enumerate(cleaned.paragraphs) if i not in cleaned.headings]
    return _Source(doc, body, hashlib.sha256(data).hexdigest(), cleaned.removed)


def _read_passage_file(
    name: str, data: bytes, report: BuildReport, plausibility: Plausibility | None
) -> list[_Source]:
    sources: list[_Source] = []
    for lineno, line in enumerate(decode(data, plausibility).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            pid, text = str(record["id"]), str(record["text"])
            title = str(record.get("title") or pid)
        except (ValueError, KeyError, TypeError):
            report.skipped.append((f"{name}:{lineno}", 'not a {"id", "title", "text"} object'))
            continue
        text = clean_line(text)
        if text:
            digest = hashlib.sha256(line.encode()).hexdigest()
            sources.append(_Source(Document(pid, clean_line(title) or pid), [text], digest))
    return sources


def _drop_shared_edges(sources: list[_Source], known: Iterable[str] = ()) -> set[str]:
    """A paragraph repeated at the head or tail of two or more pages is a header or footer;
    so is one ``known`` from earlier runs. Returns them all (in the matching form)."""
    counts: Counter[str] = Counter()
    for src in sources:
        edges = src.paragraphs[:EDGE] + src.paragraphs[-EDGE:]
        counts.update({to_simplified(p) for p in edges})
    shared = {key for key, n in counts.items() if n >= 2} | set(known)
    if not shared:
        return shared
    for src in sources:
        n = len(src.paragraphs)
        kept = []
        for i, p in enumerate(src.paragraphs):
            if (i < EDGE or i >= n - EDGE) and to_simplified(p) in shared:
                src.removed.append(p)
            else:
                kept.append(p)
        src.paragraphs = kept
    return shared


def read_sources(
    paths: Sequence[str | Path],
    report: BuildReport,
    max_bytes: int = MAX_FILE_BYTES,
    plausibility: Plausibility | None = None,
    shared_edges: set[str] | None = None,
) -> list[_Source]:
    """Read and clean every file; unreadable ones are reported in ``report.skipped``.

    Headers and footers found across pages are dropped; ``shared_edges`` (if given) brings in
    those of earlier runs and receives all of them."""
    pages: list[_Source] = []
    records: list[_Source] = []
    seen: set[str] = set()
    by_hash: dict[str, str] = {}
    for name, path in discover(paths):
        try:
            if path.stat().st_size > max_bytes:
                report.skipped.append((name, f"larger than {max_bytes // 1_000_000} MB"))
                continue
            data = path.read_bytes()
        except OSError as exc:
            report.skipped.append((name, f"cannot read: {exc.strerror or exc}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in by_hash:
            report.skipped.append((name, f"same content as {by_hash[digest]}"))
            continue
        by_hash[digest] = name
        if not data.strip():
            report.skipped.append((name, "empty"))
            continue
        try:
            if path.suffix.lower() in PASSAGE_SUFFIXES:
                found = _read_passage_file(name, data, report, plausibility)
            else:
                found = [_read_text_file(name, data, plausibility)]
        except UndecodableError as exc:
            report.skipped.append((name, str(exc)))
            continue
        for src in found:
            if src.document.name in seen:
                report.skipped.append((src.document.name, "duplicate name"))
                continue
            seen.add(src.document.name)
            (records if path.suffix.lower() in PASSAGE_SUFFIXES else pages).append(src)
    shared = _drop_shared_edges(pages, shared_edges or ())
    if shared_edges is not None:
        shared_edges.update(shared)
    return pages + records


def settings_signature(tokenizer: Tokenizer, max_chars: int) -> dict[str, Any]:
    return {"tokenizer": tokenizer.signature, "max_chars": max_chars}


def _previous(
    index_path: Path, signature: dict[str, Any]
) -> tuple[dict[str, str], dict[str, str], str | None]:
    """Hashes of the documents and cached tokens of the old index, and why it can't be reused."""
    if not index_path.exists():
        return {}, {}, None
    if not store.is_docbot_index(index_path):
        raise IndexInvalidError(
            f"{index_path} exists and is not a docbot index; refusing to overwrite it. "
            "Choose another --index or move the file away."
        )
    try:
        db, meta = store.open_store(index_path)
    except IndexInvalidError:
        return {}, {}, "the index was written by another docbot version"
    try:
        if {k: meta.get(k) for k in signature} != signature:
            return {}, {}, "tokenizer or chunking settings changed"
        hashes = {row["name"]: row["hash"] for row in db["documents"].rows}
        rows = db.query(
            "select p.norm, p.tokens, d.title from passages p join documents d on p.doc = d.name"
        )
        tokens = {_cache_key(r["norm"], to_simplified(r["title"])): r["tokens"] for r in rows}
        return hashes, tokens, None
    finally:
        db.close()


def build_index(
    paths: Sequence[str | Path],
    index_path: str | Path,
    tokenizer: Tokenizer,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    extra_meta: dict[str, Any] | None = None,
    progress: Progress | None = None,
    scorer: Callable[[Vocabulary, Counts], SparseBM25] | None = None,
    segmenting: Segmenting | None = None,
) -> BuildReport:
    """Index ``paths`` into ``index_path``; the old index is usable until the new one is whole.

    Documents whose content hash is unchanged reuse their stored segmentation; a change of
    tokenizer or chunking settings rebuilds everything (``report.rebuilt_because`` says why).
    """
    index_path = Path(index_path)
    report = BuildReport()
    shared_edges: set[str] = set()
    sources = read_sources(
        paths, report, plausibility=tokenizer.word_share, shared_edges=shared_edges
    )
    signature = settings_signature(tokenizer, max_chars)
    old_hashes, token_cache, report.rebuilt_because = _previous(index_path, signature)
    for src in sources:
        name, digest = src.document.name, src.hash
        bucket = (
            report.added
            if name not in old_hashes
            else (report.unchanged if old_hashes[name] == digest else report.changed)
        )
        bucket.append(name)
    current = {src.document.name for src in sources}
    report.removed = sorted(set(old_hashes) - current)

    with replacing(index_path) as (tmp, arrays, build_id):
        vocab: dict[str, int] = {}
        counts = CountsBuilder(vocab)
        _write(
            tmp,
            counts,
            sources,
            tokenizer,
            token_cache,
            max_chars,
            progress,
            report,
            segmenting or Segmenting(),
        )
        token_cache.clear()  # as large as the corpus on a re-run, and no longer needed
        release_freed_memory()
        furniture = furniture_words(sources, tokenizer)
        meta = {**signature, **(extra_meta or {}), "built_at": utc_now()}
        if scorer is not None and counts.size:
            scorer(vocab, counts.finish()).save(arrays)
            with contextlib.closing(sqlite_utils.Database(tmp)) as db:
                store.insert_terms(db, vocab)
            meta["arrays"] = build_id
        meta["shared_edges"] = sorted(shared_edges)
        store.set_meta(tmp, {**meta, "furniture_words": furniture})
    return report


@contextlib.contextmanager
def replacing(index_path: Path) -> Iterator[tuple[Path, Path, str]]:
    """A temporary file and weight-table folder (and its build id) for the next version of
    ``index_path``: renamed over it when the block ends, removed if it fails (the old index
    stands). The tables of earlier builds are removed afterwards."""
    tmp = index_path.with_name(f".{index_path.name}.{os.getpid()}.tmp")
    build_id = f"{os.getpid()}-{time.time_ns()}"
    arrays = store.arrays_folder(index_path, build_id)
    try:
        try:
            index_path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_temporaries(index_path)
            tmp.unlink(missing_ok=True)
            yield tmp, arrays, build_id
            os.replace(tmp, index_path)
        except (sqlite3.Error, OSError) as exc:  # disk full, read-only folder ...
            raise IndexWriteError(
                f"Could not write the index {index_path} ({exc}); the previous index is unchanged."
            ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            for leftover in tmp.parent.glob(tmp.name + "*"):  # with its -journal, if any
                leftover.unlink(missing_ok=True)
            shutil.rmtree(arrays, ignore_errors=True)
        raise
    _remove_old_arrays(index_path, keep=arrays)


def _remove_old_arrays(index_path: Path, keep: Path) -> None:
    """Weight tables of earlier builds (a process that has one mapped keeps reading it)."""
    for folder in index_path.parent.glob(f".{index_path.name}.*.arrays"):
        pid = folder.name[len(index_path.name) + 2 :].split("-", 1)[0]
        if folder != keep and not (pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_temporaries(index_path: Path) -> None:
    """Delete half-written index files left by runs that were killed (their process is gone)."""
    for leftover in index_path.parent.glob(f".{index_path.name}.*.tmp*"):
        pid = leftover.name[len(index_path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def furniture_words(sources: list[_Source], tokenizer: Tokenizer) -> list[str]:
    """Words of the page furniture that cleaning took out (copyright, contact, share widgets).

    A question made of these asks about the website, not about the articles.
    """
    words: set[str] = set()
    for src in sources:
        for line in src.removed:
            words.update(t for t in tokenizer.tokenize(line) if not t.startswith("#"))
    return sorted(words)


def _cache_key(norm: str, title_norm: str) -> str:
    """What a passage's tokens are made from: its text and its document's title (context)."""
    return norm + "\n" + title_norm


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(
    tmp: Path,
    counts: CountsBuilder,
    sources: list[_Source],
    tokenizer: Tokenizer,
    token_cache: dict[str, str],
    max_chars: int,
    progress: Progress | None,
    report: BuildReport,
    segmenting: Segmenting,
) -> None:
    """Write documents and passages into the new file and count their terms into ``counts``.

    Passages are segmented in batches, by worker processes when a batch is large enough.
    """
    db = store.create(tmp)
    now = utc_now()
    seq = 0
    batch: list[tuple[_Source, list[dict[str, Any]]]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        missing = list({r["key"] for _, rows in batch for r in rows if r["tokens"] is None})
        found = segmenting.segment(missing, tokenizer)
        documents, passages = [], []
        for src, rows in batch:
            for r in rows:
                key = r.pop("key")
                if r["tokens"] is None:
                    r["tokens"] = found[key]
            documents.append(document_row(src, now, len(rows)))
            passages.extend(rows)
        counts.add(r["tokens"].split(" ") if r["tokens"] else [] for r in passages)
        store.insert_documents(db, documents)  # one statement batch each: far fewer savepoints
        store.insert_passages(db, passages)
        for _ in batch:
            done += 1
            if progress:
                progress(done, len(sources))
        batch.clear()

    try:
        with db.conn:
            pending = 0
            for src in sources:
                rows = list(passage_rows(src, token_cache, max_chars, seq))
                src.paragraphs = []  # in ``rows`` now; a large corpus is not held twice
                seq += len(rows)
                batch.append((src, rows))
                pending += len(rows)
                if pending >= segmenting.batch:
                    flush()
                    pending = 0
            flush()
        report.documents = len(sources)
        report.passages = seq
    except sqlite3.Error:
        db.close()
        raise
    db.close()


def document_row(src: _Source, now: str, passages: int) -> dict[str, Any]:
    doc = src.document
    return {
        "name": doc.name,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "author": doc.author,
        "hash": src.hash,
        "ingested_at": now,
        "passages": passages,
    }


@dataclass(frozen=True)
class Segmenting:
    """How passages are segmented: in this process, or by ``workers`` processes once a batch
    holds at least ``parallel_min`` passages still to segment (jieba is pure Python)."""

    workers: int = os.cpu_count() or 1
    parallel_min: int = 2000
    batch: int = 20_000

    def segment(self, keys: list[str], tokenizer: Tokenizer) -> dict[str, str]:
        if self.workers <= 1 or len(keys) < self.parallel_min:
            return {k: " ".join(tokenizer.tokens_of_normalized(k)) for k in keys}
        with ProcessPoolExecutor(
            self.workers,
            initializer=_start_worker,
            initargs=(tokenizer.settings, tokenizer.cache_dir),
        ) as pool:
            return dict(zip(keys, pool.map(_segment, keys, chunksize=64), strict=True))


_worker_tokenizer: Tokenizer | None = None


def _start_worker(settings: TokenizerSettings, cache_dir: str) -> None:
    global _worker_tokenizer
    _worker_tokenizer = Tokenizer(settings, cache_dir=cache_dir)
    _worker_tokenizer.warm()


def _segment(key: str) -> str:
    assert _worker_tokenizer is not None
    return " ".join(_worker_tokenizer.tokens_of_normalized(key))


def passage_rows(
    src: _Source, token_cache: dict[str, str], max_chars: int, seq: int
) -> Iterable[dict[str, Any]]:
    title_norm = to_simplified(src.document.title)
    for offset, passage in enumerate(chunk(src.document.name, src.paragraphs, max_chars)):
        norm = to_simplified(passage.text)
        key = _cache_key(norm, title_norm)
        yield {
            "id": passage.id,
            "seq": seq + offset,
            "doc": passage.doc,
            "paragraph": passage.paragraph,
            "part": passage.part,
            "text": passage.text,
            "norm": norm,
            "tokens": token_cache.get(key),
            "key": key,
        }
