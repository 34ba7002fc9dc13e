"""Talking to the Bot API safely: retries through outages, rate limits, a masked token."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest

log = logging.getLogger("docbot.telegram")

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")


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
        deadline = time.monotonic() + self.budget
        wait = self.first_wait
        while True:
            try:
                code, payload = await super().do_request(*args, **kwargs)
                if code < 500 or time.monotonic() + wait > deadline:
                    return code, payload
                log.warning("Bot API answered %s; retrying in %.1f s", code, wait)
            except NetworkError as exc:  # connection refused/reset, timeouts (TimedOut)
                if time.monotonic() + wait > deadline:
                    raise
                log.warning(
                    "Bot API unreachable (%s); retrying in %.1f s", type(exc).__name__, wait
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
