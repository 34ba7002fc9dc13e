"""Word (.docx) -> blocks with python-docx: paragraphs, headings as sections, tables as
"cell · cell" rows, title, date and author from the core properties. The zip is checked within
the limits first, and XML parts that declare a DTD are refused."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .contract import Block, ReadDocument, ReadError, ReadLimits
from .text import meta_value, squash, table_rows
from .zipguard import SafeZip

_HEADING_STYLE = re.compile(r"^(?:heading|标题|標題)\s*(\d)$", re.I)
_TITLE_STYLES = {"title", "标题", "標題"}


def read_docx(data: bytes, limits: ReadLimits) -> ReadDocument:
    SafeZip(data, limits).check_all(xml_without_dtd=True)
    try:
        document = docx.Document(io.BytesIO(data))
        props = document.core_properties
        builder = _Builder(meta_value(props.title))
        for item in document.iter_inner_content():
            builder.add(item)
        date = _date(props)
        author = meta_value(props.author)
    except (ReadError, MemoryError, RecursionError):
        raise
    except Exception as exc:  # python-docx on a damaged package raises nearly anything
        raise ReadError(f"damaged DOCX ({type(exc).__name__})") from exc
    return ReadDocument(
        format="docx",
        title=builder.title,
        date=date,
        author=author,
        source=None,
        url=None,
        blocks=tuple(builder.blocks),
    )


def _date(props: Any) -> str | None:
    for attr in ("created", "modified"):
        try:
            value = getattr(props, attr)
        except ValueError:  # a malformed date in docProps/core.xml
            continue
        if isinstance(value, datetime):
            return value.date().isoformat()
    return None


class _Builder:
    def __init__(self, title: str | None) -> None:
        self.title = title
        self.section: str | None = None
        self.blocks: list[Block] = []

    def add(self, item: Paragraph | Table) -> None:
        if isinstance(item, Paragraph):
            self.paragraph(item)
        else:
            self.table(item)

    def paragraph(self, paragraph: Paragraph) -> None:
        text = squash(paragraph.text)
        if not text:
            return
        level = _heading_level(paragraph)
        if level is None:
            self.blocks.append(Block(text, section=self.section))
        elif self.title is None and level <= 1:
            self.title = text
        else:
            self.section = text

    def table(self, table: Table) -> None:
        rows: list[list[str]] = []
        for row in table.rows:
            cells: list[str] = []
            for cell in row.cells:
                text = squash(cell.text)
                if text and (not cells or cells[-1] != text):  # a merged cell repeats
                    cells.append(text)
            rows.append(cells)
        self.blocks.extend(Block(text, section=self.section) for text in table_rows(rows))


def _heading_level(paragraph: Paragraph) -> int | None:
    """0 for the Title style, N for Heading N (标题 N, 標題 N) or an outline level N - 1."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.strip().lower() in _TITLE_STYLES:
        return 0
    match = _HEADING_STYLE.match(name.strip())
    if match:
        return int(match.group(1))
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if levels and str(levels[0]).isdigit() and int(levels[0]) < 9:
        return int(levels[0]) + 1
    return None
