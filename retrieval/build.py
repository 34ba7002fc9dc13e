"""The write side: build an index from paths, or update one in place of a rebuild.

Both run the same step, :func:`_index_documents`: cut documents into passages, segment them
(reusing stored segmentation where the text is unchanged), write the rows and hand each batch's
tokens on to be counted. A build counts every passage; an update counts only the new ones and
recomputes the weights from the stored counts with array operations
(:meth:`~retrieval.bm25.Counts.changed`): N, the average length and every document frequency
are exact, as if the index had been built from scratch.

After an update, passages keep their numbers except that the last ones move into the places of
removed passages, so ties between equal scores may be ordered differently than after a build.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .bm25 import BM25Settings, Counts, CountsBuilder, release_freed_memory
from .chunking import CHUNKING_VERSION, chunk, split_sentences
from .errors import IndexInvalidError, IndexOutdatedError
from .normalization import to_simplified
from .schema import BuildReport, Origin
from .segmenting import Segmenting
from .sources import Source
from .store import IndexFile, NewVersion, UpdateState
from .tokenization import Tokenizer

Progress = Callable[[int, int], None]
OnTokens = Callable[[Iterator[list[str]]], None]


def write_index(
    index: IndexFile,
    sources: list[Source],
    origins: Sequence[Origin],
    report: BuildReport,
    *,
    tokenizer: Tokenizer,
    bm25: BM25Settings,
    max_chars: int,
    shared_edges: set[str],
    progress: Progress | None = None,
    segmenting: Segmenting | None = None,
) -> BuildReport:
    """Write a whole new version of ``index`` holding ``sources`` (read from ``origins``);
    the old index answers until the new one is whole.

    Documents whose content hash is unchanged reuse their stored segmentation; a change of
    tokenizer or chunking settings rebuilds everything (``report.rebuilt_because`` says why).
    """
    signature = _signature(tokenizer, max_chars)
    hashes, token_cache = _reusable(index, signature, report)
    _compare(sources, hashes, report)
    with index.replacing() as new:
        new.create()
        new.remember_sources(origin_row(o) for o in origins)
        vocab: dict[str, int] = {}
        counts, about = CountsBuilder(vocab), DocumentEntities(tokenizer)
        with new.transaction():
            report.passages = _index_documents(
                new, sources, tokenizer, max_chars, 0, counts.add, about=about,
                token_cache=token_cache, progress=progress, segmenting=segmenting or Segmenting(),
            )  # fmt: skip
        report.documents = len(sources)
        token_cache.clear()  # as large as the corpus on a re-run, and no longer needed
        release_freed_memory()
        if counts.size:
            new.save_table(bm25.weigh(vocab, counts.finish()), vocab)
        new.write_meta(
            {
                **signature,
                "bm25": asdict(bm25),
                "built_at": utc_now(),
                "shared_edges": sorted(shared_edges),
                "furniture_words": furniture_words(sources, tokenizer),
                "entity_words": sorted(tokenizer.entity_words(_words(vocab))),
                "document_entities": _main_entities(about),
            }
        )
    return report


def check_settings(
    index: IndexFile, state: UpdateState, tokenizer: Tokenizer, bm25: BM25Settings, max_chars: int
) -> None:
    """Raise IndexOutdatedError unless ``index`` was built with these settings."""
    wanted = {**_signature(tokenizer, max_chars), "bm25": asdict(bm25)}
    if any(state.meta.get(k) != v for k, v in wanted.items()):
        raise IndexOutdatedError(
            f"{index.path} was built with other tokenizer, chunking or BM25 settings."
        )


@dataclass
class Changes:
    """What an update does: documents to (re)index and to remove, the shared headers and
    footers known after reading the new ones, and sources to remember or forget."""

    coming: list[Source]
    going: list[str]
    shared_edges: set[str]
    remember: list[Origin] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.coming or self.going or self.remember or self.forget)


def _compare(sources: list[Source], hashes: dict[str, str], report: BuildReport) -> None:
    """Sort a build's documents into the report's added / changed / unchanged / removed."""
    classify(sources, hashes, report)
    report.removed = sorted(set(hashes) - {src.document.name for src in sources})


def change_index(
    index: IndexFile,
    state: UpdateState,
    changes: Changes,
    *,
    tokenizer: Tokenizer,
    bm25: BM25Settings,
    max_chars: int,
    segmenting: Segmenting | None = None,
) -> int:
    """Write the next version of ``index`` with ``changes``, reading only the new documents;
    the weights are recomputed from the stored counts, so scores stay exactly those of a full
    build of the same documents. Returns how many passages it has."""
    segmenting = segmenting or Segmenting(workers=1)
    coming, going = changes.coming, changes.going
    slots = index.slots_of(going)
    old_counts = _stored_counts(index, state.meta, state.size)
    remap, moves = _fill_holes(state.size, slots)
    kept = state.size - len(slots)
    with index.replacing() as new:
        new.copy_of(index)
        added: list[list[str]] = []
        about = DocumentEntities(tokenizer)
        with new.transaction():
            new.forget_sources(changes.forget)
            new.remember_sources(origin_row(o) for o in changes.remember)
            new.delete_documents(going)
            new.move_passages(moves)
            _index_documents(
                new, coming, tokenizer, max_chars, kept, added.extend, segmenting=segmenting,
                about=about,
            )  # fmt: skip
            known, rows = new.term_rows({t for doc in added for t in doc})
        furniture = set(state.meta.get("furniture_words", []))
        furniture |= set(furniture_words(coming, tokenizer))
        meta: dict[str, Any] = {"built_at": utc_now(), "arrays": None}
        meta |= {"furniture_words": sorted(furniture), "shared_edges": sorted(changes.shared_edges)}
        entities = set(state.meta.get("entity_words", []))
        entities |= tokenizer.entity_words({t for doc in added for t in doc if t[0] != "#"})
        meta["entity_words"] = sorted(entities)
        documents = dict(state.meta.get("document_entities", {}))
        for name in going:
            documents.pop(name, None)
        meta["document_entities"] = documents | _main_entities(about)
        new.write_meta(meta)
        if kept + len(added):
            vocab = dict(known)  # the rows of the terms the new passages use
            new_counts = Counts.of(added, vocab, rows=rows)
            counts = old_counts.changed(remap, new_counts) if old_counts else new_counts
            new.save_table(bm25.weigh(vocab, counts), {t: r for t, r in vocab.items() if r >= rows})
    return kept + len(added)


def classify(sources: list[Source], hashes: dict[str, str], report: BuildReport) -> list[Source]:
    """Sort ``sources`` into the report's unchanged / changed / added by the stored
    ``hashes``; return the sources to (re)index."""
    coming = []
    for src in sources:
        name = src.document.name
        if hashes.get(name) == src.hash:
            report.unchanged.append(name)
            continue
        (report.changed if name in hashes else report.added).append(name)
        coming.append(src)
    return coming


def _fill_holes(size: int, slots: list[int]) -> tuple[np.ndarray[Any, Any], list[tuple[int, int]]]:
    """Old passage -> new passage (-1 for the removed ``slots``), the last kept passages
    moving into the places of removed ones, and those moves as (old, new) pairs."""
    kept = size - len(slots)
    remap = np.arange(size, dtype=np.int64)
    remap[slots] = -1
    holes = [s for s in slots if s < kept]
    tail = [s for s in range(kept, size) if remap[s] >= 0]
    remap[tail] = holes
    return remap, list(zip(tail, holes, strict=True))


def _stored_counts(index: IndexFile, meta: dict[str, Any], size: int) -> Counts | None:
    """The term counts of the current index: from its weight table, or (a table written
    before counts were kept) counted again from the stored tokens."""
    if size == 0:
        return None
    table = index.load_table(meta, size)
    counts = table.counts() if table is not None else None
    if counts is not None:
        return counts
    vocab = index.vocabulary()
    corpus = [p.tokens for p in index.read_passages()]
    before = len(vocab)
    counts = Counts.of(corpus, vocab)
    if before and len(vocab) != before:
        raise IndexInvalidError(f"{index.path} is inconsistent; rebuild it.")
    return counts


def _index_documents(
    new: NewVersion,
    sources: list[Source],
    tokenizer: Tokenizer,
    max_chars: int,
    first: int,
    on_tokens: OnTokens,
    *,
    segmenting: Segmenting,
    token_cache: dict[str, str] | None = None,
    progress: Progress | None = None,
    about: DocumentEntities | None = None,
) -> int:
    """Cut ``sources`` into passages numbered from ``first``, segment them in batches (by
    worker processes when a batch is large), write them and pass each batch's tokens to
    ``on_tokens``; count in ``about`` the passages of each document that name each place or
    organisation. Returns the number of the next passage."""
    now, seq, done = utc_now(), first, 0
    batch: list[tuple[Source, list[dict[str, Any]]]] = []
    pending = 0
    for src in sources:
        rows = list(_passage_rows(src, token_cache or {}, max_chars, seq))
        src.paragraphs = []  # in ``rows`` now; a large corpus is not held twice
        seq += len(rows)
        batch.append((src, rows))
        pending += len(rows)
        if pending >= segmenting.batch or src is sources[-1]:
            on_tokens(_write_batch(new, batch, tokenizer, segmenting, now, about))
            for _ in batch:  # one tick a document
                done += 1
                if progress:
                    progress(done, len(sources))
            batch, pending = [], 0
    return seq


def _write_batch(
    new: NewVersion,
    batch: list[tuple[Source, list[dict[str, Any]]]],
    tokenizer: Tokenizer,
    segmenting: Segmenting,
    now: str,
    about: DocumentEntities | None = None,
) -> Iterator[list[str]]:
    """Segment the passages of ``batch`` that have no stored tokens, write documents and
    passages (one statement batch each: far fewer savepoints), return the passages' tokens."""
    missing = list(
        dict.fromkeys(r["key"] for _, rows in batch for r in rows if r["tokens"] is None)
    )
    found = segmenting.segment(missing, tokenizer)
    documents, passages = [], []
    for src, rows in batch:
        for r in rows:
            key = r.pop("key")
            if r["tokens"] is None:
                r["tokens"] = found[key]
        documents.append(_document_row(src, now, len(rows)))
        passages.extend(rows)
    new.insert_documents(documents)
    new.insert_passages(passages)
    return _tokens_of(passages, tokenizer, about)


def _tokens_of(
    passages: list[dict[str, Any]], tokenizer: Tokenizer, about: DocumentEntities | None
) -> Iterator[list[str]]:
    """Each passage's tokens, one at a time (a batch's tokens are never all held at once),
    counting in ``about`` the places and organisations each document names, once a paragraph
    (a later part's tokens hold its paragraph's opening too)."""
    paragraph: tuple[str, int] | None = None
    named: set[str] = set()
    for row in passages:
        words = row["tokens"].split(" ") if row["tokens"] else []
        if about is not None:
            if (row["doc"], row["paragraph"]) != paragraph:
                paragraph, named = (row["doc"], row["paragraph"]), set()
            found = about.entities_of(words) - named
            named |= found
            about[row["doc"]].update(found)
        yield words


def _passage_rows(
    src: Source, token_cache: dict[str, str], max_chars: int, seq: int
) -> Iterable[dict[str, Any]]:
    title_norm = to_simplified(src.document.title)
    first = ""  # the current paragraph's first part
    for offset, passage in enumerate(chunk(src.document.name, src.paragraphs, max_chars)):
        norm = to_simplified(passage.text)
        first = norm if passage.part == 1 else first
        key = _context_key(norm, title_norm, passage.part, first)
        page, section = src.places[passage.paragraph - 1] if src.places else (None, None)
        yield {
            "id": passage.id,
            "seq": seq + offset,
            "doc": passage.doc,
            "paragraph": passage.paragraph,
            "part": passage.part,
            "text": passage.text,
            "norm": norm,
            "tokens": token_cache.get(key),
            "page": page,
            "section": section,
            "key": key,
        }


def _document_row(src: Source, now: str, passages: int) -> dict[str, Any]:
    doc = src.document
    return {
        "name": doc.name,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "author": doc.author,
        "format": doc.format,
        "url": doc.url,
        "origin": src.origin,
        "path": src.path,
        "size": src.size,
        "mtime": src.mtime,
        "hash": src.hash,
        "ingested_at": now,
        "passages": passages,
    }


def origin_row(origin: Origin) -> dict[str, Any]:
    return {
        "key": origin.key, "kind": origin.kind, "location": origin.location,
        "label": origin.label, "position": origin.position, "added_at": utc_now(),
        "etag": origin.etag, "last_modified": origin.last_modified,
        "excluded": json.dumps(list(origin.excluded), ensure_ascii=False),
    }  # fmt: skip


def _signature(tokenizer: Tokenizer, max_chars: int) -> dict[str, Any]:
    """The settings an index's passages and tokens depend on."""
    return {"tokenizer": tokenizer.signature, "max_chars": max_chars, "chunking": CHUNKING_VERSION}


def _reusable(
    index: IndexFile, signature: dict[str, Any], report: BuildReport
) -> tuple[dict[str, str], dict[str, str]]:
    """The old index's document hashes and its stored tokens by what they were made from;
    nothing when its settings differ (``report.rebuilt_because`` then says why)."""
    previous = index.previous()
    if previous is None:
        return {}, {}
    reason = previous.rebuild_because
    if reason is None and any(previous.meta.get(k) != v for k, v in signature.items()):
        reason = "tokenizer or chunking settings changed"
    report.rebuilt_because = report.rebuilt_because or reason  # (a BM25 change keeps tokens)
    if reason:
        return {}, {}
    tokens, first = {}, ""
    for norm, toks, title, part in previous.rows:  # (a later part's key holds its opening)
        first = norm if part == 1 else first
        tokens[_context_key(norm, to_simplified(title), part, first)] = toks
    return previous.hashes, tokens


def furniture_words(sources: list[Source], tokenizer: Tokenizer) -> list[str]:
    """Words of the page furniture that cleaning took out (copyright, contact, share widgets).

    A question made of these asks about the website, not about the articles.
    """
    words: set[str] = set()
    for src in sources:
        for line in src.removed:
            words.update(t for t in tokenizer.tokenize(line) if not t.startswith("#"))
    return sorted(words)


class DocumentEntities(defaultdict[str, Counter[str]]):
    """Document -> place or organisation -> how many of its passages name it. Tokens are
    classified once each, with set operations per passage (a build sees every token)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        super().__init__(Counter)
        self._tokenizer = tokenizer
        # Load the tagged dictionary now, not inside a batch: importing jieba leaves cyclic
        # garbage (pkg_resources' caught exceptions) that holds the frames below it, and a
        # batch's rows with them until the next collection (+60 MB at 20k passages).
        tokenizer.is_entity("北京市")
        self._seen: set[str] = set()
        self._entities: set[str] = set()

    def entities_of(self, words: list[str]) -> set[str]:
        distinct = set(words)
        new = distinct - self._seen
        if new:
            self._seen |= new
            is_entity = self._tokenizer.is_entity
            self._entities |= {w for w in new if w[0] != "#" and is_entity(w)}
        return distinct & self._entities


MAIN_ENTITY_PASSAGES = 2  # a document is about a place it names in at least this many paragraphs


def _main_entities(about: DocumentEntities) -> dict[str, list[str]]:
    """Each document's places and organisations: those its title or several passages name
    (every passage's tokens include its document's title)."""
    return {
        doc: sorted(w for w, n in counts.items() if n >= MAIN_ENTITY_PASSAGES)
        for doc, counts in about.items()
    }


def _words(vocab: Iterable[str]) -> Iterable[str]:
    """The words of a vocabulary (Han bigrams left out)."""
    return (t for t in vocab if not t.startswith("#"))


def _context_key(norm: str, title_norm: str, part: int, first: str) -> str:
    """What a passage's tokens are made from: its text and its document's title (context),
    and, for a later part of a long paragraph that goes on with a numbered item (二要…, 三是…,
    第四…), the opening sentence of the paragraph's ``first`` part, which says whose list it
    is (read only then)."""
    listed = part > 1 and _ITEM.match(norm) is not None
    context = f"{title_norm}\n{_opening(first)}" if listed else title_norm
    return norm + "\n" + context


# A numbered item starting a text: 二要, 三是, 第四, （五）, 2.
_ITEM = re.compile(
    r"[一二三四五六七八九十]{1,2}[是要]|第[一二三四五六七八九十]{1,2}|[（(][一二三四五六七八九十\d]{1,2}[）)]|\d{1,2}[.、]"
)


OPENING_MAX_CHARS = 80


def _opening(norm: str) -> str:
    """A paragraph's opening sentence (李希强调，要切实加强组织领导…。), which says whose list
    its later parts go on with: they are matched with it, as with their document's title."""
    sentences = split_sentences(norm)
    return sentences[0][:OPENING_MAX_CHARS] if sentences else ""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
