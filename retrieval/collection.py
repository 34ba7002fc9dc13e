"""The collection an index holds: the sources it remembers (folders, files, web pages) and
their documents.

    from retrieval import index_sources, remove_from_index, list_documents
    index_sources("data/docbot.db", ["reports/", "https://example.org/notice.html"])
    index_sources("data/docbot.db")                # refresh every remembered source
    remove_from_index("data/docbot.db", ["reports/old.pdf"])

Indexing paths adds those sources, or refreshes them if remembered, and keeps every other
document; a path inside a remembered folder refreshes just that file. A refresh lists each
source again: a file whose size and modification time are those stored is not read at all,
one whose bytes hash as before is unchanged, a web page is fetched conditionally (ETag,
Last-Modified); files gone from a folder are removed. Changes go through the update path
(:func:`~retrieval.build.change_index`), which reads and segments only what changed. A
document is identified by its source and its path inside it, and named by that path; where
another source already has that name, by ``<source label>/<path>``. Names never change once
given. A file that cannot be read is skipped with its reason and its indexed version, if any,
stays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .bm25 import BM25Settings
from .build import Changes, Progress, change_index, check_settings, classify, write_index
from .chunking import DEFAULT_MAX_CHARS
from .errors import CorpusError, IndexMissingError, IndexOutdatedError
from .readers import ReadLimits
from .readers.web import FetchError, FetchSettings, NotModified, fetch_url
from .schema import BuildReport, DocumentInfo, Origin
from .segmenting import Segmenting
from .sources import Entry, Source, is_url, origin_of, read_sources, scan, stat_of, within
from .store import IndexFile, UpdateState
from .tokenization import Tokenizer


@dataclass
class _Job:
    """One indexing run: the index and the settings it is read and written with."""

    index: IndexFile
    tokenizer: Tokenizer
    bm25: BM25Settings
    max_chars: int
    progress: Progress | None
    segmenting: Segmenting | None
    limits: ReadLimits
    fetch: FetchSettings

    def read(self, entries: list[Entry], report: BuildReport, shared: set[str]) -> list[Source]:
        plausibility = self.tokenizer.word_share
        return read_sources(
            entries, report, plausibility=plausibility, shared_edges=shared, limits=self.limits
        )

    def write(self, sources: list[Source], origins: Sequence[Origin], report: BuildReport,
              shared: set[str]) -> BuildReport:  # fmt: skip
        return write_index(
            self.index, sources, origins, report, tokenizer=self.tokenizer, bm25=self.bm25,
            max_chars=self.max_chars, shared_edges=shared, progress=self.progress,
            segmenting=self.segmenting,
        )  # fmt: skip

    def change(self, state: UpdateState, changes: Changes) -> int:
        return change_index(
            self.index, state, changes, tokenizer=self.tokenizer, bm25=self.bm25,
            max_chars=self.max_chars, segmenting=self.segmenting,
        )  # fmt: skip


def _job(
    index_path: str | Path,
    tokenizer: Tokenizer | None,
    bm25: BM25Settings | None,
    max_chars: int,
    progress: Progress | None,
    segmenting: Segmenting | None,
    limits: ReadLimits | None,
    fetch: FetchSettings | None,
) -> _Job:
    return _Job(
        IndexFile(index_path), tokenizer or Tokenizer(), bm25 or BM25Settings(), max_chars,
        progress, segmenting, limits or ReadLimits(), fetch or FetchSettings(),
    )  # fmt: skip


def build_index(
    paths: Sequence[str | Path],
    index_path: str | Path,
    *,
    tokenizer: Tokenizer | None = None,
    bm25: BM25Settings | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: Progress | None = None,
    segmenting: Segmenting | None = None,
    limits: ReadLimits | None = None,
    fetch: FetchSettings | None = None,
) -> BuildReport:
    """Index exactly ``paths`` (folders, files, URLs) into ``index_path``, a new index that
    remembers them as its sources; the old index answers until the new one is whole.
    Documents whose content is unchanged reuse their stored segmentation."""
    job = _job(index_path, tokenizer, bm25, max_chars, progress, segmenting, limits, fetch)
    return _build(job, paths, BuildReport())


def index_sources(
    index_path: str | Path,
    paths: Sequence[str | Path] = (),
    *,
    rebuild: bool = False,
    default: Sequence[str | Path] = (),
    remove: Sequence[str] = (),
    tokenizer: Tokenizer | None = None,
    bm25: BM25Settings | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    progress: Progress | None = None,
    segmenting: Segmenting | None = None,
    limits: ReadLimits | None = None,
    fetch: FetchSettings | None = None,
) -> BuildReport:
    """Add or refresh the sources ``paths`` (every remembered source when there are none),
    keeping every other document; remove the documents named in ``remove``.

    With no index yet (or ``rebuild``, or an index of another version or other settings) a
    whole index is built from the remembered sources and ``paths``, or from ``default``
    when there are neither; an index of an older version, which remembers no sources, is
    rebuilt from ``default`` and ``paths``."""
    job = _job(index_path, tokenizer, bm25, max_chars, progress, segmenting, limits, fetch)
    report = BuildReport()
    current = _current(job, report)
    if current is None or rebuild or current.settings_changed:
        remembered = [o.key for o in current.origins if _there(o, report)] if current else []
        if current is None and report.rebuilt_because:  # an older index: it held the default
            remembered = [_key(p) for p in default]
        targets = list(dict.fromkeys([*remembered, *map(_key, paths)])) or list(map(str, default))
        return _build(job, targets, report)
    return _refresh(job, current, paths, remove, report)


def update_index(
    index_path: str | Path,
    *,
    add: Sequence[str | Path] = (),
    remove: Sequence[str] = (),
    tokenizer: Tokenizer | None = None,
    bm25: BM25Settings | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    segmenting: Segmenting | None = None,
    limits: ReadLimits | None = None,
) -> BuildReport:
    """Add or refresh the sources ``add`` and remove the documents named in ``remove`` in an
    existing index, reading only those; the same as :func:`index_sources` with paths, except
    that the index must exist and be of this version and these settings."""
    job = _job(index_path, tokenizer, bm25, max_chars, None, segmenting, limits, None)
    current = _Current.read(job.index)
    check_settings(job.index, current.state, job.tokenizer, job.bm25, job.max_chars)
    return _refresh(job, current, add, remove, BuildReport())


def remove_from_index(
    index_path: str | Path,
    what: Sequence[str],
    *,
    tokenizer: Tokenizer | None = None,
    bm25: BM25Settings | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> BuildReport:
    """Forget documents or whole sources: each of ``what`` is a document's name, a
    remembered source (its path, URL or label) or a file inside a remembered folder. A file
    removed from a folder that still holds it is not read again by later refreshes (until it
    is indexed by name again)."""
    job = _job(index_path, tokenizer, bm25, max_chars, None, None, None, None)
    current = _Current.read(job.index)
    report = BuildReport()
    changes = Changes([], [], set(current.state.meta.get("shared_edges", [])))
    for item in what:
        if not _forget(current, item, changes):
            report.skipped.append((item, "not in the index"))
    report.removed = changes.going
    return _apply(job, current, changes, report)


def list_documents(index_path: str | Path) -> tuple[list[Origin], list[DocumentInfo]]:
    """The sources an index remembers and its documents (title, date, format, passages ...)."""
    index = IndexFile(index_path)
    if not index.exists():
        raise IndexMissingError(f"No index at {index.path}.")
    return index.catalog()


# --- what is there ------------------------------------------------------------------------


@dataclass
class _Current:
    origins: list[Origin]
    documents: list[DocumentInfo]
    state: UpdateState
    settings_changed: bool = False  # built with other settings: rebuilt from its sources

    @classmethod
    def read(cls, index: IndexFile) -> _Current:
        """The sources, documents and update state of ``index``, which must exist."""
        if not index.exists():
            raise IndexMissingError(f"No index at {index.path}.")
        origins, documents = index.catalog()
        return cls(origins, documents, index.update_state())

    def of(self, key: str) -> list[DocumentInfo]:
        return [d for d in self.documents if d.origin == key]


def _current(job: _Job, report: BuildReport) -> _Current | None:
    """The index as a refresh finds it; None (and why, in ``report``) when it must be built."""
    if not job.index.exists():
        return None
    try:
        current = _Current.read(job.index)
    except IndexOutdatedError:
        report.rebuilt_because = "the index was written by another docbot version"
        return None
    try:
        check_settings(job.index, current.state, job.tokenizer, job.bm25, job.max_chars)
    except IndexOutdatedError:
        report.rebuilt_because = "tokenizer, chunking or BM25 settings changed"
        current.settings_changed = True  # its sources are still what to rebuild from
    return current if current.origins else None


def _there(origin: Origin, report: BuildReport) -> bool:
    """Whether a remembered source can be read again (a web page is tried when fetched)."""
    if origin.kind == "url" or Path(origin.key).exists():
        return True
    report.skipped.append((origin.label, f"no longer at {origin.key}; left out of the rebuild"))
    return False


def _key(path: str | Path) -> str:
    return str(path) if is_url(str(path)) else str(Path(path).resolve())


class _Names:
    """Document names: kept once given; new ones by their path, or ``label/path`` if taken."""

    def __init__(self, documents: Iterable[DocumentInfo]) -> None:
        documents = list(documents)
        self._given = {(d.origin, d.path): d.name for d in documents}
        self._taken = {d.name for d in documents}

    def name(self, origin: Origin, path: str) -> str:
        if (origin.key, path) in self._given:
            return self._given[(origin.key, path)]
        name = path if origin.kind != "url" else origin.key
        if name in self._taken:
            folder = origin.label if origin.kind == "folder" else Path(origin.key).parent.name
            name = f"{folder}/{path}"
        base, n = name, 2
        while name in self._taken:
            name, n = f"{base} ({n})", n + 1
        self._taken.add(name)
        self._given[(origin.key, path)] = name
        return name


def _unique_label(origin: Origin, origins: Sequence[Origin]) -> Origin:
    labels = {o.label for o in origins}
    label, n = origin.label, 2
    while label in labels:
        label, n = f"{origin.label}-{n}", n + 1
    return dataclasses.replace(origin, label=label, position=len(origins))


# --- building and refreshing --------------------------------------------------------------


def _build(job: _Job, paths: Sequence[str | Path], report: BuildReport) -> BuildReport:
    origins: list[Origin] = []
    for path in dict.fromkeys(map(_key, paths)):
        origins.append(_unique_label(origin_of(path), origins))
    names, entries = _Names(()), []
    for i, origin in enumerate(origins):
        found, _, origins[i] = _entries(job, origin, None, {}, names, report)
        entries.extend(found)
    shared: set[str] = set()
    return job.write(job.read(entries, report, shared), origins, report, shared)


@dataclass
class _Listing:
    """What refreshing one source found."""

    entries: list[Entry] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # document names
    gone: list[str] = field(default_factory=list)  # document names


def _refresh(
    job: _Job,
    current: _Current,
    paths: Sequence[str | Path],
    remove: Sequence[str],
    report: BuildReport,
) -> BuildReport:
    origins = list(current.origins)
    changes = Changes([], [], set(current.state.meta.get("shared_edges", [])))
    targets = _targets(current, paths, changes) if paths else [(o, None) for o in origins]
    names, listing = _Names(current.documents), _Listing()
    for origin, under in targets:
        known = {d.path or "": d for d in current.of(origin.key)}
        entries, unchanged, fetched = _entries(job, origin, under, known, names, report)
        listing.entries.extend(entries)
        listing.unchanged.extend(unchanged)
        listing.gone.extend(_gone(origin, under, known, entries, unchanged))
        if fetched != origin:
            changes.remember.append(fetched)
        elif origin.kind == "url" and not entries and not known:  # a new page that failed
            changes.remember = [o for o in changes.remember if o.key != origin.key]
    for item in remove:
        if not _forget(current, item, changes):
            report.skipped.append((item, "not in the index"))
    sources = job.read(listing.entries, report, changes.shared_edges)
    hashes = {d.name: d.hash for d in current.documents}
    changes.coming = classify(sources, hashes, report)
    report.unchanged.extend(listing.unchanged)
    report.removed = sorted({*changes.going, *listing.gone})
    changes.going = sorted({*report.changed, *report.removed})
    _drop_vanished_records(current, listing.entries, sources, changes, report)
    return _apply(job, current, changes, report)


def _apply(job: _Job, current: _Current, changes: Changes, report: BuildReport) -> BuildReport:
    state = current.state
    report.documents = len(current.documents) - len(report.removed) + len(report.added)
    if not changes:
        report.passages = state.size
        return report
    report.passages = job.change(state, changes)
    return report


def _targets(
    current: _Current, paths: Sequence[str | Path], changes: Changes
) -> list[tuple[Origin, str | None]]:
    """The sources ``paths`` name: (a remembered or new source, the path inside it to
    refresh, or None for all of it). New sources are added to ``changes.remember``."""
    origins = list(current.origins)
    targets: list[tuple[Origin, str | None]] = []
    for path in paths:
        key = _key(path)
        inside = _inside(origins, key)
        if inside is None:
            origin = _unique_label(origin_of(path), origins)
            origins.append(origin)
            changes.remember.append(origin)
            inside = (origin, None)
        elif inside[1] in inside[0].excluded:  # asked for again: no longer excluded
            excluded = tuple(p for p in inside[0].excluded if p != inside[1])
            changes.remember.append(dataclasses.replace(inside[0], excluded=excluded))
        targets.append(inside)
    return targets


def _inside(origins: Sequence[Origin], key: str) -> tuple[Origin, str | None] | None:
    """The remembered source ``key`` is, or the folder it lies in (with its path there)."""
    for origin in origins:
        if origin.key == key:
            return origin, None
        if origin.kind == "folder" and key.startswith(origin.key.rstrip("/") + "/"):
            return origin, Path(key).relative_to(origin.key).as_posix()
    return None


def _entries(
    job: _Job,
    origin: Origin,
    under: str | None,
    known: dict[str, DocumentInfo],
    names: _Names,
    report: BuildReport,
) -> tuple[list[Entry], list[str], Origin]:
    """The files of ``origin`` (only ``under``, when given) to read, the names of those
    unchanged since they were indexed (same size and time), and the origin (a web page's
    new ETag)."""
    if origin.kind == "url":
        return _page(job, origin, known, names, report)
    entries: list[Entry] = []
    unchanged: list[str] = []
    try:
        files = scan(origin, report, under)
    except CorpusError as exc:  # a remembered folder or file that is gone (moved, unmounted)
        report.skipped.append((origin.label, f"{exc}; its documents are kept until removed"))
        return [], [d.name for d in known.values()], origin
    for path, file in files:
        if (under is not None and not within(path, under)) or (
            under is None and path in origin.excluded
        ):
            continue
        size, mtime = stat_of(file)
        stored = _stored(known, path)
        if stored and all(d.size == size and d.mtime == mtime for d in stored):
            unchanged.extend(d.name for d in stored)
            continue
        name = names.name(origin, path)
        entries.append(Entry(name, origin.key, path, file, size=size, mtime=mtime))
    return entries, unchanged, origin


def _stored(known: dict[str, DocumentInfo], path: str) -> list[DocumentInfo]:
    """The documents read from the file ``path`` (one, or the records of a .jsonl file)."""
    if path in known:
        return [known[path]]
    return [d for p, d in known.items() if p.startswith(path + "#")]


def _page(
    job: _Job, origin: Origin, known: dict[str, DocumentInfo], names: _Names, report: BuildReport
) -> tuple[list[Entry], list[str], Origin]:
    stored = known.get(origin.key)
    etag, modified = (origin.etag, origin.last_modified) if stored else (None, None)
    try:
        page = fetch_url(origin.key, settings=job.fetch, etag=etag, last_modified=modified)
    except FetchError as exc:
        report.skipped.append((origin.key, str(exc).removeprefix(f"{origin.key}: ")))
        return [], [stored.name] if stored else [], origin
    if isinstance(page, NotModified):
        return [], [stored.name] if stored else [], origin
    entry = Entry(names.name(origin, origin.key), origin.key, origin.key, url=page.final_url,
                  data=page.content, format=page.format)  # fmt: skip
    fetched = dataclasses.replace(origin, etag=page.etag, last_modified=page.last_modified)
    return [entry], [], fetched


def _gone(
    origin: Origin,
    under: str | None,
    known: dict[str, DocumentInfo],
    entries: list[Entry],
    unchanged: list[str],
) -> list[str]:
    """Documents of ``origin`` (under ``under``) whose file is no longer there."""
    if origin.kind == "url":
        return []
    present = {e.path for e in entries}
    kept = set(unchanged)
    gone = []
    for path, doc in known.items():
        file_path = path.split("#", 1)[0] if doc.format == "jsonl" else path
        if under is not None and not within(file_path, under):
            continue
        if file_path not in present and doc.name not in kept:
            gone.append(doc.name)
    return gone


def _drop_vanished_records(
    current: _Current,
    entries: list[Entry],
    sources: list[Source],
    changes: Changes,
    report: BuildReport,
) -> None:
    """Records of a re-read .jsonl file that it no longer holds are removed."""
    reread = {(e.origin, e.path) for e in entries}
    found = {s.document.name for s in sources}
    read_ok = {(s.origin, (s.path or "").split("#", 1)[0]) for s in sources}
    for doc in current.documents:
        if doc.format != "jsonl" or doc.path is None:
            continue
        file_key = (doc.origin, doc.path.split("#", 1)[0])
        if file_key in reread and file_key in read_ok and doc.name not in found:
            changes.going.append(doc.name)
            report.removed.append(doc.name)


def _forget(current: _Current, item: str, changes: Changes) -> bool:
    """Add to ``changes`` the removal ``item`` names; False when it names nothing."""
    names = {d.name: d for d in current.documents}
    if item in names:
        doc = names[item]
        changes.going.append(item)
        origin = next((o for o in current.origins if o.key == doc.origin), None)
        if origin is not None and origin.kind == "folder" and doc.path:
            _exclude(changes, origin, doc.path.split("#", 1)[0])
        elif origin is not None and len(current.of(origin.key)) == 1:
            changes.forget.append(origin.key)
        return True
    key = item if is_url(item) else _key(item)
    for origin in current.origins:
        if key == origin.key or item == origin.label:
            changes.going.extend(d.name for d in current.of(origin.key))
            changes.forget.append(origin.key)
            return True
    inside = _inside(current.origins, key)
    if inside is not None and inside[1] is not None:
        docs = [d for d in current.of(inside[0].key) if d.path and within(d.path, inside[1])]
        for doc in docs:
            _forget(current, doc.name, changes)
        return bool(docs)
    return False


def _exclude(changes: Changes, origin: Origin, path: str) -> None:
    """Remember that ``path`` in the folder ``origin`` was removed on request."""
    latest = next((o for o in changes.remember if o.key == origin.key), origin)
    changes.remember = [o for o in changes.remember if o.key != origin.key]
    excluded = tuple(dict.fromkeys((*latest.excluded, path)))
    changes.remember.append(dataclasses.replace(latest, excluded=excluded))
