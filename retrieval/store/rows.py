"""Reading passages and terms back from an index file, on demand."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from retrieval.bm25 import Vocabulary

_SELECT = "select id, doc, paragraph, part, text, norm, tokens, page, section from passages"


@dataclass(frozen=True)
class StoredPassage:
    """A passage row as the index reads it back."""

    id: str
    doc: str
    paragraph: int
    part: int
    text: str
    norm: str
    tokens: list[str]
    page: int | None = None
    section: str | None = None


class LazyPassages(Sequence[StoredPassage]):
    """The passages of an index file, read on demand (a hit's text, not the whole corpus)."""

    def __init__(self, conn: sqlite3.Connection, count: int) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, i: int) -> StoredPassage: ...
    @overload
    def __getitem__(self, i: slice) -> list[StoredPassage]: ...
    def __getitem__(self, i: int | slice) -> StoredPassage | list[StoredPassage]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._count))]
        if i < 0:
            i += self._count
        with self._lock:
            row = self._conn.execute(_SELECT + " where seq = ?", (i,)).fetchone()
        if row is None:
            raise IndexError(i)
        return _passage(row)

    def __iter__(self) -> Iterator[StoredPassage]:
        with self._lock:
            return iter(all_passages(self._conn))

    def of_document(self, doc: str, limit: int) -> list[StoredPassage]:
        """The first ``limit`` passages of document ``doc``, in its own order."""
        sql = _SELECT + " where doc = ? order by paragraph, part limit ?"
        with self._lock:
            return [_passage(row) for row in self._conn.execute(sql, (doc, limit)).fetchall()]

    def of_paragraph(self, doc: str, paragraph: int) -> list[StoredPassage]:
        """The parts of one paragraph of document ``doc``, in order."""
        sql = _SELECT + " where doc = ? and paragraph = ? order by part"
        with self._lock:
            rows = self._conn.execute(sql, (doc, paragraph)).fetchall()
        return [_passage(row) for row in rows]

    def index_of(self, passage_id: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "select seq from passages where id = ?", (passage_id,)
            ).fetchone()
        if row is None:
            raise KeyError(passage_id)
        return int(row[0])


class TermRows(Vocabulary):
    """The scorer's vocabulary looked up in the index file (nothing loaded at open)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self._cache: dict[str, int | None] = {}

    def get(self, term: str, /) -> int | None:
        if term in self._cache:
            return self._cache[term]
        with self._lock:
            row = self._conn.execute("select row from terms where term = ?", (term,)).fetchone()
        found = int(row[0]) if row else None
        if len(self._cache) < 100_000:
            self._cache[term] = found
        return found


def all_passages(conn: sqlite3.Connection) -> list[StoredPassage]:
    return [_passage(row) for row in conn.execute(_SELECT + " order by seq").fetchall()]


def _passage(row: tuple[Any, ...]) -> StoredPassage:
    pid, doc, paragraph, part, text, norm, tokens, page, section = row
    words = tokens.split(" ") if tokens else []
    return StoredPassage(pid, doc, paragraph, part, text, norm, words, page, section)
