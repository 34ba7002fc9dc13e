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
    format: str | None = None  # "pdf", "docx", "epub", "html", "markdown", "text", "jsonl"
    url: str | None = None  # where a web page was fetched from


@dataclass(frozen=True, slots=True)
class Origin:
    """A source the index remembers: a folder, a file or a web page. Refreshing the index
    reads its sources again; ``key`` identifies it (the absolute path, or the URL)."""

    key: str
    kind: str  # "folder", "file" or "url"
    label: str  # short and unique among the sources: a folder's or file's name, or the URL
    position: int = 0  # the order the sources were first remembered in
    etag: str | None = None  # what a web server said of the page last time
    last_modified: str | None = None
    excluded: tuple[str, ...] = ()  # paths inside a folder removed on request: not re-read

    @property
    def location(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One indexed document as a listing shows it, and what a refresh compares."""

    name: str
    title: str
    date: str | None
    format: str | None
    passages: int
    origin: str | None  # the key of the remembered source it came from
    path: str | None  # its path inside that source
    url: str | None
    size: int | None
    mtime: float | None
    hash: str


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
    page: int | None = None  # 1-based, PDFs only
    section: str | None = None  # the heading the passage sits under, where the format has one
    url: str | None = None  # the web page the document was fetched from


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
    what an answer must be about: the places, organisations, posts and years it names;
    ``wording`` the text in the matching form and standard wording (咩 -> 什么, 细咗 -> 小了).
    """

    text: str
    wording: str
    tokens: tuple[str, ...]
    known: tuple[str, ...]
    unknown: tuple[str, ...]
    answer: AnswerType | None = None
    tags: tuple[tuple[str, str], ...] | None = None
    constraints: tuple[str, ...] = ()
