"""The embedded store: one SQLite file (through sqlite-utils) with documents, passages and meta."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import sqlite_utils

from .errors import IndexInvalidError, IndexMissingError
from .schema import Document

APP_ID = "docbot-index"
SCHEMA_VERSION = 2  # 2: terms table and a memory-mapped weight table beside the file


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


def create(path: Path) -> sqlite_utils.Database:
    """A new, empty store at ``path`` (which must not exist yet)."""
    db = sqlite_utils.Database(path)
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("documents").create(
        {
            "name": str,
            "title": str,
            "date": str,
            "source": str,
            "author": str,
            "hash": str,
            "ingested_at": str,
            "passages": int,
        },
        pk="name",
        not_null={"title", "hash"},
    )
    db.table("passages").create(
        {
            "id": str,
            "seq": int,
            "doc": str,
            "paragraph": int,
            "part": int,
            "text": str,
            "norm": str,
            "tokens": str,
        },
        pk="id",
        foreign_keys=[("doc", "documents", "name")],
    )
    db.table("passages").create_index(["seq"], unique=True)
    db.table("passages").create_index(["doc"])
    write_meta(db, {"app": APP_ID, "schema_version": SCHEMA_VERSION})
    return db


def write_meta(db: sqlite_utils.Database, values: dict[str, Any]) -> None:
    db.table("meta").upsert_all(
        ({"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in values.items()),
        pk="key",
    )


def set_meta(path: Path, values: dict[str, Any]) -> None:
    """Write ``values`` into the meta table of the store at ``path``."""
    db = sqlite_utils.Database(path)
    try:
        write_meta(db, values)
    finally:
        db.close()


def read_meta(db: sqlite_utils.Database) -> dict[str, Any]:
    return {row["key"]: json.loads(row["value"]) for row in db["meta"].rows}


def open_store(path: Path) -> tuple[sqlite_utils.Database, dict[str, Any]]:
    """Open an existing index read-only-in-spirit, checking that it is ours and current."""
    if not path.exists():
        raise IndexMissingError(f"No index at {path}. Build it with: docbot index")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        tables = set(db.table_names())
        if "meta" not in tables:
            raise IndexInvalidError(
                f"{path} is not a docbot index. Point --index at another file, or move it away "
                "and run: docbot index"
            )
        meta = read_meta(db)
    except sqlite3.DatabaseError as exc:
        raise IndexInvalidError(
            f"{path} is not a readable index ({exc}). Delete it and run: docbot index"
        ) from exc
    if meta.get("app") != APP_ID:
        raise IndexInvalidError(f"{path} is not a docbot index. Point --index at another file.")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexInvalidError(
            f"{path} was written by another version of docbot (schema "
            f"{meta.get('schema_version')}, expected {SCHEMA_VERSION}). "
            "Rebuild it with: docbot index"
        )
    return db, meta


def is_docbot_index(path: Path) -> bool:
    """True if ``path`` is a readable docbot index of any schema version."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("select value from meta where key = 'app'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row) and json.loads(row[0]) == APP_ID


def insert_documents(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    db.table("documents").insert_all(rows, pk="name")


_PASSAGE_COLUMNS = ("id", "seq", "doc", "paragraph", "part", "text", "norm", "tokens")


def insert_passages(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    """Insert passage rows (one prepared statement: a million rows is the normal case)."""
    sql = f"insert into passages ({', '.join(_PASSAGE_COLUMNS)}) values ({', '.join('?' * 8)})"
    db.conn.executemany(sql, ([r[c] for c in _PASSAGE_COLUMNS] for r in rows))


def insert_terms(db: sqlite_utils.Database, vocab: dict[str, int]) -> None:
    """The scorer's vocabulary: term -> row of the weight table."""
    db.table("terms").create({"term": str, "row": int}, pk="term", if_not_exists=True)
    with db.conn:
        db.conn.executemany("insert into terms (term, row) values (?, ?)", vocab.items())


def in_groups(values: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """``values`` in groups small enough for one ``in (...)`` clause: (placeholders, group)."""
    wanted = list(values)
    for start in range(0, len(wanted), 500):
        group = wanted[start : start + 500]
        yield ",".join("?" * len(group)), group


def term_rows(db: sqlite_utils.Database, terms: Iterable[str]) -> tuple[dict[str, int], int]:
    """The rows of those of ``terms`` the vocabulary has, and how many rows it has."""
    if "terms" not in db.table_names():
        return {}, 0
    found: dict[str, int] = {}
    for marks, group in in_groups(terms):
        sql = f"select term, row from terms where term in ({marks})"
        found.update((t, int(r)) for t, r in db.execute(sql, group).fetchall())
    size = db.execute("select count(*) from terms").fetchone()[0]
    return found, int(size)


def arrays_folder(index_path: Path, build_id: str) -> Path:
    """Where the weight table of build ``build_id`` of ``index_path`` lives."""
    return index_path.with_name(f".{index_path.name}.{build_id}.arrays")


def read_documents(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in db["documents"].rows}


def read_passages(db: sqlite_utils.Database) -> list[StoredPassage]:
    return [_passage(row) for row in db.execute(_SELECT + " order by seq").fetchall()]


class LazyPassages(Sequence[StoredPassage]):
    """The passages of an index file, read on demand (a hit's text, not the whole corpus)."""

    def __init__(self, path: Path, count: int) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
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
            return iter(read_passages(sqlite_utils.Database(self._conn)))

    def index_of(self, passage_id: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "select seq from passages where id = ?", (passage_id,)
            ).fetchone()
        if row is None:
            raise KeyError(passage_id)
        return int(row[0])


class TermRows:
    """The scorer's vocabulary looked up in the index file (nothing loaded at open)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
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


_SELECT = "select id, doc, paragraph, part, text, norm, tokens from passages"


def _passage(row: tuple[Any, ...]) -> StoredPassage:
    pid, doc, paragraph, part, text, norm, tokens = row
    return StoredPassage(pid, doc, paragraph, part, text, norm, tokens.split(" ") if tokens else [])


def document_of(row: dict[str, Any]) -> Document:
    return Document(row["name"], row["title"], row["date"], row["source"], row["author"])
