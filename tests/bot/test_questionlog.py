"""The question log: its own migrated SQLite file, stats, buttons, privacy switch."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.questionlog import MIGRATIONS, QuestionLog, QuestionLogError, format_stats
from tests.conftest import docbot


def test_migrations_and_round_trip(tmp_path: Path) -> None:
    log = QuestionLog.open(tmp_path / "q.db")
    log.record("肇庆有多少个初心堂？", True, ["001.txt#6"], "simplified", chat_id=1, user_id=2)
    log.record("红烧肉怎么做？", False, [], "simplified", chat_id=1, user_id=2)
    log.record("红烧肉怎么做？", False, [], "simplified", chat_id=3, user_id=4)
    stats = log.stats()
    assert [(d.asked, d.answered, d.not_found) for d in stats.days] == [(3, 1, 2)]
    assert stats.not_found_questions == [("红烧肉怎么做？", 2)]
    text = format_stats(stats)
    assert "not found" in text and "2 × 红烧肉怎么做？" in text
    log.close()
    conn = sqlite3.connect(tmp_path / "q.db")
    assert conn.execute("pragma user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_question_text_can_be_left_out(tmp_path: Path) -> None:
    log = QuestionLog.open(tmp_path / "q.db", keep_text=False)
    log.record("秘密问题", False, [], "simplified")
    assert log.stats().not_found_questions == []
    conn = sqlite3.connect(tmp_path / "q.db")
    assert conn.execute("select question from questions").fetchall() == [(None,)]


def test_buttons_and_pruning(tmp_path: Path) -> None:
    log = QuestionLog.open(tmp_path / "q.db")
    bid = log.remember_button("深圳呢？", "traditional")
    assert log.button(bid) == ("深圳呢？", "traditional")
    assert log.button(bid + 100) is None
    log.record("旧问题", True, [], "simplified")
    assert log.prune(keep_days=-1, button_days=-1) == 1
    assert log.button(bid) is None


def test_newer_or_foreign_file_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    sqlite3.connect(newer).execute("pragma user_version=99")
    with pytest.raises(QuestionLogError, match="newer"):
        QuestionLog.open(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 50)
    with pytest.raises(QuestionLogError):
        QuestionLog.open(junk)


@pytest.mark.slow
def test_docbot_stats_command(tmp_path: Path) -> None:
    result = docbot("stats", cwd=tmp_path)
    assert result.returncode == 1 and "No question log" in result.stderr
    log = QuestionLog.open(tmp_path / "data" / "questions.db")
    log.record("深圳呢？", True, [], "simplified")
    log.close()
    result = docbot("stats", cwd=tmp_path)
    assert result.returncode == 0 and "total" in result.stdout and "1" in result.stdout
