"""Document -> passages with stable ids (document name, paragraph number, part number)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .schema import Passage

# A sentence ends at 。！？；(or ASCII !?;) plus any closing quotes or brackets after it.
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)】]*")

DEFAULT_MAX_CHARS = 300
CHUNKING_VERSION = 2  # how paragraphs become passages, and what their tokens hold (2: lead-ins
# kept with what follows, later parts of a paragraph matched with its opening sentence)
# A short paragraph ending in a colon leads into the next (以下三个方面采取措施：), and one
# ending in a question mark is answered by the next (an interview's 问：…？): alone they
# answer nothing, so each is kept with what follows it.
LEAD_IN_MAX = 120
_LEAD_IN = re.compile(r"[：:？?]\s*$")


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
    """Passages of one document; paragraphs are numbered from 1 in the order given.

    A short paragraph that ends in a colon or a question mark is joined to the next one and
    keeps its own number (the next number then has no passage of its own): a lead-in, or a
    question, is cited with what it leads to.
    """
    passages: list[Passage] = []

    def add(number: int, paragraph: str) -> None:
        parts = split_paragraph(paragraph, max_chars)
        for part_no, text in enumerate(parts, start=1):
            pid = passage_id(doc, number, part_no, len(parts))
            passages.append(Passage(pid, doc, number, part_no, text))

    lead: tuple[int, str] | None = None
    for number, paragraph in enumerate(paragraphs, start=1):
        if len(paragraph) <= LEAD_IN_MAX and _LEAD_IN.search(paragraph):
            if lead is not None and len(lead[1]) + len(paragraph) > max_chars:
                add(*lead)  # (a run of questions with no answer between: each stands alone)
                lead = None
            lead = (lead[0], lead[1] + paragraph) if lead else (number, paragraph)
            continue  # (a question, then its answer's lead-in: both go with what follows)
        if lead is not None:
            number, paragraph = lead[0], lead[1] + paragraph
            lead = None
        add(number, paragraph)
    if lead is not None:  # the document ends with a lead-in
        add(*lead)
    return passages
