"""The embedded store: one SQLite file (through sqlite-utils) with documents, passages and meta."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import IndexInvalidError, IndexMissingError
from .schema import Document

APP_ID = "docbot-index"
SCHEMA_VERSION = 1


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


def insert_passages(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> None:
    db.table("passages").insert_all(rows, pk="id", batch_size=1000)


def read_documents(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in db["documents"].rows}


def read_passages(db: sqlite_utils.Database) -> list[StoredPassage]:
    return [
        StoredPassage(
            row["id"],
            row["doc"],
            row["paragraph"],
            row["part"],
            row["text"],
            row["norm"],
            row["tokens"].split(" ") if row["tokens"] else [],
        )
        for row in db["passages"].rows_where(order_by="seq")
    ]


def document_of(row: dict[str, Any]) -> Document:
    return Document(row["name"], row["title"], row["date"], row["source"], row["author"])
