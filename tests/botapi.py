"""A stand-in Telegram Bot API server for tests (standard library only, 127.0.0.1).

It speaks enough of the Bot API for python-telegram-bot: getMe, getUpdates (long polling),
sendMessage, editMessageText, sendChatAction, answerCallbackQuery, answerInlineQuery,
setMyCommands, the webhook housekeeping calls, and getFile with the download of the file
under the file URL (``/file/bot<token>/<file_path>``); tests add files with
:meth:`BotAPI.add_file` and send them with :func:`document`. Like the real API it answers
401 Unauthorized to a token it does not know, and refuses malformed HTML ("Bad Request: can't
parse entities: ..."), text over 4096 characters and malformed command menus, so a rendering
bug fails a test the way it would fail in production. Every call is recorded; faults can be
injected per method.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from bot.telegram_adapter import BotState, attach, build_application

BOT_ID = 777000111
BOT_USERNAME = "docbot_test_bot"
TOKEN = "123456789:AAH-test_token_for_the_stand_in_server00"
ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "blockquote",
    "span",
}


class _EntityParser(HTMLParser):
    """Checks Telegram HTML the way the Bot API does and measures the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.error: str | None = None
        self.visible = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = f'Unsupported start tag "{tag}" at byte offset {self.getpos()[1]}'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = f"Unexpected end tag at byte offset {self.getpos()[1]}"
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.error = "Unexpected character"
        if re.search(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[a-zA-Z]+;)", data):
            self.error = "Character entity expected"
        self.visible += len(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.error = f'Unsupported HTML entity "&{name};"'
        self.visible += 1

    def handle_charref(self, name: str) -> None:
        self.visible += 1


def check_html(text: str) -> tuple[str | None, int]:
    """(error or None, visible length) for a text sent with parse_mode HTML."""
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        return "Can't find end of the entity starting at byte offset 0", len(text)
    if re.search(r"<(?!/?[a-zA-Z-]+(\s[^<>]*)?>)", text):
        return "Unexpected end of name token", len(text)
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.stack:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    return parser.error, parser.visible


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 0  # the HTTP status answered; 0 for a dropped connection or a timeout


RESET = (0, {"reset": True})  # a fault that drops the connection without an answer


@dataclass
class BotAPI:
    """The server's state: queued updates, recorded calls, injected faults."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    down_until: float = 0.0  # an outage: every method answers 502 until then
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[Callable[[], tuple[int, dict[str, Any]] | None]]] = field(
        default_factory=dict
    )
    cond: threading.Condition = field(default_factory=threading.Condition)
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> content
    message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))  # type: ignore[type-arg]
    update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    # --- what tests do -------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> int:
        with self.cond:
            update = {"update_id": next(self.update_ids), **update}
            self.updates.append(update)
            self.cond.notify_all()
            return int(update["update_id"])

    def wait_for(self, predicate: Callable[[list[Call]], bool], timeout: float = 30) -> list[Call]:
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self.calls), timeout):
                raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
            return list(self.calls)

    def sent(self, chat_id: int | None = None) -> list[Call]:
        with self.cond:
            return [
                c
                for c in self.calls
                if c.method == "sendMessage"
                and (chat_id is None or int(c.params["chat_id"]) == chat_id)
            ]

    def add_file(self, data: bytes, file_name: str | None, mime_type: str | None = None,
                 file_size: int | None = None) -> dict[str, Any]:  # fmt: skip
        """Keep ``data`` for getFile and the download; returns the Document object a message
        carries (``file_size`` may claim another size, as for a file too big to fetch)."""
        with self.cond:
            file_id = f"BQACAgIAAx{len(self.files):06d}"
            self.files[file_id] = data
        size = len(data) if file_size is None else file_size
        doc: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": size,
        }
        if file_name is not None:
            doc["file_name"] = file_name
        if mime_type is not None:
            doc["mime_type"] = mime_type
        return doc

    def edits(self, chat_id: int) -> list[Call]:
        """editMessageText calls in chat ``chat_id``."""
        with self.cond:
            return [
                c
                for c in self.calls
                if c.method == "editMessageText" and int(c.params.get("chat_id", 0)) == chat_id
            ]

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        for _ in range(times):
            self.faults.setdefault(method, []).append(lambda body=body: (status, body))

    # --- what the bot sees ---------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        call = Call(method, params, time.monotonic())
        with self.cond:
            faults = self.faults.get(method)
            fault = faults.pop(0) if faults else None
        result = fault() if fault else None
        if time.monotonic() < self.down_until:
            result = 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        if result is None:
            handler = getattr(self, f"m_{method}", None)
            if handler is None:
                result = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                result = handler(params)
        with self.cond:
            call.status = result[0]
            if method != "getUpdates":
                self.calls.append(call)
            self.cond.notify_all()
        return result

    def unauthorized(self, method: str) -> tuple[int, dict[str, Any]]:
        """What the real API answers to a well-formed token it does not know (params unkept)."""
        with self.cond:
            self.calls.append(Call(method, {}, time.monotonic(), 401))
            self.cond.notify_all()
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}

    def delivered(self, chat_id: int | None = None) -> list[Call]:
        """sendMessage calls the API accepted (what the user actually received)."""
        return [c for c in self.sent(chat_id) if c.status == 200]

    def fail_with(self, method: str, kind: str, times: int = 1, delay: float = 0.0) -> None:
        """Inject ``kind``: "reset" (connection dropped, nothing done), "timeout" (no answer
        within ``delay`` seconds, nothing done) or "500"."""

        def fault() -> tuple[int, dict[str, Any]]:
            if kind == "timeout":
                time.sleep(delay)
                return RESET
            if kind == "reset":
                return RESET
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}

        for _ in range(times):
            self.faults.setdefault(method, []).append(fault)

    def ok(self, result: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"ok": True, "result": result}

    def bad(self, description: str) -> tuple[int, dict[str, Any]]:
        return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}

    def m_getMe(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok(
            {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "docbot",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": True,
            }
        )

    def m_getUpdates(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        timeout = min(float(p.get("timeout") or 0), 2.0)
        with self.cond:
            ready = lambda: [u for u in self.updates if u["update_id"] >= offset]  # noqa: E731
            self.cond.wait_for(lambda: bool(ready()), timeout)
            batch = ready()[: int(p.get("limit") or 100)]
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.ok(batch)

    def _message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(p["chat_id"])
        return {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "docbot",
                "username": BOT_USERNAME,
            },
            "text": p.get("text", ""),
        }

    def _check_text(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        text = str(p.get("text", ""))
        if not text.strip():
            return self.bad("message text is empty")
        visible = len(text)
        if p.get("parse_mode") == "HTML":
            error, visible = check_html(text)
            if error:
                return self.bad(f"can't parse entities: {error}")
        if visible > 4096:
            return self.bad("message is too long")
        markup = p.get("reply_markup")
        if markup:
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if len(button.get("callback_data", "").encode()) > 64:
                        return self.bad("BUTTON_DATA_INVALID")
        return None

    def m_sendMessage(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._check_text(p) or self.ok(self._message(p))

    def m_editMessageText(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self._check_text(p) or self.ok(self._message(p))

    def m_getFile(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        file_id = str(p.get("file_id", ""))
        data = self.files.get(file_id)
        if data is None:
            return self.bad("invalid file_id")
        if len(data) > 20 * 1024 * 1024:
            return self.bad("file is too big")
        return self.ok(
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data),
             "file_path": f"documents/{file_id}.bin"}
        )  # fmt: skip

    def download(self, file_path: str) -> bytes | None:
        """The bytes under the file URL (recorded as a "download" call), None if unknown."""
        m = re.fullmatch(r"documents/(\w+)\.bin", file_path)
        data = self.files.get(m.group(1)) if m else None
        with self.cond:
            self.calls.append(Call("download", {"file_path": file_path}, time.monotonic(),
                                   200 if data is not None else 404))  # fmt: skip
            self.cond.notify_all()
        return data

    def m_sendChatAction(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok(True)

    def m_answerCallbackQuery(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok(True)

    def m_answerInlineQuery(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for result in p.get("results", []):
            content = result.get("input_message_content", {})
            error = self._check_text(
                {"text": content.get("message_text", ""), "parse_mode": content.get("parse_mode")}
            )
            if error:
                return error
        return self.ok(True)

    def m_setWebhook(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok(True)

    def m_deleteWebhook(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok(True)

    def m_setMyCommands(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            return self.bad("commands must be a list of at most 100 BotCommand")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                return self.bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
                return self.bad("command description is empty or too long")
        return self.ok(True)

    def m_getWebhookInfo(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok({"url": "", "has_custom_certificate": False, "pending_update_count": 0})

    def m_close(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.ok(True)


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def make_handler(api: BotAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real API; every reply has a length

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _route(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""  # read even if refused
            if self.path.startswith("/file/bot"):
                self._file()
                return
            m = re.fullmatch(r"/bot([^/]+)/(\w+)", self.path.split("?")[0])
            if not m:
                self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            ctype = self.headers.get("Content-Type", "")
            if "json" in ctype:
                params = json.loads(raw or "{}")
            else:
                params = {
                    k: _decode(v[0]) for k, v in parse_qs(raw, keep_blank_values=True).items()
                }
            if m.group(1) == TOKEN:
                status, body = api.handle(m.group(2), params)
            else:
                status, body = api.unauthorized(m.group(2))
            if (status, body) == RESET:
                self.close_connection = True
                return
            self._send(status, body)

        def _file(self) -> None:
            m = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(self.path))  # as PTB quotes it
            data = api.download(m.group(2)) if m and m.group(1) == TOKEN else None
            if data is None:
                self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = _route
        do_GET = _route

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-poll (a bot being stopped) is not an error here."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class StandInServer:
    """Runs :class:`BotAPI` on 127.0.0.1 in a thread; ``base_url`` is python-telegram-bot's form."""

    def __init__(self) -> None:
        self.api = BotAPI()
        self.httpd = _QuietServer(("127.0.0.1", 0), make_handler(self.api))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/file/bot"

    def __enter__(self) -> StandInServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class RunningBot:
    """The Application polling the stand-in server from a thread of its own."""

    def __init__(self, server: StandInServer, state: BotState, **app_options: Any) -> None:
        self.server = server
        self.state = state
        self.app = build_application(state.settings, TOKEN, warm=False, **app_options)
        attach(self.app, state)
        self.loop = asyncio.new_event_loop()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with self.app:
            if self.app.post_init:  # as run_polling does: after getMe, before the first update
                await self.app.post_init(self.app)
            await self.app.start()
            assert self.app.updater is not None
            await self.app.updater.start_polling(poll_interval=0, timeout=1)
            self.ready.set()
            await self._stop.wait()
            await self.app.updater.stop()
            await self.app.stop()
        self.stopped.set()

    def __enter__(self) -> RunningBot:
        self.thread.start()
        assert self.ready.wait(30), "the bot did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        assert self.stopped.wait(30), "the bot did not stop"
        self.thread.join(10)
        self.loop.close()


# --- update builders -------------------------------------------------------------------------

_ids = itertools.count(1)


def user(uid: int = 1001, language_code: str = "zh-CN") -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": f"u{uid}", "language_code": language_code}


def message(
    text: str | None, chat_id: int = 1001, uid: int | None = None, **extra: Any
) -> dict[str, Any]:
    chat_type = "private" if chat_id > 0 else "supergroup"
    msg: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type, **({"title": "群"} if chat_id < 0 else {})},
        "from": user(
            uid or (chat_id if chat_id > 0 else 1001), extra.pop("language_code", "zh-CN")
        ),
    }
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            cmd = text.split()[0]
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
        elif f"@{BOT_USERNAME}" in text:
            at = text.index(f"@{BOT_USERNAME}")
            msg["entities"] = [{"type": "mention", "offset": at, "length": len(BOT_USERNAME) + 1}]
    msg.update(extra)
    return {"message": msg}


def document(doc: dict[str, Any], chat_id: int = 1001, uid: int | None = None) -> dict[str, Any]:
    """A message carrying the file ``doc`` (from :meth:`BotAPI.add_file`)."""
    return message(None, chat_id, uid, document=doc)


def callback(data: str, chat_id: int = 1001, uid: int | None = None) -> dict[str, Any]:
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(uid or chat_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "docbot"},
                "text": "…",
            },
        }
    }


def inline(query: str, uid: int = 1001) -> dict[str, Any]:
    return {
        "inline_query": {"id": str(next(_ids)), "from": user(uid), "query": query, "offset": ""}
    }
