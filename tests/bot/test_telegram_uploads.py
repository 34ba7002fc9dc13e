"""Documents sent to the bot, /about pages and /remove: the real Application against the
stand-in Bot API (getFile and the download included), real files, a real index on disk."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.app import index, reopened_service, telegram_library, upload_file_name
from bot.config import Config, IndexSettings, TelegramConfig
from bot.questionlog import QuestionLog
from bot.telegram_adapter import BotState, RateLimiter
from retrieval import Retriever, Tokenizer, list_documents
from tests.botapi import RunningBot, StandInServer, callback, document, message
from tests.conftest import CORPUS
from tests.retrieval import makefiles

ADMIN = 42
STRANGER = 1001


@pytest.fixture
def server() -> Iterator[StandInServer]:
    with StandInServer() as s:
        yield s


@pytest.fixture
def cfg(tmp_path: Path, server: StandInServer, seed_retriever: Retriever) -> Config:
    """A config over a copy of the bundled-corpus index, uploads in tmp_path/data/uploads."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(seed_retriever.path, data / "docbot.db")
    settings = IndexSettings(path=data / "docbot.db", corpus=(CORPUS,), uploads=data / "uploads")
    telegram = TelegramConfig(
        api_base_url=server.base_url, api_file_url=server.file_url, admins=(ADMIN,)
    )
    return Config(index=settings, cache_dir=data, telegram=telegram)


def make_state(cfg: Config, tokenizer: Tokenizer, tmp_path: Path) -> BotState:
    library = telegram_library(cfg, tokenizer)
    questions = QuestionLog.open(tmp_path / "questions.db", keep_text=True)
    reindex = library.reopen
    state = BotState(library.reopen(), questions, cfg.telegram, reindex, RateLimiter(0))
    state.library = library
    return state


@pytest.fixture
def bot(
    server: StandInServer, cfg: Config, tokenizer: Tokenizer, tmp_path: Path
) -> Iterator[RunningBot]:
    with RunningBot(server, make_state(cfg, tokenizer, tmp_path)) as running:
        yield running


def edited(server: StandInServer, chat_id: int, marker: str) -> dict[str, Any]:
    """The first edit in ``chat_id`` whose text holds ``marker`` (waiting for it)."""
    server.api.wait_for(
        lambda _: any(marker in c.params["text"] for c in server.api.edits(chat_id))
    )
    return next(c.params for c in server.api.edits(chat_id) if marker in c.params["text"])


def said(server: StandInServer, chat_id: int, marker: str) -> dict[str, Any]:
    """The first message to ``chat_id`` whose text holds ``marker`` (waiting for it)."""
    server.api.wait_for(lambda _: any(marker in c.params["text"] for c in server.api.sent(chat_id)))
    return next(c.params for c in server.api.sent(chat_id) if marker in c.params["text"])


def send_file(server: StandInServer, data: bytes, name: str | None, uid: int = ADMIN) -> None:
    server.api.push(document(server.api.add_file(data, name), chat_id=uid))


def uploaded(cfg: Config) -> list[str]:
    folder = cfg.index.uploads
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def upload_documents(cfg: Config) -> list[str]:
    key = str(cfg.index.uploads.resolve())
    return [d.title for d in list_documents(cfg.index.path)[1] if d.origin == key]


def test_upload_by_an_admin_is_indexed_answered_and_offers_questions(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    send_file(server, makefiles.pdf("traditional"), "../../etc/總統府 歷史.PDF")
    result = edited(server, ADMIN, "已加入")
    # shown in the sender's script, as titles are
    assert said(server, ADMIN, "正在读取")["text"] == "正在读取《总统府 历史.PDF》……"
    texts = [c.params["text"] for c in server.api.edits(ADMIN)]
    assert texts.index("正在建立索引……") < texts.index(result["text"])
    assert "总统府的历史" in result["text"] and "pdf" in result["text"]
    assert "个段落" in result["text"]
    assert [c.method for c in server.api.calls].count("download") == 1
    assert uploaded(cfg) == ["總統府_歷史.pdf"]  # folders stripped; nothing outside the folder
    assert not (cfg.index.path.parent.parent / "etc").exists()
    examples = [row[0] for row in result["reply_markup"]["inline_keyboard"]]
    assert len(examples) == 2
    # a typed question about it finds its passage first
    server.api.push(message("總統府的中央塔樓有多高？", chat_id=ADMIN))
    answer = said(server, ADMIN, "六十公尺")
    assert answer["text"].index("總統府的歷史") < answer["text"].index(
        "[2]" if "[2]" in answer["text"] else "¶"
    )
    # and so does each question offered under it
    for n, button in enumerate(examples, start=1):
        server.api.push(callback(button["callback_data"], chat_id=ADMIN))
        server.api.wait_for(lambda _, n=n: len(server.api.sent(ADMIN)) >= 2 + n)
        reply = server.api.sent(ADMIN)[-1].params["text"]
        assert "总统府的历史》" in reply.split("[2]")[0]


def test_a_stranger_is_refused_and_nothing_is_stored(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    send_file(server, makefiles.docx(), "报告.docx", uid=STRANGER)
    assert "不能" in said(server, STRANGER, "文档")["text"]
    assert uploaded(cfg) == [] and upload_documents(cfg) == []
    assert not any(c.method in ("getFile", "download") for c in server.api.calls)


def test_over_twenty_megabytes_is_refused_before_downloading(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    doc = server.api.add_file(b"%PDF-1.4 ...", "big.pdf", file_size=25 * 1024 * 1024)
    server.api.push(document(doc, chat_id=ADMIN))
    assert "25.0 MB" in said(server, ADMIN, "20 MB")["text"]
    assert not any(c.method in ("getFile", "download") for c in server.api.calls)
    assert uploaded(cfg) == []


def test_the_same_name_twice_replaces_the_document(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    send_file(server, makefiles.docx("simplified"), "报告.docx")
    edited(server, ADMIN, "肇庆初心堂建设纪实")
    send_file(server, makefiles.docx("traditional"), "报告.docx")
    edited(server, ADMIN, "总统府的历史")
    assert uploaded(cfg) == ["报告.docx"]
    assert upload_documents(cfg) == ["臺北總統府的歷史"]


def test_an_unsupported_file_is_reported_and_not_kept(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    documents = len(bot.state.service.documents)
    send_file(server, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧文件.doc")
    reply = edited(server, ADMIN, "没能加入")
    assert "旧文件.doc" in reply["text"] and "support" in reply["text"]
    assert uploaded(cfg) == [] and len(bot.state.service.documents) == documents


def test_remove_asks_to_confirm_and_deletes_the_uploaded_file(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    send_file(server, makefiles.html("traditional"), "page.html")
    edited(server, ADMIN, "已加入")
    server.api.push(message("/remove", chat_id=STRANGER))
    assert "管理员" in said(server, STRANGER, "命令")["text"]
    server.api.push(message("/remove", chat_id=ADMIN))
    picks = said(server, ADMIN, "哪篇")["reply_markup"]["inline_keyboard"]
    pick = next(row[0] for row in picks if "總統府" in row[0]["text"] or "总统府" in row[0]["text"])
    server.api.push(callback(pick["callback_data"], chat_id=ADMIN))
    confirm = edited(server, ADMIN, "确定要删除")
    yes, no = confirm["reply_markup"]["inline_keyboard"][0]
    assert uploaded(cfg) == ["page.html"]  # nothing happens before the confirmation
    server.api.push(callback(no["callback_data"], chat_id=ADMIN))
    edited(server, ADMIN, "已取消")
    assert uploaded(cfg) == ["page.html"]
    server.api.push(callback(yes["callback_data"], chat_id=STRANGER))  # not an admin's press
    server.api.wait_for(lambda cs: any(c.method == "answerCallbackQuery" for c in cs))
    assert uploaded(cfg) == ["page.html"]
    server.api.push(callback(yes["callback_data"], chat_id=ADMIN))
    assert "5 篇文档" in edited(server, ADMIN, "已删除")["text"]
    assert uploaded(cfg) == [] and upload_documents(cfg) == []
    assert all("總統府" not in d.title for d in bot.state.service.documents)


def test_remove_by_name_forgets_a_corpus_document_but_keeps_its_file(
    server: StandInServer, bot: RunningBot, cfg: Config
) -> None:
    name = bot.state.service.documents[0].name
    server.api.push(message(f"/remove {name}", chat_id=ADMIN))
    yes, _ = said(server, ADMIN, "确定要删除")["reply_markup"]["inline_keyboard"][0]
    server.api.push(callback(yes["callback_data"], chat_id=ADMIN))
    edited(server, ADMIN, "已删除")
    assert name not in {d.name for d in bot.state.service.documents}
    assert (CORPUS / name).exists() or any(CORPUS.rglob(Path(name).name))


def test_about_is_paged_with_buttons(
    server: StandInServer, cfg: Config, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(12):
        (folder / f"note{n:02d}.md").write_text(f"# 笔记{n}\n\n第{n}号笔记记录了深圳的会议内容。\n")
    index(cfg, [folder], tokenizer, quiet=True)
    with RunningBot(server, make_state(cfg, tokenizer, tmp_path)):
        server.api.push(message("/about", chat_id=STRANGER))
        first = said(server, STRANGER, "第 1/2 页")
        assert first["text"].count("\n") == 10 and "markdown" in first["text"] + "text"
        (turn,) = first["reply_markup"]["inline_keyboard"][0]
        server.api.push(callback(turn["callback_data"], chat_id=STRANGER))
        second = edited(server, STRANGER, "第 2/2 页")
        assert second["text"].count("\n") == 7 and "笔记11" in second["text"]
        assert [b["text"] for b in second["reply_markup"]["inline_keyboard"][0]] == ["上一页"]


def test_uploads_survive_a_restart_and_a_plain_reindex(
    server: StandInServer, cfg: Config, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    state = make_state(cfg, tokenizer, tmp_path)
    with RunningBot(server, state):
        send_file(server, makefiles.markdown("traditional"), "notes.md")
        edited(server, ADMIN, "已加入")
    state.questions.close()
    with RunningBot(server, make_state(cfg, tokenizer, tmp_path / "again")):
        server.api.push(message("總統府的中央塔樓有多高？", chat_id=ADMIN))
        assert "總統府的歷史" in said(server, ADMIN, "六十公尺")["text"]
    index(cfg, [], tokenizer, quiet=True)
    assert upload_documents(cfg) == ["臺北總統府的歷史"]
    answer = reopened_service(cfg, tokenizer).ask("總統府的中央塔樓有多高？")
    assert answer.answered and answer.citations[0].sources[0].title == "臺北總統府的歷史"


@pytest.mark.parametrize(
    ("sent", "mime", "kept"),
    [
        ("../../etc/passwd", None, "passwd"),
        ("..\\..\\x\\年度 报告.PDF", None, "年度_报告.pdf"),
        (".bashrc", None, "bashrc"),
        ("", "application/pdf", "document.pdf"),
        ("a/b/..", None, "document"),
        ("x" * 300 + ".docx", None, "x" * 60 + ".docx"),
        ("报告.do/c", None, "c"),
        ("rm -rf $(x);.md", None, "rm_-rf_x.md"),
    ],
)
def test_upload_names_are_made_by_us(sent: str, mime: str | None, kept: str) -> None:
    assert upload_file_name(sent, mime) == kept


def test_the_upload_folder_is_git_ignored() -> None:
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().split()
    assert "/data/" in ignored and replace(IndexSettings()).uploads.parts[0] == "data"


def test_upload_nobody_refuses_even_an_admin(
    server: StandInServer, cfg: Config, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    state = make_state(cfg, tokenizer, tmp_path)
    state.settings = replace(state.settings, upload="nobody")
    with RunningBot(server, state):
        send_file(server, makefiles.docx(), "报告.docx")
        assert "不能" in said(server, ADMIN, "文档")["text"]
    assert uploaded(cfg) == [] and not any(c.method == "getFile" for c in server.api.calls)
