"""Paths -> cleaned documents: discover files, decode, read, clean, drop shared headers/footers."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cleaning import clean_document, clean_line
from .decoding import Plausibility, UndecodableError, decode
from .errors import CorpusError
from .normalization import to_simplified
from .schema import BuildReport, Document

TEXT_SUFFIXES = (".txt", ".md")
PASSAGE_SUFFIXES = (".jsonl",)
MAX_FILE_BYTES = 20_000_000  # larger files are skipped with a message (an archive, a dump ...)
EDGE = 4  # how many paragraphs at each end of a page can be a shared header/footer


@dataclass
class Source:
    """One cleaned document ready to be cut into passages: its paragraphs, the hash of the
    bytes it was read from, and the lines cleaning removed (page furniture)."""

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


def _read_text_file(name: str, data: bytes, plausibility: Plausibility | None) -> Source:
    cleaned = clean_document(decode(data, plausibility))
    doc = Document(name, cleaned.title or name, cleaned.date, cleaned.source, cleaned.author)
    body = [p for i, p in enumerate(cleaned.paragraphs) if i not in cleaned.headings]
    return Source(doc, body, hashlib.sha256(data).hexdigest(), cleaned.removed)


def _read_passage_file(
    name: str, data: bytes, report: BuildReport, plausibility: Plausibility | None
) -> list[Source]:
    sources: list[Source] = []
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
            sources.append(Source(Document(pid, clean_line(title) or pid), [text], digest))
    return sources


def _drop_shared_edges(sources: list[Source], known: Iterable[str] = ()) -> set[str]:
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
) -> list[Source]:
    """Read and clean every file; unreadable ones are reported in ``report.skipped``.

    Headers and footers found across pages are dropped; ``shared_edges`` (if given) brings in
    those of earlier runs and receives all of them."""
    pages: list[Source] = []
    records: list[Source] = []
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
