"""Starting `docbot telegram`: a rejected token, an unreachable Bot API, the command menu."""

from __future__ import annotations

import logging
import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import ConfigError, TelegramConfig
from bot.render import TELEGRAM_ADMIN_COMMANDS, TELEGRAM_COMMANDS
from bot.telegram_adapter import TokenFilter, build_application, connect
from retrieval import Retriever
from tests.botapi import TOKEN, RunningBot, StandInServer, message
from tests.conftest import CORPUS

from .test_telegram_adapter import make_state, replies, start_docbot_telegram, stop_cleanly

pytestmark = pytest.mark.slow  # subprocesses, faults or whole evaluation sets


@pytest.fixture
def server() -> Iterator[StandInServer]:
    with StandInServer() as s:
        yield s


UNKNOWN_TOKEN = "987654321:AAH-a_token_the_stand_in_does_not_know"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_rejected_token_is_one_line_exit_2_and_never_shown(
    server: StandInServer, tmp_path: Path
) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    proc = start_docbot_telegram(server.base_url, tmp_path, token=UNKNOWN_TOKEN)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert err == "Error: the Bot API rejected the token 987…:***\n"
    assert UNKNOWN_TOKEN not in out + err and "Traceback" not in out + err
    assert [(c.method, c.status) for c in server.api.calls] == [("getMe", 401)]
    assert not (tmp_path / "data").exists()  # told before any time went into the index


def test_unreachable_api_is_named_without_the_token(tmp_path: Path) -> None:
    port = closed_port()
    proc = start_docbot_telegram(f"http://127.0.0.1:{port}/bot", tmp_path)
    assert proc.stderr is not None
    warning = proc.stderr.readline()  # the first retry's warning
    try:
        assert "Bot API unreachable" in warning
        assert f"http://127.0.0.1:{port}/bot***/getMe" in warning
    finally:
        stop_cleanly(proc, already_read=warning)  # SIGTERM while waiting: status 0


def test_unreachable_api_once_the_retries_are_spent_is_an_error_naming_the_url() -> None:
    port = closed_port()
    settings = replace(TelegramConfig(), api_base_url=f"http://127.0.0.1:{port}/bot")
    with pytest.raises(ConnectionError) as caught:
        connect(build_application(settings, TOKEN, retry_budget=0))
    assert f"cannot reach the Bot API at http://127.0.0.1:{port}/bot***/getMe" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_wrong_api_url_is_told_apart_from_a_rejected_token(server: StandInServer) -> None:
    wrong = server.base_url.replace("/bot", "/api/bot")
    with pytest.raises(ConfigError) as caught:
        connect(build_application(replace(TelegramConfig(), api_base_url=wrong), TOKEN))
    assert "answered Not Found" in str(caught.value) and "api_base_url" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_commands_are_registered_with_chinese_descriptions(
    server: StandInServer, seed_retriever: Retriever, tmp_path: Path
) -> None:
    with RunningBot(server, make_state(seed_retriever, tmp_path, server, admins=(42,))):
        public, admin = [c.params for c in server.api.calls if c.method == "setMyCommands"]
    menu = [(c["command"], c["description"]) for c in public["commands"]]
    assert [name for name, _ in menu] == ["start", "help", "about", "ask", "original"]
    assert menu == list(TELEGRAM_COMMANDS) and "scope" not in public
    assert all(re.search(r"[\u4e00-\u9fff]", text) for _, text in menu)
    assert admin["scope"] == {"type": "chat", "chat_id": 42}  # the admins' own chats only
    full = [(c["command"], c["description"]) for c in admin["commands"]]
    assert full == list(TELEGRAM_COMMANDS + TELEGRAM_ADMIN_COMMANDS)


def test_a_failed_command_menu_leaves_the_bot_running(
    server: StandInServer,
    seed_retriever: Retriever,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.api.fail_next("setMyCommands", 400, "Bad Request: injected failure")
    with RunningBot(server, make_state(seed_retriever, tmp_path, server)):
        server.api.push(message("深圳建了多少个暖蜂驿站？"))
        (reply,) = replies(server, 1001)
    assert "1178" in reply["text"]
    assert "Could not register the command menu" in caplog.text


def test_token_filter_masks_the_token_in_tracebacks_too(caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(TokenFilter(TOKEN))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        logging.getLogger("docbot.test").exception("start-up failed")
    assert "start-up failed" in caplog.text and "RuntimeError" in caplog.text
    assert TOKEN not in caplog.text and "The token `***`" in caplog.text
