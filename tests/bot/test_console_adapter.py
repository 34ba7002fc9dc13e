"""The console, driven in-process with scripted input against a real index."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import config
from bot.app import LiveService, make_service, make_tokenizer, open_retriever
from bot.console_adapter import _forget_blank_line, run_console
from retrieval import build_index
from tests.conftest import CORPUS


class ScriptedInput(io.StringIO):
    """Lines for the console; a callable in the script runs when its turn comes."""

    def __init__(self, script: list[str | Callable[[], None]]) -> None:
        super().__init__()
        self.script = list(script)

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        while self.script:
            item = self.script.pop(0)
            if isinstance(item, str):
                return item + "\n"
            item()
        return ""


def console(tmp_path: Path, script: list[str | Callable[[], None]]) -> str:
    cfg = config.load(overrides={("index", "path"): tmp_path / "i.db"})
    tokenizer = make_tokenizer(cfg)
    live = LiveService(cfg, tokenizer, make_service(cfg, open_retriever(cfg, tokenizer, True)))
    out = io.StringIO()
    assert run_console(live, colour=False, stdin=ScriptedInput(script), stdout=out) == 0
    return out.getvalue()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def test_an_unknown_command_is_said_not_searched(tmp_path: Path, corpus: Path) -> None:
    out = console(tmp_path, [":hepl", ":quit"])
    assert "未知命令 :hepl" in out
    assert "文档中没有找到" not in out and "答：" not in out


def test_a_rebuilt_index_is_noticed_between_questions(tmp_path: Path, corpus: Path) -> None:
    def add_a_document() -> None:
        (corpus / "new.txt").write_text(
            "红树林保护\n\n红树林保护区新建党员服务站三个，由志愿者轮流值守。\n", encoding="utf-8"
        )
        build_index([corpus], tmp_path / "i.db")

    out = console(
        tmp_path,
        ["肇庆一共建成了多少个初心堂？", add_a_document, "红树林保护区新建了几个党员服务站？"],
    )
    assert "1552" in out
    assert "索引已重新打开：6 篇文档" in out
    assert "三个，由志愿者轮流值守" in out.split("索引已重新打开")[1]


def test_reload_command_reopens_the_index(tmp_path: Path, corpus: Path) -> None:
    out = console(tmp_path, [":reload", ":quit"])
    assert "索引已重新打开：5 篇文档" in out


def test_whitespace_lines_stay_out_of_the_history() -> None:
    readline = pytest.importorskip("readline")
    readline.clear_history()
    readline.add_history("肇庆有多少个初心堂")
    readline.add_history("   ")
    _forget_blank_line()
    assert readline.get_current_history_length() == 1
    assert readline.get_history_item(1) == "肇庆有多少个初心堂"
    _forget_blank_line()  # a real line stays
    assert readline.get_current_history_length() == 1
