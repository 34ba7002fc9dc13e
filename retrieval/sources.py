"""Sources -> cleaned documents: what a remembered source (a folder, a file, a web page) holds,
each file read by the reader its format needs, cleaned, shared headers and footers dropped.

A source is identified by its absolute path or URL (:func:`origin_of`); a document by its
source and its path inside it, and named by that path (see ``collection``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cleaning import (
    clean_document,
    clean_line,
    fallback_title,
    find_date,
    find_source,
    find_title,
    footer_start,
    is_author_line,
    is_boilerplate,
    is_meta_line,
    publication_card,
    strip_page_jumps,
)
from .decoding import Plausibility, UndecodableError, decode
from .errors import CorpusError
from .normalization import to_simplified
from .readers import ReadDocument, ReadError, ReadLimits, detect_format, read_document
from .readers import read_isolated as read_in_worker
from .readers.detect import SUFFIX_FORMATS, format_by_name
from .schema import BuildReport, Document, Origin

SUFFIXES = tuple(SUFFIX_FORMATS)  # the extensions a folder scan reads
ISOLATED = ("pdf", "docx", "epub", "html", "markdown")  # read in a bounded worker process
MAX_FILE_BYTES = 20_000_000  # larger files are skipped with a message (an archive, a dump ...)
EDGE = 4  # how many paragraphs at each end of a page can be a shared header/footer
MAX_EDGE_CHARS = 80  # a longer paragraph is text, even if two pages share it
Place = tuple[int | None, str | None]  # (page, section) of a paragraph


@dataclass
class Source:
    """One cleaned document ready to be cut into passages: its paragraphs (with the page and
    section of each, where known), the hash of the bytes it was read from, the lines cleaning
    removed (page furniture), and where it came from."""

    document: Document
    paragraphs: list[str]
    hash: str
    removed: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)  # parallel to paragraphs, or empty
    origin: str | None = None
    path: str | None = None
    size: int | None = None
    mtime: float | None = None


@dataclass
class Entry:
    """One file or page to read: the name its document gets, where it comes from, and (a
    fetched page, or a file a refresh has hashed) its bytes."""

    name: str
    origin: str | None
    path: str
    file: Path | None = None
    url: str | None = None
    size: int | None = None
    mtime: float | None = None
    data: bytes | None = None
    format: str | None = None  # as sniffed by a download; else told from the bytes and path

    @property
    def reader_name(self) -> str:
        """The name the readers tell the format by (a URL's path may have no extension)."""
        return f"page{_SUFFIX_OF[self.format]}" if self.format in _SUFFIX_OF else self.path


_SUFFIX_OF = {
    "html": ".html", "pdf": ".pdf", "docx": ".docx", "epub": ".epub", "markdown": ".md",
    "text": ".txt", "jsonl": ".jsonl",
}  # fmt: skip


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def origin_of(location: str | Path, position: int = 0) -> Origin:
    """The source at ``location``: a folder, a file, or a URL (raises CorpusError if none)."""
    text = str(location)
    if is_url(text):
        return Origin(text, "url", text, position)
    path = Path(location).resolve()
    if path.is_dir():
        return Origin(str(path), "folder", path.name or str(path), position)
    if path.is_file():
        return Origin(str(path), "file", path.name, position)
    raise CorpusError(f"No such file or folder: {location}")


def _is_hidden_or_readme(rel: tuple[str, ...]) -> bool:
    return any(part.startswith(".") for part in rel) or Path(rel[-1]).stem.upper().startswith(
        "README"
    )


def scan(origin: Origin, report: BuildReport, under: str | None = None) -> list[tuple[str, Path]]:
    """(path inside the source, file) of every document a folder or file source holds, in
    path order. Files of formats docbot does not read (``under`` that path, when given) are
    named in ``report.skipped`` with the folder's label."""
    root = Path(origin.key)
    if origin.kind == "file":
        if not root.is_file():
            raise CorpusError(f"No such file: {root}")
        return [(root.name, root)]
    if not root.is_dir():
        raise CorpusError(f"No such folder: {root}")
    found: list[tuple[str, Path]] = []
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root).parts
        if not file.is_file() or _is_hidden_or_readme(rel):
            continue
        if file.suffix.lower() in SUFFIXES:
            found.append(("/".join(rel), file))
        elif under is None or within("/".join(rel), under):
            report.skipped.append((f"{origin.label}/{'/'.join(rel)}", _unsupported(file.suffix)))
    return found


def _unsupported(suffix: str) -> str:
    what = f"{suffix} files are" if suffix else "files without an extension are"
    return f"{what} not supported (supported: {', '.join(SUFFIXES)})"


def within(path: str, under: str) -> bool:
    """Whether ``path`` is ``under`` or inside it (paths inside a source, "/"-separated)."""
    return path == under or path.startswith(under.rstrip("/") + "/")


def stat_of(file: Path) -> tuple[int, float]:
    st = file.stat()
    return st.st_size, st.st_mtime


def read_sources(
    entries: Sequence[Entry],
    report: BuildReport,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    plausibility: Plausibility | None = None,
    shared_edges: set[str] | None = None,
    limits: ReadLimits | None = None,
) -> list[Source]:
    """Read and clean every entry; unreadable ones are named in ``report.skipped``.

    PDF, Word, EPUB and HTML files are read in worker processes (two at a time) bounded by
    ``limits``. Headers and footers found across pages are dropped; ``shared_edges`` (if
    given) brings in those of earlier runs and receives all of them."""
    limits = limits or ReadLimits(max_bytes=max_bytes)
    reader = _Reader(report, limits, plausibility)
    read = _read_all(reader, entries)
    pages: list[Source] = []
    records: list[Source] = []
    seen: set[str] = set()
    by_hash: dict[str, str] = {}
    for entry, (digest, found, problem) in zip(entries, read, strict=True):
        if problem:
            report.skipped.append((entry.name, problem))
            continue
        if digest in by_hash:
            report.skipped.append((entry.name, f"same content as {by_hash[digest]}"))
            continue
        by_hash[digest] = entry.name
        for src in found:
            if src.document.name in seen:
                report.skipped.append((src.document.name, "duplicate name"))
                continue
            seen.add(src.document.name)
            (records if src.document.format == "jsonl" else pages).append(src)
    shared = _drop_shared_edges(pages, shared_edges or ())
    if shared_edges is not None:
        shared_edges.update(shared)
    return pages + records


def _read_all(
    reader: _Reader, entries: Sequence[Entry]
) -> list[tuple[str, list[Source], str | None]]:
    """Each entry read: files for a worker process two at a time (threads that wait on the
    workers), plain text and .jsonl here (our own decoder; the main thread keeps the heap in
    one arena)."""
    isolated = [i for i, e in enumerate(entries) if _needs_worker(e)]
    read: dict[int, tuple[str, list[Source], str | None]] = {}
    if isolated:
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            read.update(
                zip(isolated, pool.map(reader.read, [entries[i] for i in isolated]), strict=True)
            )
    return [read[i] if i in read else reader.read(e) for i, e in enumerate(entries)]


def _needs_worker(entry: Entry) -> bool:
    return (entry.format or format_by_name(entry.path)) in ISOLATED


@dataclass
class _Reader:
    report: BuildReport
    limits: ReadLimits
    plausibility: Plausibility | None

    def read(self, entry: Entry) -> tuple[str, list[Source], str | None]:
        """(hash of the bytes, the documents read, why nothing was read)."""
        try:
            data = entry.data if entry.data is not None else self._bytes(entry)
        except OSError as exc:
            return "", [], f"cannot read: {exc.strerror or exc}"
        except ReadError as exc:
            return "", [], str(exc)
        digest = hashlib.sha256(data).hexdigest()
        if not data.strip():
            return digest, [], "empty"
        try:
            return digest, self._documents(entry, data, digest), None
        except (ReadError, UndecodableError) as exc:
            return digest, [], str(exc)

    def _bytes(self, entry: Entry) -> bytes:
        assert entry.file is not None
        size = entry.file.stat().st_size
        if size > self.limits.max_bytes:
            raise ReadError(f"larger than {self.limits.max_bytes // 1_000_000} MB")
        return entry.file.read_bytes()

    def _documents(self, entry: Entry, data: bytes, digest: str) -> list[Source]:
        kind = detect_format(data, entry.reader_name)
        if kind == "jsonl":
            return _read_passage_file(entry, data, self.report, self.plausibility)
        if kind == "text":
            return [_read_text_file(entry, data, digest, self.plausibility)]
        if kind in ISOLATED:
            doc = read_in_worker(data, entry.reader_name, self.limits, url=entry.url)
        else:
            doc = read_document(data, entry.reader_name, limits=self.limits, url=entry.url)
        return [_from_blocks(entry, doc, digest)]


def _stamp(entry: Entry, src: Source) -> Source:
    src.origin, src.path, src.size, src.mtime = entry.origin, entry.path, entry.size, entry.mtime
    return src


def _read_text_file(
    entry: Entry, data: bytes, digest: str, plausibility: Plausibility | None
) -> Source:
    cleaned = clean_document(decode(data, plausibility))
    title = cleaned.title or Path(entry.path).stem
    doc = Document(entry.name, title, cleaned.date, cleaned.source, cleaned.author, "text")
    body = [p for i, p in enumerate(cleaned.paragraphs) if i not in cleaned.headings]
    if cleaned.card and body:
        body.append(cleaned.card)  # last, so the paragraphs before keep their numbers
    return _stamp(entry, Source(doc, body, digest, cleaned.removed))


def _from_blocks(entry: Entry, read: ReadDocument, digest: str) -> Source:
    """A reader's blocks through the in-line cleaning rules; page furniture (share widgets,
    captions, a copyright block at the end) set aside as in a scraped text page."""
    lines, places = [], []
    for block in read.blocks:
        text = strip_page_jumps(clean_line(block.text))
        if text:
            lines.append(text)
            places.append((block.page, clean_line(block.section or "") or None))
    end = footer_start(lines)
    removed = lines[end:]
    paragraphs: list[str] = []
    kept: list[Place] = []
    for i, (text, place) in enumerate(zip(lines[:end], places[:end], strict=True)):
        if is_boilerplate(text) or (i < 12 and (is_meta_line(text) or is_author_line(text))):
            removed.append(text)
        else:
            paragraphs.append(text)
            kept.append(place)
    title = clean_line(read.title or "")
    if not title and (at := find_title(paragraphs[:6])) is not None and len(paragraphs) > 1:
        title = paragraphs.pop(at)
        kept.pop(at)
    title = title or (fallback_title(paragraphs[0]) if read.format == "html" and paragraphs else "")
    # What the text itself says (发布时间, a dateline; 来源, a byline) before the file's
    # metadata, which is often the day the file was made or a template's.
    head = lines[:12]
    date = find_date(head) or read.date
    source = find_source(head) or read.source
    doc = Document(
        entry.name, title or Path(entry.path).stem or entry.name, date, source,
        read.author, read.format, read.url or entry.url,
    )  # fmt: skip
    card = publication_card(head[:end])
    if card and paragraphs:  # last, so the paragraphs before keep their numbers
        paragraphs.append(card)
        kept.append(places[0])
    return _stamp(entry, Source(doc, paragraphs, digest, removed, kept))


def _read_passage_file(
    entry: Entry, data: bytes, report: BuildReport, plausibility: Plausibility | None
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
            why = 'not a {"id", "title", "text"} object'
            report.skipped.append((f"{entry.name}:{lineno}", why))
            continue
        text = clean_line(text)
        if text:
            digest = hashlib.sha256(line.encode()).hexdigest()
            doc = Document(pid, clean_line(title) or pid, format="jsonl")
            src = Source(doc, [text], digest, origin=entry.origin, path=f"{entry.path}#{pid}")
            src.size, src.mtime = entry.size, entry.mtime
            sources.append(src)
    return sources


def _drop_shared_edges(sources: list[Source], known: Iterable[str] = ()) -> set[str]:
    """A short paragraph repeated at the head or tail of two or more scraped text pages is a
    header or footer; so is one ``known`` from earlier runs. Returns them all (in the
    matching form). Formats with a reader have their furniture removed by it (the same
    article in two formats must not empty both)."""
    sources = [src for src in sources if src.document.format == "text"]
    counts: Counter[str] = Counter()
    for src in sources:
        edges = src.paragraphs[:EDGE] + src.paragraphs[-EDGE:]
        counts.update({to_simplified(p) for p in edges if len(p) <= MAX_EDGE_CHARS})
    shared = {key for key, n in counts.items() if n >= 2} | set(known)
    if not shared:
        return shared
    for src in sources:
        n = len(src.paragraphs)
        keep = [
            not ((i < EDGE or i >= n - EDGE) and to_simplified(p) in shared)
            for i, p in enumerate(src.paragraphs)
        ]
        src.removed.extend(p for p, k in zip(src.paragraphs, keep, strict=True) if not k)
        src.paragraphs = [p for p, k in zip(src.paragraphs, keep, strict=True) if k]
        if src.places:
            src.places = [p for p, k in zip(src.places, keep, strict=True) if k]
    return shared
