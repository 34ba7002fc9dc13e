"""Whitespace rules for Chinese text taken out of markup or page layout.

A line break or a run of spaces next to a Chinese character is an artifact of the layout (a
wrapped line, a letter-spaced PDF line), not a word boundary: it is removed. Between two Latin
words it is one space.
"""

from __future__ import annotations

import re

# Han (with extension A and compatibility ideographs), kana, CJK and full-width punctuation.
CJK = r"\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{CJK}])\s+|\s+(?=[{CJK}])")
_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse whitespace: none where either side is a CJK character, else one space.

    >>> squash("肇庆市\\n 建成了 first  try")
    '肇庆市建成了first try'
    """
    text = _CJK_SPACE.sub("", text.replace("\u00a0", " "))
    return _SPACES.sub(" ", text).strip()


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph as one line: see :func:`squash`."""
    return squash("\n".join(lines))


_PLACEHOLDERS = {
    "", "untitled", "anonymous", "unknown", "author", "user", "administrator", "python-docx",
    "无标题", "無標題", "微软用户", "微軟用戶", "作者",
}  # fmt: skip


def meta_value(value: object) -> str | None:
    """A metadata field as text; None when empty or a tool's placeholder ("untitled")."""
    text = squash(str(value)) if value is not None else ""
    return None if text.strip("()[]<>").lower() in _PLACEHOLDERS else text


def table_rows(rows: list[list[str]]) -> list[str]:
    """A table's rows as text blocks, "cell · cell · cell". When the first row is a header
    (two or more cells, and every row as wide), each data row carries its labels instead:
    "县区：端州区 · 数量：二十", so a row found alone still says what its numbers are."""
    rows = [cells for cells in rows if cells]
    header = rows[0] if rows else []
    if len(rows) > 1 and len(header) > 1 and all(len(r) == len(header) for r in rows):
        return [
            " · ".join(f"{label}：{cell}" if label != cell else cell
                       for label, cell in zip(header, row, strict=True))
            for row in rows[1:]
        ]  # fmt: skip
    return [" · ".join(cells) for cells in rows]
