"""The data contract: documents, passages and search hits (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    """One source file (or one record of a .jsonl passage file)."""

    name: str
    title: str
    date: str | None = None
    source: str | None = None
    author: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph, or a part of a long one, ready to index.

    ``id`` is stable: ``<document name>#<paragraph>`` plus ``.<part>`` when the paragraph was split.
    ``text`` is the cleaned text in the document's own script.
    """

    id: str
    doc: str
    paragraph: int
    part: int
    text: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a passage, its citation and its BM25 score."""

    passage_id: str
    doc: str
    title: str
    date: str | None
    source: str | None
    paragraph: int
    part: int
    score: float  # the ranking score (BM25, times the answer-type preference when reranked)
    bm25: float  # the plain BM25 score
    text: str
    rank: int
