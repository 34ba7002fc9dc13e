"""Writing the next version of an index (see ``IndexFile.replacing``)."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlite_utils

from retrieval.bm25 import SparseBM25

if TYPE_CHECKING:
    from . import IndexFile

APP_ID = "docbot-index"
SCHEMA_VERSION = 3  # the SQLite file; 2: a terms table and a weight table beside the file;
# 3: remembered sources, each document's source, path, format, URL, size and time; passages'
# page and section
ARRAYS_VERSION = 2  # the weight table; 2: term counts and dense rows saved too (1: weights only)
PASSAGE_COLUMNS = (
    "id", "seq", "doc", "paragraph", "part", "text", "norm", "tokens", "page", "section"
)  # fmt: skip
_INTEGERS = ("seq", "paragraph", "part", "page")


class NewVersion:
    """The next version of an index while it is written (see :meth:`IndexFile.replacing`)."""

    def __init__(self, tmp: Path, arrays: Path, build_id: str) -> None:
        self.tmp = tmp
        self.arrays = arrays
        self.build_id = build_id
        self._db: sqlite_utils.Database | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = sqlite_utils.Database(self.tmp)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def create(self) -> None:
        """Start from an empty store."""
        db = self.db
        db.table("meta").create({"key": str, "value": str}, pk="key")
        db.table("documents").create(
            {
                "name": str,
                "title": str,
                "date": str,
                "source": str,
                "author": str,
                "format": str,
                "url": str,
                "origin": str,  # the remembered source (sources.key) it was read from
                "path": str,  # its path inside that source
                "size": int,
                "mtime": float,
                "hash": str,
                "ingested_at": str,
                "passages": int,
            },
            pk="name",
            not_null={"title", "hash"},
        )
        db.table("documents").create_index(["origin", "path"])
        db.table("sources").create(
            {
                "key": str,
                "kind": str,  # "folder", "file" or "url"
                "location": str,  # the absolute path, or the URL
                "label": str,  # a short unique name (a folder's or file's name)
                "position": int,  # the order sources were first remembered in
                "added_at": str,
                "etag": str,
                "last_modified": str,
                "excluded": str,  # a JSON list of paths
            },
            pk="key",
        )
        db.table("passages").create(
            {c: int if c in _INTEGERS else str for c in PASSAGE_COLUMNS},
            pk="id",
            foreign_keys=[("doc", "documents", "name")],
        )
        db.table("passages").create_index(["seq"], unique=True)
        db.table("passages").create_index(["doc"])
        self.write_meta({"app": APP_ID, "schema_version": SCHEMA_VERSION})

    def copy_of(self, index: IndexFile) -> None:
        """Start from a copy of the current version."""
        self.close()
        shutil.copyfile(index.path, self.tmp)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.conn:
            yield

    def write_meta(self, values: dict[str, Any]) -> None:
        self.db.table("meta").upsert_all(
            ({"key": k, "value": json.dumps(v, ensure_ascii=False)} for k, v in values.items()),
            pk="key",
        )

    def insert_documents(self, rows: Iterable[dict[str, Any]]) -> None:
        self.db.table("documents").insert_all(rows, pk="name")

    def remember_sources(self, rows: Iterable[dict[str, Any]]) -> None:
        """Add or update remembered sources (rows of the ``sources`` table)."""
        self.db.table("sources").upsert_all(rows, pk="key")

    def forget_sources(self, keys: Sequence[str]) -> None:
        for marks, group in in_groups(keys):
            self.db.execute(f"delete from sources where key in ({marks})", group)

    def insert_passages(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert passage rows (one prepared statement: a million rows is the normal case)."""
        columns, marks = ", ".join(PASSAGE_COLUMNS), ", ".join("?" * len(PASSAGE_COLUMNS))
        sql = f"insert into passages ({columns}) values ({marks})"
        self.db.conn.executemany(sql, ([r[c] for c in PASSAGE_COLUMNS] for r in rows))

    def delete_documents(self, names: Sequence[str]) -> None:
        """Remove documents and their passages."""
        for marks, group in in_groups(names):
            self.db.execute(f"delete from passages where doc in ({marks})", group)
            self.db.execute(f"delete from documents where name in ({marks})", group)

    def move_passages(self, moves: Iterable[tuple[int, int]]) -> None:
        """Give passages new numbers: (old, new) pairs."""
        for old, new in moves:
            self.db.execute("update passages set seq = ? where seq = ?", (new, old))

    def term_rows(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """The rows of those of ``terms`` the vocabulary has, and how many rows it has."""
        if "terms" not in self.db.table_names():
            return {}, 0
        found: dict[str, int] = {}
        for marks, group in in_groups(terms):
            sql = f"select term, row from terms where term in ({marks})"
            found.update((t, int(r)) for t, r in self.db.execute(sql, group).fetchall())
        size = self.db.execute("select count(*) from terms").fetchone()[0]
        return found, int(size)

    def save_table(self, table: SparseBM25, new_terms: dict[str, int]) -> None:
        """Write the weight table (.npy files) and add ``new_terms`` to the vocabulary."""
        self.arrays.mkdir(parents=True, exist_ok=True)
        for name, array in table.arrays().items():
            np.save(self.arrays / f"{name}.npy", array, allow_pickle=False)
        self.db.table("terms").create({"term": str, "row": int}, pk="term", if_not_exists=True)
        with self.db.conn:
            self.db.conn.executemany(
                "insert into terms (term, row) values (?, ?)", new_terms.items()
            )
        self.write_meta({"arrays": self.build_id, "arrays_version": ARRAYS_VERSION})


def in_groups(values: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """``values`` in groups small enough for one ``in (...)`` clause: (placeholders, group)."""
    wanted = list(values)
    for start in range(0, len(wanted), 500):
        group = wanted[start : start + 500]
        yield ",".join("?" * len(group)), group
