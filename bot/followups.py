"""Completing follow-up questions ("那深圳呢？") from the previous question of a conversation."""

from __future__ import annotations

import re

from retrieval import Question, Retriever
from retrieval.normalization import to_simplified

# A question word of its own makes a question complete, not a follow-up (怎么做, 是谁, 吗).
_OWN_QUESTION = re.compile(r"什么|怎么|怎样|如何|多少|几|谁|哪|吗|为什么|是否")
_FOLLOWUP_FORM = re.compile(
    r"^(?:那|那么|那麼|还有|還有|再问|再問)?\s*(.{1,12}?)\s*呢\s*[?？!！。.]*$"
)
_CLASS = {"ns": "place", "nr": "person", "t": "time", "m": "number"}


def _pos_class(flag: str) -> str | None:
    if flag in ("x", "y", "r", "uj", "ul", "c", "p", "d", "zg", "eng"):
        return None
    return (
        _CLASS.get(flag[:2])
        or _CLASS.get(flag[:1])
        or ("noun" if flag.startswith("n") else flag[:1])
    )


def is_followup_form(question: Question) -> bool:
    """那…呢 / …呢？, or a question of at most one content word."""
    if _FOLLOWUP_FORM.match(question.text):
        return True
    return len(question.known) + len(question.unknown) <= 1


# Where a question's own asking starts (Simplified matching form; Cantonese 咩, 边个, 几多).
_ASKING = re.compile(
    r"什么|啥|咩|怎么|怎样|点样|如何|多少|多久|多长|多大|几|谁|边|哪|何时|为什么|是否|吗"
)
DETAIL_MAX_CHARS = 14


def asked_words(question: Question) -> set[str]:
    """The words of ``question`` an answer to it should hold: not its question words."""
    words = {*question.known, *question.unknown}
    return {w for w in words if not _ASKING.fullmatch(w)}


def detail_followup(question: Question, previous: str) -> str | None:
    """A short question that names no place, organisation, post or year of its own and asks
    about a detail (队员一共多少人？, 讲的什么主题？, 开了多久？) of what the previous question
    was about: the previous question's subject (what it said before its own asking) put in
    front. None when it is not such a question."""
    text = to_simplified(question.text)
    if len(text) > DETAIL_MAX_CHARS or question.constraints or not _ASKING.search(text):
        return None
    before = to_simplified(previous)
    start = _ASKING.search(before)
    subject = before[: start.start()] if start else before
    subject = subject.rstrip("，,。？?！! ")
    return subject + text if len(subject) >= 2 else None


def complete_followup(
    question: Question, previous: str, answered: bool, retriever: Retriever
) -> str | None:
    """The previous question with this one put in, or None if this is not a follow-up.

    A question counts as a follow-up by its form (那…呢, …呢？), or when it is short and
    fails on its own (``answered`` is False). What it names replaces the previous question's
    last run of words of the same kind (a place for a place, a thing for a thing); with no
    counterpart it is put in front.
    """
    text = question.text
    elliptical = len(text) <= 12 and not _OWN_QUESTION.search(to_simplified(text))
    if not (is_followup_form(question) or (elliptical and not answered)):
        return None
    m = _FOLLOWUP_FORM.match(text)
    core = (m.group(1) if m else text).strip()
    tags = retriever.tags(core)
    stopwords = retriever.stopwords
    content = [i for i, (w, f) in enumerate(tags) if _pos_class(f) and w not in stopwords]
    if not content:
        return None
    core = "".join(w for w, _ in tags[content[0] : content[-1] + 1])
    kind = _pos_class(tags[content[-1]][1])
    old = retriever.tags(previous)
    same = [i for i, (_, f) in enumerate(old) if _pos_class(f) == kind]
    if not same:
        completed = core + "".join(w for w, _ in old)
    else:
        last = first = same[-1]
        while first - 1 in same:
            first -= 1
        completed = "".join([w for w, _ in old[:first]] + [core] + [w for w, _ in old[last + 1 :]])
    return completed if completed != to_simplified(previous) else None
