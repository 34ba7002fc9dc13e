"""The Telegram bot through the real python-telegram-bot Application and a stand-in Bot API."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import TelegramConfig
from bot.questionlog import QuestionLog
from bot.service import Service
from bot.telegram_adapter import BotState, RateLimiter, check_token
from retrieval import Retriever, detect_script
from tests import botapi
from tests.botapi import (
    BOT_USERNAME,
    TOKEN,
    RunningBot,
    StandInServer,
    callback,
    check_html,
    inline,
    message,
)
from tests.conftest import CORPUS, REPO, build


@pytest.fixture
def server() -> Iterator[StandInServer]:
    with StandInServer() as s:
        yield s


def make_state(
    retriever: Retriever, tmp_path: Path, server: StandInServer, **settings: Any
) -> BotState:
    cfg = replace(TelegramConfig(), api_base_url=server.base_url, **settings)
    service = Service(retriever)
    return BotState(
        service,
        QuestionLog.open(tmp_path / "questions.db", keep_text=cfg.log_questions),
        cfg,
        lambda: Service(build([CORPUS], tmp_path / "re.db", tokenizer=retriever.tokenizer)),
        RateLimiter(cfg.rate_limit),
    )


@pytest.fixture
def bot(server: StandInServer, seed_retriever: Retriever, tmp_path: Path) -> Iterator[RunningBot]:
    with RunningBot(server, make_state(seed_retriever, tmp_path, server, admins=(42,))) as running:
        yield running


def replies(server: StandInServer, chat_id: int, n: int = 1) -> list[dict[str, Any]]:
    server.api.wait_for(
        lambda calls: (
            len(
                [
                    c
                    for c in calls
                    if c.method == "sendMessage" and int(c.params["chat_id"]) == chat_id
                ]
            )
            >= n
        )
    )
    return [c.params for c in server.api.sent(chat_id)]


def assert_valid_html(text: str) -> None:
    error, visible = check_html(text)
    assert error is None and visible <= 4096


def test_start_lists_documents_examples_and_commands(
    server: StandInServer, bot: RunningBot
) -> None:
    server.api.push(message("/start"))
    (reply,) = replies(server, 1001)
    assert "初心堂" in reply["text"] and "/about" in reply["text"] and "<code>" in reply["text"]
    assert "论深圳高质量党建工作的重要性" in reply["text"]
    assert_valid_html(reply["text"])


def test_help_in_traditional_for_a_traditional_user(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(message("/help", chat_id=2002, language_code="zh-TW"))
    (reply,) = replies(server, 2002)
    assert "問題" in reply["text"] and "论深圳" not in reply["text"]


@pytest.mark.parametrize(
    ("question", "expected", "script_marker"),
    [("深圳建了多少個暖蜂驛站？", "1178", "驛站"), ("深圳建了多少个暖蜂驿站？", "1178", "驿站")],
)
def test_question_in_each_script(
    server: StandInServer, bot: RunningBot, question: str, expected: str, script_marker: str
) -> None:
    server.api.push(message(question))
    (reply,) = replies(server, 1001)
    assert expected in reply["text"] and script_marker in reply["text"]
    assert "<b>" in reply["text"] and reply["parse_mode"] == "HTML"
    assert_valid_html(reply["text"])
    assert "[1]" in reply["text"] and "¶" in reply["text"]
    buttons = reply["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons][-1] in ("原文",)
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    actions = [c for c in server.api.calls if c.method == "sendChatAction"]
    assert actions and actions[0].params["action"] == "typing"


def test_hostile_text_is_escaped(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(message("<b>深圳</b> & <script>alert(1)</script> 暖蜂驿站？"))
    (reply,) = replies(server, 1001)
    assert_valid_html(reply["text"])
    assert "<script>" not in reply["text"]


def test_not_found_lists_what_the_documents_cover(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(message("红烧肉怎么做才好吃？"))
    (reply,) = replies(server, 1001)
    assert "没有找到" in reply["text"] and "论深圳高质量党建工作的重要性" in reply["text"]
    assert reply.get("reply_markup") is None


def test_more_and_original_buttons(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(message("深圳建了多少個暖蜂驛站？"))
    (first,) = replies(server, 1001)
    more, orig = first["reply_markup"]["inline_keyboard"][0]
    server.api.push(callback(more["callback_data"]))
    page2 = replies(server, 1001, 2)[-1]
    assert "[4]" in page2["text"] and "[1]" not in page2["text"]
    assert_valid_html(page2["text"])
    # 「更多」 pages come in the asker's script, passages and titles alike
    assert detect_script(re.sub(r"<[^>]+>", "", page2["text"])) == "traditional"
    server.api.push(callback(orig["callback_data"]))
    original = replies(server, 1001, 3)[-1]
    assert "驿站" in original["text"]  # the passage in its own (Simplified) script
    assert "<b>驿站</b>" in original["text"] or "<b>暖蜂驿站</b>" in original["text"]  # marked


def test_original_command_shows_the_last_answer_as_written(
    server: StandInServer, bot: RunningBot
) -> None:
    server.api.push(message("/original"))
    assert "还没有" in replies(server, 1001)[0]["text"]
    server.api.push(message("深圳建了多少個暖蜂驛站？"))
    assert "驛站" in replies(server, 1001, 2)[-1]["text"]
    server.api.push(message("/original"))
    shown = replies(server, 1001, 3)[-1]
    assert "[1]" in shown["text"] and "驿站" in shown["text"] and "<b>" in shown["text"]
    assert shown.get("reply_markup") is None


def test_buttons_survive_a_restart(
    server: StandInServer, seed_retriever: Retriever, tmp_path: Path
) -> None:
    state = make_state(seed_retriever, tmp_path, server)
    with RunningBot(server, state):
        server.api.push(message("深圳建了多少個暖蜂驛站？"))
        (first,) = replies(server, 1001)
    state.questions.close()
    with RunningBot(
        server, make_state(seed_retriever, tmp_path, server)
    ):  # a new process, same log file
        more = first["reply_markup"]["inline_keyboard"][0][0]
        server.api.push(callback(more["callback_data"]))
        page2 = replies(server, 1001, 2)[-1]
        assert "[4]" in page2["text"]


def test_stale_button_gets_a_short_notice(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(callback("m:999999:1"))
    calls = server.api.wait_for(lambda cs: any(c.method == "answerCallbackQuery" for c in cs))
    notice = next(c for c in calls if c.method == "answerCallbackQuery")
    assert "过期" in notice.params["text"]
    assert not server.api.sent(1001)


def test_group_answers_only_when_addressed(server: StandInServer, bot: RunningBot) -> None:
    group = -100500
    server.api.push(message("大家好，今天开会吗", chat_id=group))
    server.api.push(message(f"@{BOT_USERNAME} 肇庆建成了多少个初心堂", chat_id=group))
    (reply,) = replies(server, group)
    assert "1552" in reply["text"]
    server.api.push(message("/ask 深圳建了多少个暖蜂驿站", chat_id=group))
    assert "1178" in replies(server, group, 2)[-1]["text"]
    bot_msg = {
        "message_id": 5,
        "date": 0,
        "chat": {"id": group, "type": "supergroup"},
        "from": {"id": botapi.BOT_ID, "is_bot": True, "first_name": "docbot"},
        "text": "…",
    }
    server.api.push(message("那司机之家呢？", chat_id=group, reply_to_message=bot_msg))
    third = replies(server, group, 3)[-1]
    assert "61" in third["text"]  # a follow-up, per chat
    assert len(server.api.sent(group)) == 3  # the chatter got nothing


def test_inline_mode(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(inline("肇庆建成了多少个初心堂"))
    calls = server.api.wait_for(lambda cs: any(c.method == "answerInlineQuery" for c in cs))
    results = next(c for c in calls if c.method == "answerInlineQuery").params["results"]
    assert results and "1552" in results[0]["input_message_content"]["message_text"]
    assert "¶" in results[0]["input_message_content"]["message_text"]


def test_non_text_message_gets_a_hint(server: StandInServer, bot: RunningBot) -> None:
    sticker = {
        "file_id": "x",
        "file_unique_id": "y",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    server.api.push(message(None, sticker=sticker))
    (reply,) = replies(server, 1001)
    assert "文字" in reply["text"]


def test_edited_messages_are_ignored(server: StandInServer, bot: RunningBot) -> None:
    edited = message("深圳建了多少个暖蜂驿站")["message"]
    edited["edit_date"] = edited["date"]
    server.api.push({"edited_message": edited})
    server.api.push(message("/about"))
    (reply,) = replies(server, 1001)
    assert "段" in reply["text"]  # /about answered, the edit was not
    assert len(server.api.sent(1001)) == 1


def test_allowlist_refuses_before_searching(
    server: StandInServer, seed_retriever: Retriever, tmp_path: Path
) -> None:
    state = make_state(seed_retriever, tmp_path, server, allowed_users=(7,))
    with RunningBot(server, state):
        server.api.push(message("深圳建了多少个暖蜂驿站？"))
        (reply,) = replies(server, 1001)
    assert "授权" in reply["text"]
    assert state.questions.stats().days == []  # nothing was searched or logged


def test_reindex_is_admin_only(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(message("/reindex", chat_id=1001))
    (refusal,) = replies(server, 1001)
    assert "管理员" in refusal["text"]
    before = bot.state.service
    server.api.push(message("/reindex", chat_id=42))
    done = replies(server, 42, 2)[-1]
    assert "索引已更新" in done["text"] and "5 篇文档" in done["text"]
    assert bot.state.service is not before


def test_stats_is_admin_only(server: StandInServer, bot: RunningBot) -> None:
    server.api.push(message("深圳建了多少个暖蜂驿站？", chat_id=42))
    replies(server, 42)
    server.api.push(message("/stats", chat_id=1001))
    assert "管理员" in replies(server, 1001)[0]["text"]
    server.api.push(message("/stats", chat_id=42))
    text = replies(server, 42, 2)[-1]["text"]
    assert "asked" in text and "1" in text


def test_rate_limit(server: StandInServer, seed_retriever: Retriever, tmp_path: Path) -> None:
    with RunningBot(server, make_state(seed_retriever, tmp_path, server, rate_limit=2)):
        for _ in range(3):
            server.api.push(message("肇庆建成了多少个初心堂"))
        texts = [r["text"] for r in replies(server, 1001, 3)]
    assert sum("稍等" in t for t in texts) == 1


def test_long_answer_is_split_at_passage_boundaries(
    server: StandInServer, tokenizer: Any, tmp_path: Path
) -> None:
    long = "".join(
        f"第{i}条规定：初心堂的建设要求非常详细地写在这里，包括各项标准和流程。" for i in range(120)
    )
    rows = [{"id": f"d{i}", "title": f"长文{i}", "text": long + f"编号{i}。"} for i in range(3)]
    rows += [
        {"id": f"f{i}", "title": "其他", "text": f"无关内容{i}，天气交通。"} for i in range(10)
    ]
    src = tmp_path / "long.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    retriever = build([src], tmp_path / "long.db", tokenizer=tokenizer, max_chars=5000)
    with RunningBot(server, make_state(retriever, tmp_path, server)):
        server.api.push(message("初心堂的建设要求有哪些规定？"))
        server.api.wait_for(lambda cs: sum(c.method == "sendMessage" for c in cs) >= 2)
        sent = replies(server, 1001, 2)
    for reply in sent:
        assert_valid_html(reply["text"])
    assert len(sent) >= 2


def test_typing_action_failure_does_not_lose_the_answer(
    server: StandInServer, bot: RunningBot
) -> None:
    server.api.fail_next("sendChatAction", 400, "Bad Request: injected failure")
    server.api.push(message("深圳建了多少个暖蜂驿站？"))
    (reply,) = replies(server, 1001)
    assert "1178" in reply["text"]


def test_error_handler_apologises_and_keeps_running(server: StandInServer, bot: RunningBot) -> None:
    server.api.fail_next("sendMessage", 400, "Bad Request: injected failure")
    server.api.push(message("深圳建了多少个暖蜂驿站？"))
    failed, apology = replies(server, 1001, 2)
    assert "1178" in failed["text"] and "抱歉" in apology["text"]
    server.api.push(message("深圳建了多少个暖蜂驿站？"))
    assert "1178" in replies(server, 1001, 3)[-1]["text"]


def test_token_checks_happen_before_any_network_call() -> None:
    assert check_token("") is not None
    assert check_token("not-a-token") is not None
    assert check_token(TOKEN) is None
    assert TOKEN not in (check_token("123:" + TOKEN[4:-5]) or "")


def start_docbot_telegram(api_url: str, cwd: Path, token: str = TOKEN) -> subprocess.Popen[str]:
    """`docbot telegram` in ``cwd`` with only the token and the Bot API URL in its environment."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": api_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "telegram"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop_cleanly(proc: subprocess.Popen[str], already_read: str = "") -> None:
    """SIGTERM ends the bot with status 0, and nothing it printed holds the token."""
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert TOKEN not in out + err + already_read


@pytest.mark.slow
def test_docbot_telegram_subprocess_answers_and_exits_on_sigterm(
    server: StandInServer, tmp_path: Path
) -> None:
    import shutil

    shutil.copytree(CORPUS, tmp_path / "corpus")
    proc = start_docbot_telegram(server.base_url, tmp_path)
    try:
        server.api.push(message("肇庆一共建成了多少个初心堂？"))
        (reply,) = replies(server, 1001)
        assert "1552" in reply["text"]
    finally:
        stop_cleanly(proc)
    assert (tmp_path / "data" / "docbot.db").exists()
    menus = [c.params for c in server.api.calls if c.method == "setMyCommands"]
    assert [c["command"] for c in menus[0]["commands"]][:3] == ["start", "help", "about"]


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "telegram"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "token" in result.stderr


def test_retry_after_is_retried_by_the_library_and_delivered_once(
    server: StandInServer, bot: RunningBot
) -> None:
    server.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    server.api.push(message("深圳建了多少个暖蜂驿站？"))
    server.api.wait_for(lambda cs: sum(c.method == "sendMessage" for c in cs) >= 2)
    attempts = replies(server, 1001, 2)
    assert len(attempts) == 2 and attempts[0]["text"] == attempts[1]["text"]
    assert "1178" in attempts[1]["text"]


@pytest.mark.slow
def test_webhook_mode_subprocess(server: StandInServer, tmp_path: Path) -> None:
    import shutil
    import socket
    import urllib.request

    shutil.copytree(CORPUS, tmp_path / "corpus")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "config.toml").write_text(
        f'[telegram]\nwebhook_url = "https://bot.example.org/telegram"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\nwebhook_secret = "s3cret-token"\n',
        encoding="utf-8",
    )
    proc = start_docbot_telegram(server.base_url, tmp_path)
    seen: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # python-telegram-bot logs this once the webhook server listens
            seen.append(line)
            if "Application started" in line:
                break
        assert any("Application started" in line for line in seen), "".join(seen)
        calls = server.api.wait_for(lambda cs: any(c.method == "setWebhook" for c in cs), 120)
        hook = next(c for c in calls if c.method == "setWebhook").params
        assert hook["url"] == "https://bot.example.org/telegram"
        assert hook["secret_token"] == "s3cret-token"
        update = {"update_id": 1, **message("肇庆一共建成了多少个初心堂？")}

        def post(secret: str) -> int:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/telegram",
                data=json.dumps(update).encode(),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": secret,
                },
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    return int(resp.status)
            except urllib.error.HTTPError as exc:
                return int(exc.code)

        assert post("wrong") == 403
        assert post("s3cret-token") == 200
        (reply,) = replies(server, 1001)
        assert "1552" in reply["text"]
    finally:
        stop_cleanly(proc, already_read="".join(seen))
