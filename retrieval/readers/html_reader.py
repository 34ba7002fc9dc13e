"""Web pages -> blocks with trafilatura: the main text without navigation, share widgets or
footers; title, date, author, site and canonical URL from the page's metadata."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import trafilatura
from trafilatura.utils import load_html

from .contract import Block, ReadDocument, ReadError
from .text import squash, table_rows

if TYPE_CHECKING:
    from lxml.etree import _Element

_BYLINE = re.compile(r"^(?:作者|記者|记者|文|撰文|编辑|編輯|by)\s*[:：/／]?\s*", re.I)


def read_html(data: bytes, url: str | None = None) -> ReadDocument:
    """The page's main text; ``url`` is where it came from, when known."""
    logging.getLogger("trafilatura").addHandler(logging.NullHandler())
    tree = load_html(data)
    if tree is None:
        raise ReadError("not readable as HTML")
    meta_author = _meta(tree, "author")
    page: Any = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_tables=True,
        include_comments=False,
        favor_recall=True,
        # a date from the page's markup and metadata, never guessed from its running text
        # ("2000余款啤酒" is not a date)
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if page is None or page.body is None or not len(page.body):
        raise ReadError("no main text found in the page")
    title = page.title or None
    blocks = tuple(_blocks(page.body, title))
    if not blocks:
        raise ReadError("no main text found in the page")
    return ReadDocument(
        format="html",
        title=title,
        date=page.date or None,
        author=_author(page.author or meta_author),
        source=page.sitename or None,
        url=page.url or url,
        blocks=blocks,
    )


def _meta(tree: _Element, name: str) -> str | None:
    for element in tree.iterfind(f".//meta[@name='{name}']"):
        content = (element.get("content") or "").strip()
        if content:
            return content
    return None


def _author(byline: str | None) -> str | None:
    """``作者：李明`` -> ``李明``."""
    return _BYLINE.sub("", byline).strip() or None if byline else None


def _text(element: _Element) -> str:
    """The element's text, lists inside it left out (their items are blocks of their own)."""
    for brk in element.iter("lb"):
        brk.tail = "\n" + (brk.tail or "")
    parts = [element.text or ""]
    for child in element:
        if child.tag != "list":
            parts.extend(str(text) for text in child.itertext())
        parts.append(child.tail or "")
    return squash("".join(parts))


def _blocks(body: _Element, title: str | None) -> list[Block]:
    blocks: list[Block] = []
    section: str | None = None
    for element in body:
        tag = element.tag
        if tag == "head":
            heading = _text(element)
            section = None if heading == title else heading or section
        elif tag == "list":
            items = element.iter("item")
            blocks.extend(Block(text, section=section) for item in items if (text := _text(item)))
        elif tag == "table":
            rows = [[t for cell in row.iter("cell") if (t := _text(cell))]
                    for row in element.iter("row")]  # fmt: skip
            blocks.extend(Block(text, section=section) for text in table_rows(rows))
        elif text := _text(element):
            blocks.append(Block(text, section=section))
    return blocks
