"""The data contract: documents, passages and search hits (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .answer_type import AnswerType


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


@dataclass(frozen=True)
class Question:
    """A question as an index sees it, analyzed once (see ``Retriever.analyze``).

    ``tokens`` are the matching tokens (Han bigrams start with "#"); ``known`` and ``unknown``
    its words the corpus has and lacks; ``answer`` the kind of answer it asks for; ``tags``
    (word, part-of-speech flag) pairs, or None when no judgement needed them; ``constraints``
    what an answer must be about: the places, organisations, posts and years it names.
    """

    text: str
    tokens: tuple[str, ...]
    known: tuple[str, ...]
    unknown: tuple[str, ...]
    answer: AnswerType | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    constraints: tuple[str, ...] = ()
