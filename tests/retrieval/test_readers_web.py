"""Fetching web pages from a server on 127.0.0.1 that the test starts: a Chinese page read
back with its title, conditional GET, redirect and size limits, HTTP errors, sniffed content."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from retrieval.readers import LimitExceededError, read_document
from retrieval.readers.web import Fetched, FetchError, FetchSettings, NotModified, fetch_url

from . import makefiles

PAGE = makefiles.html("traditional")
ETAG = '"v1"'
MODIFIED = "Wed, 14 Jun 2023 08:00:00 GMT"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is not the server's access log."""

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        # the client stops reading past its size limit: what those tests expect
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.answer(self.path)

    def answer(self, path: str) -> None:
        if path == "/news/page.html":
            if self.headers.get("If-None-Match") == ETAG:
                self.send(304, b"", "text/html")
            else:
                self.send(200, PAGE, "text/html; charset=utf-8", ETag=ETAG, Last_Modified=MODIFIED)
        elif path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/news/page.html" if left == 0 else f"/hop/{left - 1}"
            self.send(302, b"", "text/html", Location=target)
        elif path == "/report":  # a PDF that the server calls HTML
            self.send(200, makefiles.pdf(pages=2), "text/html")
        elif path == "/huge":  # no Content-Length: the size shows only while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"<p>" + b"x" * 16_000 + b"</p>")
        elif path == "/big":
            self.send(200, b"<p>" + b"x" * 2_000_000 + b"</p>", "text/html")
        else:
            self.send(404, "找不到".encode(), "text/plain; charset=utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


SETTINGS = FetchSettings(timeout=10, max_bytes=500_000, max_redirects=3)


def test_a_chinese_page_is_fetched_and_read(server: str) -> None:
    got = fetch_url(f"{server}/news/page.html", settings=SETTINGS)
    assert isinstance(got, Fetched)
    assert (got.format, got.etag, got.last_modified) == ("html", ETAG, MODIFIED)
    assert got.content_type == "text/html; charset=utf-8" and got.content == PAGE
    doc = read_document(got.content, got.final_url, url=got.final_url)
    assert doc.title == makefiles.TRADITIONAL["title"] and doc.url == got.final_url
    assert doc.blocks[1].text == makefiles.TRADITIONAL["paragraphs"][1]


def test_an_unchanged_page_is_not_modified(server: str) -> None:
    got = fetch_url(f"{server}/news/page.html", settings=SETTINGS, etag=ETAG)
    assert isinstance(got, NotModified)
    again = fetch_url(f"{server}/news/page.html", settings=SETTINGS, etag='"v0"')
    assert isinstance(again, Fetched)


def test_redirects_are_followed_up_to_the_limit(server: str) -> None:
    got = fetch_url(f"{server}/hop/2", settings=SETTINGS)  # three redirects
    assert isinstance(got, Fetched) and got.final_url == f"{server}/news/page.html"
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch_url(f"{server}/hop/3", settings=SETTINGS)


@pytest.mark.parametrize("path", ["/big", "/huge"])
def test_a_page_over_the_size_limit_is_refused(server: str, path: str) -> None:
    with pytest.raises(LimitExceededError, match=r"larger than 0\.5 MB"):
        fetch_url(f"{server}{path}", settings=SETTINGS)


def test_http_errors_are_one_clear_line(server: str) -> None:
    with pytest.raises(FetchError, match=r"/missing: the server answered 404 Not Found$"):
        fetch_url(f"{server}/missing", settings=SETTINGS)


def test_the_content_is_sniffed_not_taken_from_the_header(server: str) -> None:
    got = fetch_url(f"{server}/report", settings=SETTINGS)
    assert isinstance(got, Fetched) and got.format == "pdf"


def test_an_unreachable_host_and_other_schemes_are_errors(server: str) -> None:
    with pytest.raises(FetchError, match="not an http"):
        fetch_url("file:///etc/passwd", settings=SETTINGS)
    with pytest.raises(FetchError, match="cannot be fetched"):
        fetch_url("http://127.0.0.1:99999/x", settings=SETTINGS)
    closed = server.rsplit(":", 1)[0] + ":1"
    with pytest.raises(FetchError, match="cannot be fetched"):
        fetch_url(f"{closed}/x", settings=SETTINGS)
