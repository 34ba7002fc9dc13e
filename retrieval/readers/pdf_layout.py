"""Page text -> paragraphs: running headers, footers and page numbers out; lines joined back.

Works on the text layer as pypdf's layout mode gives it: one string per page, lines in reading
order, indentation as leading spaces and vertical gaps as blank lines. The rules:

- furniture: a short line among the first or last three of a page whose text, digits aside,
  recurs at the edge of at least half the pages (two at least); page numbers ("12", "- 12 -",
  "第 12 页", "12 / 40", "Page 12") at a page's edge;
- a paragraph ends before a blank line, before a line indented past the page's body margin,
  after a line ending in 。！？… (or ! ? .) that stops short of the right margin, and after any
  line shorter than 60% of the full width (a heading, a signature); not at a page break;
- joined lines get no space between Chinese characters and one between Latin words;
- a one-line paragraph numbered like a heading (第一章, 一、, （二）) without end punctuation
  becomes the section of the paragraphs that follow.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .contract import Block
from .text import join_lines, squash

EDGE = 3  # lines at the top and at the bottom of a page that may be furniture
FURNITURE_CHARS = 40  # a running header or footer is a short line
_NUMERAL = r"[\d一二三四五六七八九十百零〇]+"
_PAGE_NUMBER = re.compile(
    rf"^(?:[-–—]\s*\d+\s*[-–—]|\d+|第\s*{_NUMERAL}\s*页(?:\s*[,，/]?\s*共\s*{_NUMERAL}\s*页)?"
    r"|\d+\s*/\s*\d+|(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?|[ivxlc]+)$",
    re.I,
)
_HEADING = re.compile(
    rf"^(?:第{_NUMERAL}[章节篇部编卷]|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])"
)
_ENDS = ("。", "！", "？", "…", "!", "?", ".", "」", "』", "”", '"')


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # squashed, no indentation
    page: int
    indented: bool  # starts right of the page's body margin
    short: bool  # ends before 60% of the page's full width
    stops_short: bool  # ends before 90% of the full width
    gap_before: bool  # a blank line precedes it


def page_lines(page_texts: list[str]) -> list[Line]:
    """Every page's lines in order, furniture removed, each with the facts paragraphs need."""
    raw = [[line.rstrip() for line in text.split("\n")] for text in page_texts]
    furniture = _furniture(raw)
    lines: list[Line] = []
    for number, page in enumerate(raw, 1):
        kept = _drop_edges(page, furniture)
        lines.extend(_measure(kept, number))
    return lines


def paragraphs(lines: list[Line]) -> list[Block]:
    """Lines joined into blocks by the rules above; headings become sections."""
    blocks: list[Block] = []
    section: str | None = None
    current: list[Line] = []
    for line in [*lines, None]:
        if current and (line is None or _breaks(current[-1], line)):
            text = join_lines([part.text for part in current])
            if len(current) == 1 and _HEADING.match(text) and not text.endswith(_ENDS):
                section = text
            elif text:
                blocks.append(Block(text, page=current[0].page, section=section))
            current = []
        if line is not None:
            current.append(line)
    return blocks


def _breaks(prev: Line, line: Line) -> bool:
    return (
        line.gap_before
        or line.indented
        or prev.short
        or (prev.stops_short and prev.text.endswith(_ENDS))
    )


def _key(line: str) -> str:
    """The line with its numbers masked; empty for a line too long to be furniture."""
    text = squash(line)
    return re.sub(r"\d+", "#", text) if len(text) <= FURNITURE_CHARS else ""


def _edges(page: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(page) if line.strip()]
    return sorted(set(filled[:EDGE] + filled[-EDGE:]))


def _furniture(pages: list[list[str]]) -> set[str]:
    """Keys of lines that recur at the top or bottom of at least half the pages (two at least)."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_key(page[i]) for i in _edges(page)})
    needed = max(2, math.ceil(len(pages) / 2))
    return {key for key, count in seen.items() if count >= needed and key}


def _drop_edges(page: list[str], furniture: set[str]) -> list[str]:
    edges = set(_edges(page))
    return [
        line for i, line in enumerate(page) if i not in edges or not _is_furniture(line, furniture)
    ]


def _is_furniture(line: str, furniture: set[str]) -> bool:
    return _key(line) in furniture or bool(_PAGE_NUMBER.match(squash(line)))


def _measure(page: list[str], number: int) -> list[Line]:
    filled = [line for line in page if line.strip()]
    if not filled:
        return []
    ends = sorted(_end(line) for line in filled)
    width = ends[int(0.8 * (len(ends) - 1))]
    indents = [_indent(line) for line in filled if _end(line) >= 0.9 * width]
    margin = Counter(indents).most_common(1)[0][0] if indents else min(_indent(x) for x in filled)
    lines: list[Line] = []
    gap = False
    for line in page:
        if not line.strip():
            gap = bool(lines)
            continue
        short, stops_short = _end(line) < 0.6 * width, _end(line) < 0.9 * width
        lines.append(
            Line(squash(line), number, _indent(line) > margin + 1, short, stops_short, gap)
        )
        gap = False
    return lines


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _end(line: str) -> int:
    """Where the line ends, in half-width columns: a Chinese character is two."""
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in line)
    return len(line) + wide
