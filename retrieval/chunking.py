"""Document -> passages with stable ids (document name, paragraph number, part number)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .schema import Passage

# A sentence ends at 。！？；(or ASCII !?;) plus any closing quotes or brackets after it.
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)】]*")

DEFAULT_MAX_CHARS = 300


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, each keeping its closing punctuation; nothing is lost."""
    sentences: list[str] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        sentences.append(text[pos : m.end()])
        pos = m.end()
    if pos < len(text):
        sentences.append(text[pos:])
    return [s for s in sentences if s.strip()]


def split_paragraph(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Split a long paragraph at sentence ends into parts of at most about ``max_chars``.

    Parts are balanced: a paragraph of 1.2 x max_chars becomes two parts of 0.6, not one full
    part and a stub. A single sentence longer than the limit stays whole.
    """
    if len(text) <= max_chars:
        return [text]
    sentences = split_sentences(text)
    n_parts = -(-len(text) // max_chars)
    target = len(text) / n_parts
    parts: list[str] = []
    current = ""
    for sentence in sentences:
        if current and (
            len(current) + len(sentence) > max_chars or len(current) + len(sentence) / 2 > target
        ):
            parts.append(current)
            current = ""
        current += sentence
    if current:
        parts.append(current)
    return parts


def passage_id(doc: str, paragraph: int, part: int, parts: int) -> str:
    """``doc#paragraph`` or, for a split paragraph, ``doc#paragraph.part``."""
    return f"{doc}#{paragraph}" if parts == 1 else f"{doc}#{paragraph}.{part}"


def chunk(doc: str, paragraphs: Iterable[str], max_chars: int = DEFAULT_MAX_CHARS) -> list[Passage]:
    """Passages of one document; paragraphs are numbered from 1 in the order given."""
    passages: list[Passage] = []
    for number, paragraph in enumerate(paragraphs, start=1):
        parts = split_paragraph(paragraph, max_chars)
        for part_no, text in enumerate(parts, start=1):
            pid = passage_id(doc, number, part_no, len(parts))
            passages.append(Passage(pid, doc, number, part_no, text))
    return passages
