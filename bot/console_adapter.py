"""The console: a prompt with line editing and history; answers rendered for a terminal."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Protocol, TextIO

from retrieval import RetrievalError

from .render import DEFAULT_DISPLAY, DisplaySettings, console_text, document_list
from .service import Conversation, Service

HELP = """输入问题（简体或繁體都可以），回车提问。
  :help      显示这段说明
  :docs      列出文档
  :original  切换：段落显示原文 / 显示为提问的字体
  :new       开始新的对话（不再接着上一个问题）
  :reload    重新打开索引（索引在别处重建或更新后会自动重新打开）
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


class ServiceSource(Protocol):
    """The service over an index that another process may rebuild (bot.app.LiveService)."""

    service: Service

    def changed(self) -> bool: ...

    def reload(self) -> Service: ...


def run_console(
    live: ServiceSource,
    colour: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    display: DisplaySettings = DEFAULT_DISPLAY,
) -> int:
    """Ask questions until :quit or end of input. Ctrl-C clears the line; Ctrl-D leaves."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        _enable_line_editing()
    session = _Session(live, stdout, colour, display)
    print(session.banner(), file=stdout)
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
            _forget_blank_line()
            continue
        if not session.handle(line):
            return 0


class _Session:
    """One console session: the conversation, the display mode, the live index."""

    def __init__(
        self, live: ServiceSource, stdout: TextIO, colour: bool, display: DisplaySettings
    ) -> None:
        self.live, self.stdout, self.colour, self.display = live, stdout, colour, display
        self.conversation = Conversation()
        self.original = False

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def summary(self) -> str:
        service = self.live.service
        return f"{len(service.documents)} 篇文档，{service.size} 个段落"

    def banner(self) -> str:
        return f"docbot：{self.summary()}。输入 :help 查看用法。"

    def handle(self, line: str) -> bool:
        """Act on one line; False when the session ends."""
        if line.startswith(":") or line == "?":
            return self.command(":help" if line == "?" else line)
        if self.live.changed():
            self.reload()
        try:
            answer = self.live.service.ask(line, self.conversation)
        except RetrievalError as exc:
            self.say(f"出错了：{exc}")
            return True
        documents = self.live.service.documents
        text = console_text(answer, documents, self.colour, self.original, self.display)
        self.say(text + "\n")
        return True

    def command(self, line: str) -> bool:
        name = line.split()[0]
        if name in (":quit", ":q", ":exit"):
            return False
        if name in (":help", ":h"):
            self.say(HELP)
        elif name == ":docs":
            script = self.conversation.script or "simplified"
            titles = document_list(self.live.service.documents, script, self.display)
            self.say("\n".join(titles))
        elif name == ":original":
            self.original = not self.original
            self.say("段落显示原文。" if self.original else "段落显示为提问的字体。")
        elif name == ":new":
            self.conversation = Conversation()
            self.say("新的对话。")
        elif name == ":reload":
            self.reload()
        else:
            self.say(f"未知命令 {name}。输入 :help 查看可用的命令。")
        return True

    def reload(self) -> None:
        try:
            self.live.reload()
        except RetrievalError as exc:
            self.say(f"索引无法重新打开，继续使用原来的索引：{exc}")
            return
        self.say(f"索引已重新打开：{self.summary()}。")


def _forget_blank_line() -> None:
    """Keep a whitespace-only line out of the line-editing history."""
    try:
        import readline
    except ImportError:  # pragma: no cover - not on every platform
        return
    n = readline.get_current_history_length()
    if n and not (readline.get_history_item(n) or "").strip():
        readline.remove_history_item(n - 1)


def _read(stdin: TextIO, stdout: TextIO) -> str | None:
    print("问> ", end="", file=stdout, flush=True)
    line = stdin.readline()
    if not line:
        print(file=stdout)
        return None
    return line
