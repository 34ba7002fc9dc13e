"""The one owner of an index on disk: a SQLite file (documents, passages, terms, meta, through
sqlite-utils) and, beside it, the folder of the BM25 weight table as memory-mappable .npy files.

All SQL, both formats' versions, saving and loading the arrays and the atomic replace live in
this package: reading here, writing a new version in ``writing``, passages and terms read on
demand in ``rows``.
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlite_utils

from retrieval.bm25 import SparseBM25
from retrieval.errors import (
    IndexCorruptError,
    IndexForeignError,
    IndexMissingError,
    IndexOutdatedError,
    IndexWriteError,
)
from retrieval.schema import Document, DocumentInfo, Origin

from .rows import LazyPassages, StoredPassage, TermRows, all_passages
from .writing import APP_ID, ARRAYS_VERSION, SCHEMA_VERSION, NewVersion, in_groups

__all__ = [
    "APP_ID",
    "ARRAYS_VERSION",
    "SCHEMA_VERSION",
    "Contents",
    "IndexFile",
    "LazyPassages",
    "NewVersion",
    "StoredPassage",
    "TermRows",
]


# numpy reads a .npy header with ast.literal_eval, and CPython 3.11's AST constructor is not
# safe to run from two threads at once ("AST constructor recursion depth mismatch").
_LOAD_LOCK = threading.Lock()


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
            return all_passages(db.conn)

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
                    "select p.norm, p.tokens, d.title, p.part from passages p "
                    "join documents d on p.doc = d.name order by p.seq"
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
            for marks, group in in_groups(names):
                sql = f"select seq from passages where doc in ({marks})"
                out.extend(int(r[0]) for r in db.execute(sql, group).fetchall())
        return sorted(out)

    def catalog(self) -> tuple[list[Origin], list[DocumentInfo]]:
        """The remembered sources (in the order they were first remembered) and every
        document with what a refresh compares (source, path, size, time, hash)."""
        with self._reading() as (db, _):
            origins = [
                Origin(r["key"], r["kind"], r["label"], r["position"] or 0, r["etag"],
                       r["last_modified"], tuple(json.loads(r["excluded"] or "[]")))
                for r in db.query("select * from sources order by position, key")
            ]  # fmt: skip
            documents = [
                DocumentInfo(r["name"], r["title"], r["date"], r["format"], r["passages"] or 0,
                             r["origin"], r["path"], r["url"], r["size"], r["mtime"], r["hash"])
                for r in db.query("select * from documents order by name")
            ]  # fmt: skip
        return origins, documents

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
    rows: list[tuple[str, str, str, int]]  # (norm, tokens, document title, part) of every
    # passage, in index order
    rebuild_because: str | None


@dataclass
class UpdateState:
    meta: dict[str, Any]
    hashes: dict[str, str]
    size: int


def _read_meta(db: sqlite_utils.Database) -> dict[str, Any]:
    return {row["key"]: json.loads(row["value"]) for row in db["meta"].rows}


def _document(row: dict[str, Any]) -> Document:
    return Document(
        row["name"], row["title"], row["date"], row["source"], row["author"], row["format"],
        row["url"],
    )  # fmt: skip


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
