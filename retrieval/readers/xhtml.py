"""(X)HTML -> blocks with the standard library's HTML parser, for EPUB chapters and the HTML
inside Markdown. It expands no entities beyond HTML's fixed named ones and loads nothing, so
entity bombs and external entities do not apply. The web-page reader uses trafilatura."""

from __future__ import annotations

from html.parser import HTMLParser

from .text import squash

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIPPED = {"head", "script", "style", "nav", "template", "svg", "math", "noscript"}
_BLOCKS = {
    "p", "div", "li", "dt", "dd", "blockquote", "pre", "section", "article", "aside",
    "header", "footer", "figure", "figcaption", "table", "ul", "ol", "dl", "hr", "body", "main",
    "caption", "address",
}  # fmt: skip
_CELLS = {"td", "th"}


class _BlockParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str]] = []  # (kind, text): kind is "block" or "heading"
        self.buffer: list[str] = []
        self.row: list[str] | None = None
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS or tag in HEADINGS:
            self.flush()
        elif tag == "tr":
            self.flush()
            self.row = []
        elif tag == "br":
            self.flush()  # pages often separate paragraphs with <br><br>

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in HEADINGS:
            self.flush("heading")
        elif tag in _CELLS and self.row is not None:
            self.row.append(squash("".join(self.buffer)))
            self.buffer = []
        elif tag == "tr":
            self.end_row()
        elif tag in _BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.buffer.append(data)

    def flush(self, kind: str = "block") -> None:
        if self.row is not None:
            return
        text = squash("".join(self.buffer))
        self.buffer = []
        if text:
            self.items.append((kind, text))

    def end_row(self) -> None:
        cells = [cell for cell in self.row or [] if cell]
        self.row = None
        self.buffer = []
        if cells:
            self.items.append(("block", " · ".join(cells)))


def html_items(markup: str) -> list[tuple[str, str]]:
    """("heading" | "block", text) in reading order; scripts, styles and navigation left out."""
    parser = _BlockParser()
    parser.feed(markup)
    parser.close()
    if parser.row is not None:
        parser.end_row()
    parser.flush()
    return parser.items
