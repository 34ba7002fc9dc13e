"""Talking to the Bot API safely: connecting, retries through outages, rate limits, a masked
token."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from .config import ConfigError, TelegramConfig

log = logging.getLogger("docbot.telegram")

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
TOKEN_INSIDE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{30,}")


def masked(text: str) -> str:
    """``text`` with anything shaped like a bot token (in a URL, say) replaced by ``***``."""
    return TOKEN_INSIDE.sub("***", text)


def token_hint(token: str) -> str:
    """Enough of ``token`` to tell which one was meant, and no more: ``123…:***``."""
    return f"{token[:3]}…:***"


class TokenFilter(logging.Filter):
    """Masks the bot token in every log record (httpx logs request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg = message.replace(self.token, "***")
                record.args = ()
            if record.exc_info and not record.exc_text:  # the traceback, as handlers print it
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text and self.token in record.exc_text:
                record.exc_text = record.exc_text.replace(self.token, "***")
        return True


class RetryingRequest(HTTPXRequest):
    """Bot API requests that ride out a flaky or briefly absent API.

    Connection failures, timeouts, resets and 5xx answers are retried with capped exponential
    backoff for up to ``budget`` seconds (a minute's outage passes); 4xx answers are final, and
    429 is left to the rate limiter, which honours retry_after. A request that failed before
    the API took it is sent again, so a reply is delivered once; a request whose answer alone
    was lost (the API took it, the connection broke) can in principle arrive twice: Telegram
    offers no way to send idempotently.
    """

    def __init__(
        self, *args: Any, budget: float = 90.0, first_wait: float = 0.5, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget
        self.first_wait = first_wait

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        url = masked(str(kwargs.get("url", args[0] if args else "")))
        deadline = time.monotonic() + self.budget
        wait = self.first_wait
        while True:
            try:
                code, payload = await super().do_request(*args, **kwargs)
                if code < 500 or time.monotonic() + wait > deadline:
                    return code, payload
                log.warning("Bot API answered %s at %s; retrying in %.1f s", code, url, wait)
            except NetworkError as exc:  # connection refused/reset, timeouts (TimedOut)
                if time.monotonic() + wait > deadline:
                    raise
                log.warning(
                    "Bot API unreachable at %s (%s); retrying in %.1f s",
                    url,
                    type(exc).__name__,
                    wait,
                )
            await asyncio.sleep(wait)
            wait = min(wait * 2, 10.0)


class RateLimiter:
    """At most ``per_minute`` questions per user, and ``global_per_minute`` in all, in any 60 s.

    :meth:`check` says "ok", "notify" (over the limit: tell the user once per window) or "drop"
    (over the limit and already told): a flood costs one notice, not one reply per message.
    """

    def __init__(
        self,
        per_minute: int,
        global_per_minute: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.global_per_minute = global_per_minute
        self.clock = clock
        self._seen: dict[int, deque[float]] = defaultdict(deque)
        self._all: deque[float] = deque()
        self._told: dict[int, float] = {}

    def check(self, user_id: int) -> str:
        now = self.clock()
        seen = self._seen[user_id]
        for window in (seen, self._all):
            while window and now - window[0] >= 60:
                window.popleft()
        over_user = 0 < self.per_minute <= len(seen)
        over_all = 0 < self.global_per_minute <= len(self._all)
        if not (over_user or over_all):
            seen.append(now)
            self._all.append(now)
            return "ok"
        if now - self._told.get(user_id, -1e9) >= 60:
            self._told[user_id] = now
            return "notify"
        return "drop"

    def allow(self, user_id: int) -> bool:
        return self.check(user_id) == "ok"


def check_token(token: str) -> str | None:
    """None if ``token`` looks like a bot token, else what is wrong (never the token itself)."""
    if not token:
        return "no Telegram bot token: set TELEGRAM_BOT_TOKEN or [telegram] token in config.toml"
    if not TOKEN_PATTERN.match(token):
        return "the Telegram bot token is malformed (expected <digits>:<35 characters>)"
    return None


def install_log_masking(token: str) -> None:
    """Mask the token in every log line and keep httpx's per-request lines out."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    mask = TokenFilter(token)
    root = logging.getLogger()
    for handler in root.handlers:
        handler.addFilter(mask)
    root.addFilter(mask)


def new_application(
    settings: TelegramConfig,
    token: str,
    post_init: Callable[[Application], Coroutine[Any, Any, None]],  # type: ignore[type-arg]
    read_timeout: float = 10.0,
    retry_budget: float = 90.0,
) -> Application:  # type: ignore[type-arg]
    """An Application talking to the configured Bot API: requests retried through outages,
    flood limits honoured, updates handled concurrently. No handlers yet."""
    request = RetryingRequest(
        connection_pool_size=64, read_timeout=read_timeout, budget=retry_budget
    )
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .request(request)
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .build()
    )


async def register_commands(
    bot: Bot,
    everyone: Sequence[tuple[str, str]],
    admins_too: Sequence[tuple[str, str]],
    admins: Sequence[int],
) -> None:
    """The command menu Telegram shows: ``everyone``'s commands for all, ``admins_too`` added
    in each admin's private chat. A failure costs the menu (a warning), never the bot."""
    public = [BotCommand(name, text) for name, text in everyone]
    full = public + [BotCommand(name, text) for name, text in admins_too]
    menus = [(public, None)] + [(full, BotCommandScopeChat(admin)) for admin in admins]
    for commands, scope in menus:
        try:
            await bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:  # e.g. an admin who never opened a chat with the bot
            whose = f" for admin {scope.chat_id}" if scope else ""
            log.warning("Could not register the command menu%s: %s", whose, exc)


def connect(app: Application) -> bool:  # type: ignore[type-arg]
    """Initialise ``app`` (getMe) on a new event loop, which run_polling and run_webhook then
    go on using. False if SIGINT or SIGTERM came first.

    A token the API rejects is a ConfigError, an API still unreachable once the retries are
    spent a ConnectionError; neither message, nor any log line, holds the token.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    connected = False
    try:
        connected = loop.run_until_complete(_initialize(app))
        return connected
    finally:
        if not connected:
            asyncio.set_event_loop(None)
            loop.close()


async def _initialize(app: Application) -> bool:  # type: ignore[type-arg]
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(app.initialize())
    stops = (signal.SIGINT, signal.SIGTERM)
    for stop in stops:
        loop.add_signal_handler(stop, task.cancel)
    url = f"{masked(app.bot.base_url)}/getMe"
    connected = False
    try:
        await task
        connected = True
    except asyncio.CancelledError:
        pass
    except InvalidToken as exc:
        raise ConfigError(_rejected(app.bot.token, url, exc)) from None
    except NetworkError as exc:
        raise ConnectionError(f"cannot reach the Bot API at {url}: {masked(str(exc))}") from None
    finally:
        for stop in stops:
            loop.remove_signal_handler(stop)
        if not connected:
            await app.bot.shutdown()  # its HTTP connections
    return connected


def _rejected(token: str, url: str, exc: InvalidToken) -> str:
    """Why getMe failed: 401 is a token the API does not know, 404 often a wrong base URL."""
    if "not found" in str(exc.__cause__ or "").lower():
        return (
            f"the Bot API at {url} answered Not Found: check the token {token_hint(token)} "
            "and [telegram] api_base_url"
        )
    return f"the Bot API rejected the token {token_hint(token)}"
