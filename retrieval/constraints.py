"""What a question names that an answer must be about, and whether a passage is about it.

A question that names a place, organisation, post or year (its ``Question.constraints``) is
answered by a passage about that, not about another: the search prefers such passages and the
verdict calls a best passage about something else a near miss.
"""

from __future__ import annotations

import re

from .answer_type import COUNTRY, GENERIC_PLACES
from .normalization import to_simplified
from .schema import Hit, Question

_PLACE_SUFFIX = re.compile(r"(?:壮族自治区|自治区|特别行政区|省|市|县|区)$")


def setting(word: str) -> bool:
    """A word that names a kind of place (城市), or a country: the setting, not a constraint."""
    return word in GENERIC_PLACES or COUNTRY.fullmatch(word) is not None


def unmet(
    question: Question,
    hit: Hit,
    about: frozenset[str] = frozenset(),
    rivals: frozenset[str] = frozenset(),
) -> tuple[str, ...]:
    """The question's constraints that ``hit`` does not satisfy: it is about something else.

    A place, organisation or post is satisfied when the passage, its document's title or
    source, or what the document is about (``about``) names it (a compound such as 广东省委
    by its parts), or when its document is not about another place or organisation
    (``rivals``: what its title names and what several of its passages name, less the
    question's own words and settings). A year is satisfied when the passage or title names
    it or the document is dated in it; in an undated document a year is not checked."""
    context = to_simplified(" ".join(x for x in (hit.text, hit.title, hit.source) if x))
    words = set(question.known) | set(question.unknown)
    other_names = any(r not in words and not setting(r) for r in rivals)

    def named(word: str) -> bool:
        stem = _PLACE_SUFFIX.sub("", word)
        forms = (word, stem) if len(stem) >= 2 else (word,)
        return any(form in context or form in about for form in forms)

    def satisfied(word: str) -> bool:
        if word.isdigit():  # a year: this one named or dated, or none other named
            return not hit.date or word in context or hit.date.startswith(word)
        if named(word) or not other_names:
            return True
        halves = ((word[:i], word[i:]) for i in range(2, len(word) - 1))
        return any(named(a) and named(b) for a, b in halves)

    return tuple(word for word in question.constraints if not satisfied(word))
