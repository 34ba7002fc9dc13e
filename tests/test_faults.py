"""Faults, each caused for real: a failing Bot API, floods, kills, re-indexing under load."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.questionlog import QuestionLog
from retrieval import Retriever, Tokenizer

from .bot.test_telegram_adapter import make_state
from .botapi import RunningBot, StandInServer, message
from .conftest import CORPUS, REPO, SHARED_EVAL, build, needs_eval

pytestmark = pytest.mark.slow  # subprocesses, faults or whole evaluation sets

FAST = {"read_timeout": 1.0, "retry_budget": 60.0}


@pytest.fixture
def server() -> Iterator[StandInServer]:
    with StandInServer() as s:
        yield s


@pytest.fixture
def bot(server: StandInServer, seed_retriever: Retriever, tmp_path: Path) -> Iterator[RunningBot]:
    with RunningBot(
        server, make_state(seed_retriever, tmp_path, server, admins=(42,)), **FAST
    ) as b:
        yield b


def ask_and_wait(server: StandInServer, text: str, chat_id: int = 1001, n: int = 1) -> list[str]:
    server.api.push(message(text, chat_id=chat_id))
    server.api.wait_for(
        lambda calls: (
            len(
                [
                    c
                    for c in calls
                    if c.method == "sendMessage"
                    and c.status == 200
                    and int(c.params["chat_id"]) == chat_id
                ]
            )
            >= n
        ),
        90,
    )
    return [c.params["text"] for c in server.api.delivered(chat_id)]


@pytest.mark.parametrize(
    ("kind", "times", "delay"), [("500", 3, 0.0), ("reset", 2, 0.0), ("timeout", 1, 2.5)]
)
def test_reply_is_retried_and_delivered_exactly_once(
    server: StandInServer, bot: RunningBot, kind: str, times: int, delay: float
) -> None:
    server.api.fail_with("sendMessage", kind, times=times, delay=delay)
    delivered = ask_and_wait(server, "深圳建了多少个暖蜂驿站？")
    assert len(delivered) == 1 and "1178" in delivered[0]
    attempts = server.api.sent(1001)
    assert (
        len(attempts) == times + 1 or kind == "timeout"
    )  # a timed-out attempt may be recorded late
    server.api.push(message("/about"))
    server.api.wait_for(lambda calls: len(server.api.delivered(1001)) >= 2, 60)
    assert len(server.api.delivered(1001)) == 2  # nothing duplicated later


def test_bot_survives_an_api_outage(server: StandInServer, bot: RunningBot) -> None:
    server.api.down_until = time.monotonic() + 6  # every method, getUpdates included, fails
    delivered = ask_and_wait(server, "肇庆一共建成了多少个初心堂？")
    assert len(delivered) == 1 and "1552" in delivered[0]


def test_one_user_flooding_does_not_starve_others(
    server: StandInServer, seed_retriever: Retriever, tmp_path: Path
) -> None:
    state = make_state(seed_retriever, tmp_path, server, rate_limit=5)
    with RunningBot(server, state, **FAST):
        for _ in range(1000):
            server.api.push(message("肇庆建成了多少个初心堂", chat_id=666))
        other = ask_and_wait(server, "深圳建了多少个暖蜂驿站？", chat_id=777)
        server.api.wait_for(lambda calls: len(server.api.delivered(666)) >= 6, 90)
        server.api.push(message("/about", chat_id=777))
        server.api.wait_for(lambda calls: len(server.api.delivered(777)) >= 2, 90)
        flood = [c.params["text"] for c in server.api.delivered(666)]
    assert "1178" in other[0]
    assert sum("1552" in t for t in flood) == 5
    assert sum("稍等" in t for t in flood) == 1  # one notice, not 995
    assert len(flood) == 6


def test_many_users_each_within_their_limit_are_all_answered(
    server: StandInServer, bot: RunningBot
) -> None:
    for uid in range(2000, 2040):
        server.api.push(message("肇庆建成了多少个初心堂", chat_id=uid))
    server.api.wait_for(lambda calls: len(server.api.delivered()) >= 40, 120)
    chats = [int(c.params["chat_id"]) for c in server.api.delivered()]
    assert sorted(chats) == list(range(2000, 2040))


def test_operator_commands_refuse_strangers_in_groups_too(
    server: StandInServer, bot: RunningBot
) -> None:
    group = -1001234
    for command in ("/reindex", "/stats"):
        server.api.push(message(command, chat_id=group, uid=5555))
    server.api.wait_for(lambda calls: len(server.api.delivered(group)) >= 2, 60)
    texts = [c.params["text"] for c in server.api.delivered(group)]
    assert all("管理员" in t for t in texts)
    assert not any("asked" in t or "索引" in t for t in texts)


def test_question_log_survives_a_kill(tmp_path: Path) -> None:
    code = (
        "import os, signal, sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from bot.questionlog import QuestionLog\n"
        f"log = QuestionLog.open({str(tmp_path / 'q.db')!r})\n"
        "for i in range(25):\n"
        "    log.record(f'问题{i}', i % 2 == 0, [], 'simplified')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode == -signal.SIGKILL
    log = QuestionLog.open(tmp_path / "q.db")
    assert sum(d.asked for d in log.stats().days) == 25


@needs_eval
def test_killed_index_run_leaves_the_previous_index(tokenizer: Tokenizer, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shutil.copytree(CORPUS, tmp_path / "corpus")
    index = tmp_path / "data" / "docbot.db"
    subprocess.run(
        [sys.executable, "-m", "bot", "index", "-q"], cwd=tmp_path, env=env, check=True, timeout=120
    )
    question = "肇庆建成了多少个初心堂"
    old = [
        (h.passage_id, h.score) for h in Retriever.open(index, tokenizer=tokenizer).search(question)
    ]
    passages = SHARED_EVAL / "cmrc_dev_passages.jsonl"
    args = [sys.executable, "-m", "bot", "index", "corpus", str(passages), "-q"]
    killed_mid_write = 0
    for delay in (0.2, 1.0, 3.0):  # SIGKILL at three points after the new file appears
        proc = subprocess.Popen(args, cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while proc.poll() is None and not list(index.parent.glob(".docbot.db.*.tmp")):
            assert time.monotonic() < deadline
        time.sleep(delay)  # the kill point itself, not a wait for an event
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        after = Retriever.open(index, tokenizer=tokenizer)  # always opens
        if not finished and len(after.documents) == 5:
            killed_mid_write += 1
            assert [(h.passage_id, h.score) for h in after.search(question)] == old
        else:  # the run had completed: the whole new index, never a half
            assert len(after.documents) == 5 + 442
        if len(after.documents) > 5:
            break
    assert killed_mid_write >= 1
    done = subprocess.run(args, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0
    assert len(Retriever.open(index, tokenizer=tokenizer).documents) == 5 + 442
    assert not list(index.parent.glob(".docbot.db.*.tmp"))  # the next run cleared what was left


def test_searches_keep_working_while_the_index_is_rebuilt(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    corpus = tmp_path / "c"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "i.db"
    build([corpus], index, tokenizer=tokenizer)
    errors: list[BaseException] = []
    results: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                r = Retriever.open(index, tokenizer=tokenizer)  # always a complete index
                hits = r.search("肇庆建成了多少个初心堂", k=3)
                results.append(len(hits))
                assert hits and "1552" in hits[0].text
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for n in range(4):
        (corpus / f"extra{n}.txt").write_text(
            f"第{n}次新增的文件内容，讲的是别的事情。\n" * 3, encoding="utf-8"
        )
        build([corpus], index, tokenizer=tokenizer)
    stop.set()
    for t in threads:
        t.join(30)
    assert errors == []
    assert results and all(n == 3 for n in results)


def test_concurrent_searches_match_serial_ones(seed_retriever: Retriever) -> None:
    questions = [
        "肇庆建成了多少个初心堂",
        "深圳建了多少個暖蜂驛站",
        "廣東駐鎮幫扶幫了幾個鄉鎮",
        "李希有講到減負嗎",
    ] * 10
    serial = [[h.passage_id for h in seed_retriever.search(q)] for q in questions]
    parallel: list[list[str] | None] = [None] * len(questions)

    def run(i: int) -> None:
        parallel[i] = [h.passage_id for h in seed_retriever.search(questions[i])]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert parallel == serial


def _limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    def apply() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@needs_eval
def test_disk_full_while_indexing_is_a_clear_error_and_the_index_stands(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shutil.copytree(CORPUS, tmp_path / "corpus")
    index = tmp_path / "data" / "docbot.db"
    subprocess.run([sys.executable, "-m", "bot", "index", "-q"], cwd=tmp_path, env=env, check=True)
    question = "肇庆建成了多少个初心堂"
    old = [
        (h.passage_id, h.score) for h in Retriever.open(index, tokenizer=tokenizer).search(question)
    ]
    passages = SHARED_EVAL / "cmrc_dev_passages.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "index", "corpus", str(passages)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size(index.stat().st_size + 200_000),
        timeout=300,
    )
    assert result.returncode == 1
    assert (
        "Could not write the index" in result.stderr
        and "previous index is unchanged" in result.stderr
    )
    assert "Traceback" not in result.stderr
    after = Retriever.open(index, tokenizer=tokenizer)
    assert [(h.passage_id, h.score) for h in after.search(question)] == old
    assert not list(index.parent.glob(".docbot.db.*.tmp*"))


def test_unwritable_index_location_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("一段内容。", encoding="utf-8")
    (tmp_path / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--index", "blocker/docbot.db", "index"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and result.stderr.startswith("Error: Could not write the index")
    assert (tmp_path / "blocker").read_text(encoding="utf-8").startswith("a file")


def test_index_from_an_older_schema_is_rebuilt_in_one_line(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    shutil.copytree(CORPUS, tmp_path / "corpus")
    subprocess.run([sys.executable, "-m", "bot", "index", "-q"], cwd=tmp_path, env=env, check=True)
    db = sqlite3.connect(tmp_path / "data" / "docbot.db")
    db.execute("update meta set value = '0' where key = 'schema_version'")
    db.commit()
    db.close()
    ask = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "初心堂"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ask.returncode == 1 and "Rebuild it with: docbot index" in ask.stderr
    assert ask.stderr.count("\n") == 1
    again = subprocess.run(
        [sys.executable, "-m", "bot", "index"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0
    assert (
        "Rebuilding the whole index: the index was written by another docbot version."
        in again.stderr
    )


def test_answers_go_out_when_the_question_log_cannot_be_written(
    server: StandInServer, seed_retriever: Retriever, tmp_path: Path
) -> None:
    state = make_state(seed_retriever, tmp_path, server)
    state.questions.close()
    ro = sqlite3.connect(
        f"file:{tmp_path / 'questions.db'}?mode=ro", uri=True, check_same_thread=False
    )
    state.questions = QuestionLog(ro, tmp_path / "questions.db")  # every write now fails
    with RunningBot(server, state, **FAST):
        delivered = ask_and_wait(server, "深圳建了多少个暖蜂驿站？")
    assert "1178" in delivered[0]


def test_token_never_reaches_the_logs(
    server: StandInServer,
    seed_retriever: Retriever,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from bot.telegram_adapter import TokenFilter

    from .botapi import TOKEN

    caplog.handler.addFilter(TokenFilter(TOKEN))
    with (
        caplog.at_level(logging.DEBUG),
        RunningBot(server, make_state(seed_retriever, tmp_path, server), **FAST),
    ):
        server.api.fail_with("sendMessage", "500", times=2)
        ask_and_wait(server, "深圳建了多少个暖蜂驿站？")
        server.api.fail_next("sendMessage", 400, "Bad Request: injected")
        ask_and_wait(server, "肇庆建成了多少个初心堂？", n=2)
    assert caplog.records  # httpx and python-telegram-bot did log, URLs included
    assert TOKEN not in caplog.text
    assert any("***" in r.getMessage() for r in caplog.records)
