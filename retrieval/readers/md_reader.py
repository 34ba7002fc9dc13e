"""Markdown -> blocks with markdown-it-py: headings become sections (the first H1 is the title),
emphasis and links keep their text, images and HTML comments go, code keeps its lines, tables
become "cell · cell" rows, list items become blocks. A YAML front matter gives title, date and
author."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from retrieval.decoding import decode

from .contract import Block, ReadDocument
from .text import squash, table_rows
from .xhtml import html_items

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^(title|date|author)[ \t]*:[ \t]*(.+?)[ \t]*$", re.M | re.I)


def read_markdown(data: bytes) -> ReadDocument:
    text = decode(data).replace("\r\n", "\n")
    meta, text = _front_matter(text)
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    builder = _Builder(meta.get("title"))
    builder.walk(parser.parse(text))
    return ReadDocument(
        format="markdown",
        title=builder.title,
        date=meta.get("date", "")[:10] or None,
        author=meta.get("author"),
        source=None,
        url=None,
        blocks=tuple(builder.blocks),
    )


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    text = text.removeprefix("\ufeff")
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {k.lower(): v.strip("'\"") for k, v in _FIELD.findall(match.group(1))}
    return fields, text[match.end() :]


class _Builder:
    def __init__(self, title: str | None) -> None:
        self.title = title
        self.section: str | None = None
        self.blocks: list[Block] = []
        self.row: list[str] | None = None
        self.rows: list[list[str]] = []  # the rows of the table being read

    def add(self, text: str) -> None:
        if text:
            self.blocks.append(Block(text, section=self.section))

    def heading(self, tag: str, text: str) -> None:
        if self.title is None and tag == "h1":
            self.title = text
        else:
            self.section = text or self.section

    def walk(self, tokens: list[Token]) -> None:
        heading: str | None = None
        for token in tokens:
            kind = token.type
            if kind == "heading_open":
                heading = token.tag
            elif kind == "inline":
                text = _inline_text(token)
                if heading:
                    self.heading(heading, text)
                elif self.row is not None:
                    self.row.append(text)
                else:
                    self.add(text)
            elif kind == "heading_close":
                heading = None
            elif kind == "tr_open":
                self.row = []
            elif kind == "tr_close":
                self.rows.append([cell for cell in self.row or [] if cell])
                self.row = None
            elif kind == "table_close":
                for text in table_rows(self.rows):
                    self.add(text)
                self.rows = []
            elif kind in ("fence", "code_block"):
                self.add(token.content.strip("\n"))
            elif kind == "html_block":
                self.html(token.content)

    def html(self, markup: str) -> None:
        for kind, text in html_items(markup):
            if kind == "heading":
                self.section = text
            else:
                self.add(text)


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or _is_br(child):
            parts.append("\n")
    return squash("".join(parts))


def _is_br(token: Token) -> bool:
    return token.type == "html_inline" and token.content.lower().startswith("<br")
