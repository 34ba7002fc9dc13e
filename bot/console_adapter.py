"""The console: a prompt with line editing and history; answers rendered for a terminal."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TextIO

from retrieval import RetrievalError

from .render import console_text, document_list
from .service import Conversation, Service

HELP = """输入问题（简体或繁體都可以），回车提问。
  :help      显示这段说明
  :docs      列出文档
  :original  切换：段落显示原文 / 显示为提问的字体
  :new       开始新的对话（不再接着上一个问题）
  :quit      退出（也可以按 Ctrl-D）"""

HISTORY_FILE = Path.home() / ".docbot_history"


def _enable_line_editing() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - not on every platform
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(1000)
    import atexit

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(HISTORY_FILE)

    atexit.register(save)


def run_console(
    service: Service,
    colour: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Ask questions until :quit or end of input. Ctrl-C clears the line; Ctrl-D leaves."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        _enable_line_editing()
    documents = list(service.retriever.documents.values())
    print(
        f"docbot：{len(documents)} 篇文档，{len(service.retriever)} 个段落。输入 :help 查看用法。",
        file=stdout,
    )
    conversation = Conversation()
    original = False
    while True:
        try:
            line = input("问> ") if interactive else _read(stdin, stdout)
        except EOFError:
            print(file=stdout)
            return 0
        except KeyboardInterrupt:
            print("^C", file=stdout)
            continue
        if line is None:
            return 0
        line = line.strip()
        if not line:
            continue
        if line in (":quit", ":q", ":exit"):
            return 0
        if line in (":help", ":h", "?"):
            print(HELP, file=stdout)
            continue
        if line == ":docs":
            print(
                "\n".join(document_list(documents, conversation.script or "simplified")),
                file=stdout,
            )
            continue
        if line == ":original":
            original = not original
            print("段落显示原文。" if original else "段落显示为提问的字体。", file=stdout)
            continue
        if line == ":new":
            conversation = Conversation()
            print("新的对话。", file=stdout)
            continue
        try:
            answer = service.ask(line, conversation)
        except RetrievalError as exc:
            print(f"出错了：{exc}", file=stdout)
            continue
        print(
            console_text(answer, documents, colour, original=original) + "\n",
            file=stdout,
            flush=True,
        )


def _read(stdin: TextIO, stdout: TextIO) -> str | None:
    print("问> ", end="", file=stdout, flush=True)
    line = stdin.readline()
    if not line:
        print(file=stdout)
        return None
    return line
