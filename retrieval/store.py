"""The one owner of an index on disk: a SQLite file (documents, passages, terms, meta, through
sqlite-utils) and, beside it, the folder of the BM25 weight table as memory-mappable .npy files.

All SQL, both formats' versions, saving and loading the arrays and the atomic replace live here.
A new version of an index is written to a temporary file and folder and renamed over the old
one when it is whole (:meth:`IndexFile.replacing`), so readers and interrupted runs always see
a whole index.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np
import sqlite_utils

from .bm25 import SparseBM25, Vocabulary
from .errors import (
    IndexCorruptError,
    IndexForeignError,
    IndexMissingError,
    IndexOutdatedError,
    IndexWriteError,
)
from .schema import Document

APP_ID = "docbot-index"
SCHEMA_VERSION = 2  # the SQLite file; 2: a terms table and a weight table beside the file
ARRAYS_VERSION = 2  # the weight table; 2: term counts and dense rows saved too (1: weights only)

# numpy reads a .npy header with ast.literal_eval, and CPython 3.11's AST constructor is not
# safe to run from two threads at once ("AST constructor recursion depth mismatch").
_LOAD_LOCK = threading.Lock()
_PASSAGE_COLUMNS = ("id", "seq", "doc", "paragraph", "part", "text", "norm", "tokens")
_SELECT = "select id, doc, paragraph, part, text, norm, tokens from passages"


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


@dataclass(frozen=True)
class Contents:
    """What opening an index reads at once: its meta values and its documents."""

    meta: dict[str, Any]
    documents: dict[str, Document]
    passage_counts: dict[str, int]

    @property
    def size(self) -> int:
        return sum(self.passage_counts.values())


class IndexFile:
    """An index at ``path``: reading it, and writing its next version."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"IndexFile({str(self.path)!r})"

    def exists(self) -> bool:
        return self.path.exists()

    def arrays_folder(self, build_id: str) -> Path:
        """Where the weight table of build ``build_id`` lives."""
        return self.path.with_name(f".{self.path.name}.{build_id}.arrays")

    # --- reading -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[tuple[sqlite_utils.Database, dict[str, Any]]]:
        """The file opened read-only and its meta, checked to be a current docbot index."""
        if not self.path.exists():
            raise IndexMissingError(f"No index at {self.path}.")
        conn = self._connect()
        try:
            db = sqlite_utils.Database(conn)
            try:
                meta = _read_meta(db) if "meta" in db.table_names() else {}
            except sqlite3.DatabaseError as exc:
                raise IndexCorruptError(f"{self.path} is not a readable index ({exc}).") from exc
            if meta.get("app") != APP_ID:
                raise IndexForeignError(f"{self.path} is not a docbot index.")
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise IndexOutdatedError(
                    f"{self.path} was written by another version of docbot (schema "
                    f"{meta.get('schema_version')}, expected {SCHEMA_VERSION})."
                )
            yield db, meta
        finally:
            conn.close()

    def read(self) -> Contents:
        """Meta values and documents (passages are read on demand, see :meth:`passages`)."""
        with self._reading() as (db, meta):
            rows = {row["name"]: row for row in db["documents"].rows}
        documents = {name: _document(row) for name, row in rows.items()}
        counts = {name: int(row["passages"] or 0) for name, row in rows.items()}
        return Contents(meta, documents, counts)

    def is_docbot_index(self) -> bool:
        """True if the file is a readable docbot index of any schema version."""
        try:
            conn = self._connect()
            try:
                row = conn.execute("select value from meta where key = 'app'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return False
        return bool(row) and json.loads(row[0]) == APP_ID

    def read_passages(self) -> list[StoredPassage]:
        """Every passage, in passage order."""
        with self._reading() as (db, _):
            return _all_passages(db.conn)

    def lazy_passages(self, size: int) -> LazyPassages:
        return LazyPassages(self._connect(), size)

    def load_table(self, meta: dict[str, Any], size: int) -> SparseBM25 | None:
        """The weight table written with the index, memory-mapped (opening reads almost
        nothing); None when there is none or a newer build has replaced it since."""
        build_id = meta.get("arrays")
        folder = self.arrays_folder(str(build_id))
        if not build_id or not folder.exists():
            return None
        names = SparseBM25.ARRAYS + SparseBM25.COUNTED + SparseBM25.DERIVED
        arrays: dict[str, np.ndarray[Any, Any]] = {}
        try:
            with _LOAD_LOCK:
                for name in names:
                    file = folder / f"{name}.npy"
                    if name in SparseBM25.ARRAYS or file.exists():
                        arrays[name] = np.load(file, mmap_mode="r", allow_pickle=False)
        except OSError:  # replaced by a newer build since this file was opened
            return None
        return SparseBM25.from_arrays(TermRows(self._connect()), size, arrays)

    def previous(self) -> Previous | None:
        """What a new build can reuse of this index: None if there is no index yet.

        Raises :class:`IndexInvalidError` for a file that is not a docbot index, which must
        never be overwritten."""
        if not self.path.exists():
            return None
        if not self.is_docbot_index():
            raise IndexForeignError(
                f"{self.path} exists and is not a docbot index; refusing to overwrite it."
            )
        try:
            with self._reading() as (db, meta):
                hashes = {row["name"]: row["hash"] for row in db["documents"].rows}
                rows = db.execute(
                    "select p.norm, p.tokens, d.title from passages p "
                    "join documents d on p.doc = d.name"
                ).fetchall()
        except IndexOutdatedError:
            return Previous({}, {}, [], "the index was written by another docbot version")
        return Previous(meta, hashes, rows, None)

    def update_state(self) -> UpdateState:
        """What an update starts from: meta, document hashes, passage count, term rows."""
        with self._reading() as (db, meta):
            hashes = {row["name"]: row["hash"] for row in db["documents"].rows}
            size = int(db.execute("select count(*) from passages").fetchone()[0])
        return UpdateState(meta, hashes, size)

    def slots_of(self, names: Sequence[str]) -> list[int]:
        """The passage numbers of the documents ``names``, ascending."""
        out: list[int] = []
        with self._reading() as (db, _):
            for marks, group in _in_groups(names):
                sql = f"select seq from passages where doc in ({marks})"
                out.extend(int(r[0]) for r in db.execute(sql, group).fetchall())
        return sorted(out)

    def vocabulary(self) -> dict[str, int]:
        """The whole terms table: term -> row of the weight table."""
        with self._reading() as (db, _):
            if "terms" not in db.table_names():
                return {}
            return {term: int(row) for term, row in db.execute("select term, row from terms")}

    # --- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def replacing(self) -> Iterator[NewVersion]:
        """The next version of this index, written to a temporary file and folder: renamed
        over the index when the block ends, removed if it fails (the old index stands).
        The weight tables of earlier builds are removed afterwards."""
        build_id = f"{os.getpid()}-{time.time_ns()}"
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        new = NewVersion(tmp, self.arrays_folder(build_id), build_id)
        try:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._remove_stale_temporaries()
                new.tmp.unlink(missing_ok=True)
                yield new
                new.close()
                os.replace(new.tmp, self.path)
            except (sqlite3.Error, OSError) as exc:  # disk full, read-only folder ...
                raise IndexWriteError(
                    f"Could not write the index {self.path} ({exc}); "
                    "the previous index is unchanged."
                ) from exc
        except BaseException:
            new.close()
            with contextlib.suppress(OSError):
                for leftover in new.tmp.parent.glob(new.tmp.name + "*"):  # and its -journal
                    leftover.unlink(missing_ok=True)
                shutil.rmtree(new.arrays, ignore_errors=True)
            raise
        self._remove_old_arrays(keep=new.arrays)

    def _remove_old_arrays(self, keep: Path) -> None:
        """Weight tables of earlier builds (a process that has one mapped keeps reading it)."""
        for folder in self.path.parent.glob(f".{self.path.name}.*.arrays"):
            pid = _pid_in(folder.name, self.path.name, "-")
            if folder != keep and not (pid and pid != os.getpid() and _alive(pid)):
                shutil.rmtree(folder, ignore_errors=True)

    def _remove_stale_temporaries(self) -> None:
        """Half-written index files left by runs that were killed (their process is gone)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp*"):
            pid = _pid_in(leftover.name, self.path.name, ".")
            if pid and not _alive(pid):
                leftover.unlink(missing_ok=True)


@dataclass
class Previous:
    """The index a build replaces: its meta, document hashes and stored segmentation."""

    meta: dict[str, Any]
    hashes: dict[str, str]
    rows: list[tuple[str, str, str]]  # (norm, tokens, document title) of every passage
    rebuild_because: str | None


@dataclass
class UpdateState:
    meta: dict[str, Any]
    hashes: dict[str, str]
    size: int


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
                "hash": str,
                "ingested_at": str,
                "passages": int,
            },
            pk="name",
            not_null={"title", "hash"},
        )
        db.table("passages").create(
            {c: int if c in ("seq", "paragraph", "part") else str for c in _PASSAGE_COLUMNS},
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

    def insert_passages(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert passage rows (one prepared statement: a million rows is the normal case)."""
        columns, marks = ", ".join(_PASSAGE_COLUMNS), ", ".join("?" * len(_PASSAGE_COLUMNS))
        sql = f"insert into passages ({columns}) values ({marks})"
        self.db.conn.executemany(sql, ([r[c] for c in _PASSAGE_COLUMNS] for r in rows))

    def delete_documents(self, names: Sequence[str]) -> None:
        """Remove documents and their passages."""
        for marks, group in _in_groups(names):
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
        for marks, group in _in_groups(terms):
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
            return iter(_all_passages(self._conn))

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


def _read_meta(db: sqlite_utils.Database) -> dict[str, Any]:
    return {row["key"]: json.loads(row["value"]) for row in db["meta"].rows}


def _all_passages(conn: sqlite3.Connection) -> list[StoredPassage]:
    return [_passage(row) for row in conn.execute(_SELECT + " order by seq").fetchall()]


def _passage(row: tuple[Any, ...]) -> StoredPassage:
    pid, doc, paragraph, part, text, norm, tokens = row
    return StoredPassage(pid, doc, paragraph, part, text, norm, tokens.split(" ") if tokens else [])


def _document(row: dict[str, Any]) -> Document:
    return Document(row["name"], row["title"], row["date"], row["source"], row["author"])


def _in_groups(values: Iterable[str]) -> Iterator[tuple[str, list[str]]]:
    """``values`` in groups small enough for one ``in (...)`` clause: (placeholders, group)."""
    wanted = list(values)
    for start in range(0, len(wanted), 500):
        group = wanted[start : start + 500]
        yield ",".join("?" * len(group)), group


def _pid_in(file_name: str, index_name: str, separator: str) -> int | None:
    """The process id in ``.<index_name>.<pid><separator>...``, if there is one."""
    pid = file_name[len(index_name) + 2 :].split(separator, 1)[0]
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
