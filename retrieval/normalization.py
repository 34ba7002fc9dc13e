"""Script and width normalization (pure str -> str), with offset maps back to the input.

Matching is done on one form of the text: NFKC-folded and converted to Simplified with
OpenCC. Displaying is done on another (the original, or the asker's script). An
:class:`OffsetMap` carries positions from a converted string back to the string it was made
from, also where a conversion changed the length.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import opencc

Script = Literal["simplified", "traditional"]

_lock = threading.Lock()
_SURROGATE = re.compile("[\ud800-\udfff]")
_HAN = re.compile("[\u3400-\u9fff]")
_FORMAT = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


@lru_cache(maxsize=8)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config if config.endswith(".json") else f"{config}.json")


def convert(text: str, config: str) -> str:
    """Convert with an OpenCC config such as ``t2s``, ``s2t``, ``s2tw`` or ``s2hk``.

    Lone surrogates (which no UTF-8 library can take) become U+FFFD; the length is kept.
    """
    conv = _converter(config)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    with _lock:  # the OpenCC binding is not documented as thread-safe
        return str(conv.convert(text))


def fold(text: str) -> str:
    """NFKC (full-width digits and Latin, compatibility forms), lower-cased Latin; zero-width
    and direction marks dropped."""
    return _FORMAT.sub("", unicodedata.normalize("NFKC", text)).lower()


def to_simplified(text: str) -> str:
    """The matching form: folded, then Simplified."""
    return convert(fold(text), "t2s")


def detect_script(text: str) -> Script | None:
    """Traditional or Simplified by the characters that differ; None when nothing tells.

    A character counts as Traditional when t2s changes it and s2t leaves it alone, and the
    other way round; the majority wins.
    """
    han = "".join(ch for ch in text if "\u3400" <= ch <= "\u9fff")
    if not han:
        return None
    simp = convert(han, "t2s")
    trad = convert(han, "s2t")
    trad_votes = sum(1 for a, b in zip(han, simp, strict=False) if a != b)
    simp_votes = sum(1 for a, b in zip(han, trad, strict=False) if a != b)
    if len(simp) != len(han) or len(trad) != len(han):
        trad_votes = sum(1 for ch in han if convert(ch, "t2s") != ch)
        simp_votes = sum(1 for ch in han if convert(ch, "s2t") != ch)
    if trad_votes == simp_votes:
        return None
    return "traditional" if trad_votes > simp_votes else "simplified"


# --- display in the reader's script -------------------------------------------------------

# The OpenCC configs that show text to a Traditional and to a Simplified reader. s2tw changes
# the fewest characters of Traditional text sent through t2s and back (bench.display).
TRADITIONAL_DISPLAY = "s2tw"
SIMPLIFIED_DISPLAY = "t2s"

# Forms OpenCC writes that Traditional writers do not, applied after any Traditional config.
# Each is backed by the collection's own Traditional documents and not contradicted by the
# DRCD passages (figures: python -m bench.display).
TRADITIONAL_CORRECTIONS: dict[str, str] = {
    "徵程": "征程",  # 征程 (journey) is never 徵; OpenCC's phrase 新征→新徵 gives 新徵程
    "佈": "布",  # 宣布, 分布, 發布會: neither the collection nor DRCD ever writes 佈
    "紮實": "扎實",  # the collection writes 扎實 (6 times, never 紮實); DRCD has neither
    "爲": "為",  # s2t's form; the collection writes 為 27 times to 7, DRCD 2914 to 9
    "衆": "眾",  # s2t's form; the collection writes 眾 14 times to 1, DRCD 131 to 0
    "羣": "群",  # s2t's and s2hk's form; the collection writes 群 17 times, DRCD 112, never 羣
}
_CORRECTION = re.compile("|".join(sorted(TRADITIONAL_CORRECTIONS, key=len, reverse=True)))


def correct_traditional(text: str) -> str:
    """Replace the forms of :data:`TRADITIONAL_CORRECTIONS`; the length is kept."""
    return _CORRECTION.sub(lambda m: TRADITIONAL_CORRECTIONS[m.group()], text)


def to_script(text: str, script: Script, config: str | None = None) -> str:
    """``text`` as a reader of ``script`` should see it.

    Text already in that script, or with no Han character, comes back exactly as written;
    anything else is converted with ``config`` (by default :data:`TRADITIONAL_DISPLAY` or
    :data:`SIMPLIFIED_DISPLAY`), and Traditional output gets the corrections.
    """
    if not _HAN.search(text) or detect_script(text) == script:
        return text
    if script == "simplified":
        return convert(text, config or SIMPLIFIED_DISPLAY)
    return correct_traditional(convert(text, config or TRADITIONAL_DISPLAY))


@dataclass(frozen=True)
class OffsetMap:
    """Maps each position of a derived string to a position of its source string.

    ``starts[i]`` is the source index where derived character ``i`` begins and ``ends[i]``
    the source index just past it, so a derived span ``[a, b)`` covers source
    ``[starts[a], ends[b - 1])``.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source span for the derived span ``[start, end)``."""
        if end <= start:
            pos = (
                self.starts[start]
                if start < len(self.starts)
                else (self.ends[-1] if self.ends else 0)
            )
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def then(self, inner: OffsetMap) -> OffsetMap:
        """Compose: ``self`` maps C -> B and ``inner`` maps B -> A; the result maps C -> A."""
        starts = tuple(inner.span(s, e)[0] for s, e in zip(self.starts, self.ends, strict=True))
        ends = tuple(inner.span(s, e)[1] for s, e in zip(self.starts, self.ends, strict=True))
        return OffsetMap(starts, ends)


def identity_map(length: int) -> OffsetMap:
    return OffsetMap(tuple(range(length)), tuple(range(1, length + 1)))


def align(source: str, derived: str) -> OffsetMap:
    """Offset map from ``derived`` back to ``source`` for a conversion of the whole string.

    Equal-length conversions (almost all of OpenCC's) map position to position. Otherwise the
    strings are aligned on their unchanged stretches and each changed stretch maps onto the
    source stretch it replaced, proportionally.
    """
    if len(source) == len(derived):
        return identity_map(len(source))
    starts: list[int] = []
    ends: list[int] = []
    matcher = difflib.SequenceMatcher(None, source, derived, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            starts.extend(range(a0, a1))
            ends.extend(range(a0 + 1, a1 + 1))
        elif b1 > b0:
            n, m = a1 - a0, b1 - b0
            for k in range(m):
                lo = a0 + (k * n) // m
                hi = a0 + max(((k + 1) * n + m - 1) // m, (k * n) // m + 1) if n else a0
                starts.append(min(lo, a1))
                ends.append(min(max(hi, lo), a1) if n else a0)
    return OffsetMap(tuple(starts), tuple(ends))


def fold_with_map(text: str) -> tuple[str, OffsetMap]:
    """:func:`fold` character by character, keeping where each output character came from."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        folded = _FORMAT.sub("", unicodedata.normalize("NFKC", ch)).lower()
        out.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([i + 1] * len(folded))
    return "".join(out), OffsetMap(tuple(starts), tuple(ends))


def convert_with_map(text: str, config: str) -> tuple[str, OffsetMap]:
    """:func:`convert`, plus the map from the result back to ``text``.

    Where OpenCC changed the length (phrase conversions such as 内存 -> 記憶體), the changed
    stretch is split into pieces that convert on their own to the same result, so each
    converted phrase maps onto exactly the source phrase it came from.
    """
    converted = convert(text, config)
    if len(converted) == len(text):
        return converted, identity_map(len(text))
    starts: list[int] = []
    ends: list[int] = []
    pivot = "".join(convert(ch, config) if len(convert(ch, config)) == 1 else ch for ch in text)
    matcher = difflib.SequenceMatcher(None, pivot, converted, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            starts.extend(range(a0, a1))
            ends.extend(range(a0 + 1, a1 + 1))
        else:
            for (s0, s1), (d0, d1) in _pieces(text, a0, a1, converted, b0, b1, config):
                block = align(text[s0:s1], converted[d0:d1])
                starts.extend(s0 + x for x in block.starts)
                ends.extend(s0 + x for x in block.ends)
    return converted, OffsetMap(tuple(starts), tuple(ends))


def _pieces(
    src: str, a0: int, a1: int, dst: str, b0: int, b1: int, config: str
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Split src[a0:a1] -> dst[b0:b1] where both halves convert on their own."""
    for k in range(a0 + 1, a1):
        left = convert(src[a0:k], config)
        if dst.startswith(left, b0) and convert(src[k:a1], config) == dst[b0 + len(left) : b1]:
            rest = _pieces(src, k, a1, dst, b0 + len(left), b1, config)
            return [((a0, k), (b0, b0 + len(left))), *rest]
    return [((a0, a1), (b0, b1))]


def matching_form_with_map(text: str) -> tuple[str, OffsetMap]:
    """:func:`to_simplified` plus the map from its result back to ``text``."""
    folded, fold_map = fold_with_map(text)
    simplified, conv_map = convert_with_map(folded, "t2s")
    return simplified, conv_map.then(fold_map)


class Wording:
    """Colloquial and Cantonese wording of questions and its standard form (有冇 -> 有没有,
    边个 -> 谁, 咗 -> 了): ``phrases`` are replaced wherever they stand, ``words`` only where
    the segmenter gives them alone (系 is 是, but not inside 关系)."""

    def __init__(self, phrases: dict[str, str], words: dict[str, str]) -> None:
        self.phrases = phrases
        self.words = words
        longest_first = sorted(phrases, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, longest_first))) if phrases else None

    def standard(self, text: str) -> str:
        """``text`` (in the matching form) with its colloquial phrases in standard wording."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.phrases[m.group(0)], text)

    @classmethod
    def read(cls, text: str) -> Wording:
        """Lines "colloquial standard"; "=word standard" for a whole word only; # comments."""
        phrases: dict[str, str] = {}
        words: dict[str, str] = {}
        for line in text.splitlines():
            fields = line.split()
            if len(fields) != 2 or line.startswith("#"):
                continue
            if fields[0].startswith("="):
                words[fields[0][1:]] = fields[1]
            else:
                phrases[fields[0]] = fields[1]
        return cls(phrases, words)
