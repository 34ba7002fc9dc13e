"""The question log: what users asked, whether it was answered, which passages were shown.

Its own SQLite file beside the index (``questions.db``), so that re-indexing (which replaces
the index file) never touches it. WAL and synchronous commits: what was logged before a crash
is there after it. Migrations are numbered and tracked in ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

MIGRATIONS: list[str] = [
    # 1: questions, and the state behind inline buttons
    """
    create table questions (
        id integer primary key,
        ts text not null,
        day text not null,
        chat_id integer,
        user_id integer,
        question text,
        script text,
        answered integer not null,
        passages text not null default '[]'
    );
    create index questions_day on questions(day);
    create table buttons (
        id integer primary key,
        created text not null,
        question text not null,
        script text not null
    );
    """,
]


PRUNE_EVERY = 500  # with a retention set, old rows are dropped every this many questions


class QuestionLogError(Exception):
    """The question log cannot be opened or written."""


@contextlib.contextmanager
def _explained(what: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise QuestionLogError(f"Could not {what} in the question log ({exc})") from exc


@dataclass(frozen=True)
class DayStats:
    day: str
    asked: int
    answered: int
    not_found: int


@dataclass(frozen=True)
class Stats:
    days: list[DayStats]
    not_found_questions: list[tuple[str, int]]  # most frequent unanswered questions


class QuestionLog:
    """Thread-safe append-mostly log in one SQLite file."""

    def __init__(
        self, conn: sqlite3.Connection, path: Path, keep_text: bool = True, keep_days: int = 0
    ) -> None:
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path
        self.keep_text = keep_text
        self.keep_days = keep_days  # 0: keep everything; else prune now and then

    @classmethod
    def open(cls, path: str | Path, keep_text: bool = True, keep_days: int = 0) -> QuestionLog:
        """Open (creating and migrating as needed) the log at ``path``."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            conn.execute("pragma journal_mode=wal")
            conn.execute("pragma synchronous=full")
            version = conn.execute("pragma user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise QuestionLogError(f"{path} was written by a newer docbot (version {version})")
            for number in range(version, len(MIGRATIONS)):
                conn.executescript(
                    "begin;" + MIGRATIONS[number] + f"; pragma user_version={number + 1}; commit;"
                )
        except sqlite3.DatabaseError as exc:
            raise QuestionLogError(f"{path} is not a usable question log ({exc})") from exc
        log = cls(conn, path, keep_text, keep_days)
        if keep_days:
            log.prune(keep_days)
        return log

    @classmethod
    def open_existing(cls, path: str | Path) -> QuestionLog:
        if not Path(path).exists():
            raise QuestionLogError(f"No question log at {path} yet: nothing has been asked.")
        return cls.open(path)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def record(
        self,
        question: str,
        answered: bool,
        passages: Sequence[str],
        script: str,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> int:
        now = datetime.now(UTC)
        with self._lock, _explained("record a question"):
            cur = self._conn.execute(
                "insert into questions"
                " (ts, day, chat_id, user_id, question, script, answered, passages)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now.isoformat(timespec="seconds"),
                    now.date().isoformat(),
                    chat_id,
                    user_id,
                    question if self.keep_text else None,
                    script,
                    int(answered),
                    json.dumps(list(passages), ensure_ascii=False),
                ),
            )
            row_id = int(cur.lastrowid or 0)
        if self.keep_days and row_id % PRUNE_EVERY == 0:
            self.prune(self.keep_days)
        return row_id

    def remember_button(self, question: str, script: str) -> int:
        """Keep what a button needs to redo its answer; returns the id it carries."""
        with self._lock, _explained("remember a button"):
            cur = self._conn.execute(
                "insert into buttons (created, question, script) values (?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), question, script),
            )
            return int(cur.lastrowid or 0)

    def button(self, button_id: int) -> tuple[str, str] | None:
        with self._lock:
            row = self._conn.execute(
                "select question, script from buttons where id = ?", (button_id,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def prune(self, keep_days: int, button_days: int = 7) -> int:
        """Drop log rows older than ``keep_days`` and button state older than ``button_days``."""
        now = datetime.now(UTC)
        with self._lock:
            n = self._conn.execute(
                "delete from questions where ts < ?",
                ((now - timedelta(days=keep_days)).isoformat(timespec="seconds"),),
            ).rowcount
            self._conn.execute(
                "delete from buttons where created < ?",
                ((now - timedelta(days=button_days)).isoformat(timespec="seconds"),),
            )
        return int(n)

    def stats(self, days: int = 14) -> Stats:
        since = (datetime.now(UTC).date() - timedelta(days=days - 1)).isoformat()
        with self._lock:
            rows = self._conn.execute(
                "select day, count(*), sum(answered) from questions"
                " where day >= ? group by day order by day",
                (since,),
            ).fetchall()
            missing = self._conn.execute(
                "select question, count(*) from questions"
                " where answered = 0 and question is not null and day >= ?"
                " group by question order by count(*) desc, question limit 10",
                (since,),
            ).fetchall()
        return Stats(
            [DayStats(d, n, int(a or 0), n - int(a or 0)) for d, n, a in rows],
            [(q, int(n)) for q, n in missing],
        )


def format_stats(stats: Stats) -> str:
    """The summary `docbot stats` and /stats show."""
    if not stats.days:
        return "No questions in this period."
    lines = ["day         asked  answered  not found"]
    for d in stats.days:
        lines.append(f"{d.day}  {d.asked:>5}  {d.answered:>8}  {d.not_found:>9}")
    total = sum(d.asked for d in stats.days)
    answered = sum(d.answered for d in stats.days)
    lines.append(f"total       {total:>5}  {answered:>8}  {total - answered:>9}")
    if stats.not_found_questions:
        lines.append("")
        lines.append("Most asked without an answer:")
        lines.extend(f"  {n} × {q}" for q, n in stats.not_found_questions)
    return "\n".join(lines)
