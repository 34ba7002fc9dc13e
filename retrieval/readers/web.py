"""Web pages fetched with httpx on explicit settings (never the environment's proxies or
certificates): a timeout for the whole download, a size limit, a redirect limit, the content
sniffed rather than taken from the header, and conditional GET for refreshing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from retrieval.errors import SettingsError

from .contract import LimitExceededError, ReadError, megabytes
from .detect import detect_format

if TYPE_CHECKING:
    import httpx

_SUFFIX_OF_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
}


class FetchError(ReadError):
    """A page could not be fetched: unreachable, refused, an HTTP error, or over a limit."""


@dataclass(frozen=True, slots=True)
class FetchSettings:
    timeout: float = 20.0  # seconds for the whole download, connection included
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    user_agent: str = "docbot/0.1 (indexes pages it was asked to)"
    verify_tls: bool = True

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise SettingsError(f"FetchSettings.timeout must be positive, not {self.timeout!r}")
        if self.max_bytes < 1 or self.max_redirects < 0:
            raise SettingsError("FetchSettings.max_bytes must be positive, max_redirects >= 0")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A page's bytes; ``format`` is sniffed from the content ("html", "pdf", ...)."""

    url: str
    final_url: str
    content: bytes
    content_type: str | None  # as the server said
    format: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class NotModified:
    """The server says the page is unchanged since the given ETag / Last-Modified."""

    url: str
    etag: str | None
    last_modified: str | None


def fetch_url(
    url: str,
    *,
    settings: FetchSettings = FetchSettings(),
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched | NotModified:
    """GET ``url``; with a previous ``etag`` / ``last_modified``, :class:`NotModified` when the
    server says nothing changed. Raises :class:`FetchError` with a message fit for a user."""
    import httpx

    _check_url(url)
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html,application/pdf,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.Client(
            trust_env=False,
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            timeout=settings.timeout,
            verify=settings.verify_tls,
        ) as client:
            return _get(client, url, headers, settings)
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: more than {settings.max_redirects} redirects") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: took longer than {settings.timeout:g} s") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(f"{url}: cannot be fetched ({type(exc).__name__}: {exc})") from exc


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"{url}: not an http(s) address")


def _get(
    client: httpx.Client, url: str, headers: dict[str, str], settings: FetchSettings
) -> Fetched | NotModified:
    deadline = time.monotonic() + settings.timeout
    with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            said = response.headers
            return NotModified(url, said.get("ETag"), said.get("Last-Modified"))
        if response.status_code >= 400:
            reason = response.reason_phrase or "error"
            raise FetchError(f"{url}: the server answered {response.status_code} {reason}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > settings.max_bytes:
            raise LimitExceededError(f"{url}: larger than {megabytes(settings.max_bytes)}")
        content = bytearray()
        for chunk in response.iter_bytes():
            content += chunk
            if len(content) > settings.max_bytes:
                raise LimitExceededError(f"{url}: larger than {megabytes(settings.max_bytes)}")
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: took longer than {settings.timeout:g} s")
        final = str(response.url)
        return Fetched(
            url=url,
            final_url=final,
            content=bytes(content),
            content_type=response.headers.get("Content-Type"),
            format=_sniff(bytes(content), final, response.headers.get("Content-Type")),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _sniff(content: bytes, url: str, content_type: str | None) -> str:
    """The format by content signature; the header's type, then the URL's extension, else."""
    name = urlsplit(url).path.rsplit("/", 1)[-1] or "index"
    suffix = _SUFFIX_OF_TYPE.get((content_type or "").split(";")[0].strip().lower())
    if suffix and not name.lower().endswith(suffix):
        name += suffix
    return detect_format(content, name)
