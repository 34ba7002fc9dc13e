"""normalize -> numbers kept whole -> jieba (own Tokenizer, user dictionary) -> drop stopwords."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on first use: a one-shot question should not pay for them
    import jieba
    import jieba.posseg

from .normalization import to_simplified

# jieba-rs: the same dictionary and algorithm, compiled (optional: pip install docbot[fast])
HAVE_RJIEBA = find_spec("rjieba") is not None

TOKENIZER_VERSION = 3

# 1552, 18.55万, 2021-2023, 300—500, 100%, 1,800
_NUMBER = re.compile(
    r"\d+(?:[.,]\d+)*(?:\s*[-~—–－至到]\s*\d+(?:\.\d+)?)?(?:万亿|万|亿|千|百|%|‰)?"
)
_HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_FUNCTION_CHARS = frozenset("的了是在和与及吗呢啊么什哪几谁怎吧呀嘛")
# A question word fused with a measure word or "year/day" by jieba: 几岁, 几场, 多少名, 哪天, 那场.
_QUESTION_FUSION = re.compile(r"^(?:几|多少|哪|那|这|什么)[\u4e00-\u9fff]?$")
_ENTITY_TAGS = frozenset({"ns", "nt"})  # places and organisations
LOCATIVE = re.compile(r".[里内外边]")  # 镇里, 村里: "in the town", not a name
_PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}(?:省|市|县|区|镇|乡|村|街道)")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)


def data_text(name: str) -> str:
    """A text file shipped in retrieval/data."""
    return resources.files("retrieval").joinpath("data", name).read_text(encoding="utf-8")


def _read_list(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class TokenizerSettings:
    """How text becomes tokens. Any change here means a re-index."""

    search_mode: bool = True
    hmm: bool = False
    userdict: str | None = None  # path; None means the dictionary shipped with the library
    stopwords: str | None = None  # path; None means the list shipped with the library
    bigrams: bool = True  # also index overlapping Han character bigrams ("#xy")
    # Who segments: "jieba" (the reference), or "auto": rjieba when it is installed and HMM is
    # off. Not part of the signature: tests prove both give the same tokens.
    engine: str = "auto"


def _retag(freq: int | None, tag: str | None) -> bool:
    """Whether a user-dictionary entry only changes a tag: a tag and no frequency."""
    return bool(tag) and not freq


class Tokenizer:
    """A jieba Tokenizer of our own (never jieba's global one) with our dictionary and stopwords.

    The dictionary loads once, in :meth:`warm` or on first use; its cache file goes to
    ``cache_dir`` (default: the system temporary folder), which must be writable.
    """

    def __init__(
        self, settings: TokenizerSettings | None = None, cache_dir: str | Path | None = None
    ) -> None:
        self.settings = settings or TokenizerSettings()
        self.cache_dir = str(cache_dir or tempfile.gettempdir())
        userdict_text = (
            Path(self.settings.userdict).read_text(encoding="utf-8")
            if self.settings.userdict
            else data_text("userdict.txt")
        )
        stop_text = (
            Path(self.settings.stopwords).read_text(encoding="utf-8")
            if self.settings.stopwords
            else data_text("stopwords.txt")
        )
        self._userdict = [line.split() for line in _read_list(userdict_text)]
        self.stopwords = frozenset(_read_list(stop_text))
        self.signature = self._signature(userdict_text, stop_text)
        self._jieba: jieba.Tokenizer | None = None
        self._fast: Any = None  # an rjieba.Jieba with the same user dictionary, when used
        self._tagger: jieba.posseg.POSTokenizer | None = None
        self._entities: frozenset[str] | None = None
        self._entity_cache: dict[str, bool] = {}
        self._init_lock = threading.RLock()

    def _signature(self, userdict_text: str, stop_text: str) -> str:
        h = hashlib.sha256()
        h.update(
            f"v{TOKENIZER_VERSION}|{self.settings.search_mode}|{self.settings.hmm}|{self.settings.bigrams}|".encode()
        )
        h.update(userdict_text.encode())
        h.update(b"\0")
        h.update(stop_text.encode())
        return h.hexdigest()[:16]

    def warm(self) -> None:
        """Load the dictionaries segmentation uses now rather than on the first question.
        (When rjieba segments, jieba's own loads on first use: only tagging needs it.)"""
        if self.uses_rjieba:
            self._rjieba()
        else:
            self._segmenter()

    def _entries(self) -> Iterator[tuple[str, int | None, str | None]]:
        """(word, frequency, tag) of the user dictionary, in the matching form. A line of a
        word and a tag only (上台 v) changes the tag of a word jieba's dictionary has."""
        for fields in self._userdict:
            freq = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
            tag = fields[2] if len(fields) > 2 else None
            if len(fields) == 2 and freq is None:
                tag = fields[1]
            yield to_simplified(fields[0]), freq, tag

    def _words(self) -> Iterator[tuple[str, int | None, str | None]]:
        """The entries that add a word (not those that only change a tag)."""
        return ((w, freq, tag) for w, freq, tag in self._entries() if not _retag(freq, tag))

    def _retags(self) -> dict[str, str]:
        """The entries that only change a tag (上台 v): word -> its tag."""
        return {w: tag for w, freq, tag in self._entries() if tag and _retag(freq, tag)}

    def _segmenter(self) -> jieba.Tokenizer:
        if self._jieba is not None:
            return self._jieba
        with self._init_lock:
            return self._segmenter_unlocked()

    def _segmenter_unlocked(self) -> jieba.Tokenizer:
        if self._jieba is None:
            import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.tmp_dir = self.cache_dir
            tk.initialize()
            for word, freq, tag in self._words():
                tk.add_word(word, freq, tag)
            self._jieba = tk
        return self._jieba

    def _rjieba(self) -> Any:
        if self._fast is None:
            with self._init_lock:
                if self._fast is None:
                    import rjieba

                    fast = rjieba.Jieba()
                    for word, freq, tag in self._words():  # (it does not tag)
                        fast.add_word(word, freq, tag)
                    self._fast = fast
        return self._fast

    @property
    def uses_rjieba(self) -> bool:
        """Whether segmentation for matching runs on rjieba (jieba-rs) rather than jieba."""
        return self.settings.engine == "auto" and HAVE_RJIEBA and not self.settings.hmm

    def _tokenize(self, text: str, mode: str) -> list[tuple[str, int, int]]:
        if self.uses_rjieba:
            return self._rjieba().tokenize(text, mode, False)  # type: ignore[no-any-return]
        return list(self._segmenter().tokenize(text, mode=mode, HMM=self.settings.hmm))

    def entity_words(self, words: Iterable[str]) -> set[str]:
        """Those of ``words`` that name a place or an organisation: tagged so (ns, nt) in
        jieba's dictionary or ours, or a place by its ending (…省, …市, …县, …镇, …村).
        Used at build time; the dictionary's tags are read once per tokenizer."""
        return {w for w in words if self.is_entity(w)}

    def is_entity(self, word: str) -> bool:
        """Whether ``word`` (in the matching form) names a place or an organisation.
        Remembered per word: a build asks it of every token."""
        found = self._entity_cache.get(word)
        if found is None:
            found = not (len(word) < 2 or word[0] == "#" or LOCATIVE.fullmatch(word)) and (
                word in self._entity_tags() or _PLACE_NAME.fullmatch(word) is not None
            )
            if len(self._entity_cache) < 1_000_000:
                self._entity_cache[word] = found
        return found

    def _entity_tags(self) -> frozenset[str]:
        with self._init_lock:
            if self._entities is None:
                import jieba

                found = set()
                path = Path(jieba.__file__).parent / "dict.txt"
                with path.open(encoding="utf-8") as lines:
                    for line in lines:
                        word, _, tag = line.rstrip("\n").rpartition(" ")
                        if tag in _ENTITY_TAGS:
                            found.add(to_simplified(word.rsplit(" ", 1)[0]))
                for entry, _, ours in self._entries():  # ours wins: 上台 is a verb, not a place
                    if ours in _ENTITY_TAGS:
                        found.add(entry)
                    elif ours:
                        found.discard(entry)
                self._entities = frozenset(found)
            return self._entities

    def word_share(self, text: str) -> float:
        """Share of the Han characters of ``text`` inside dictionary words of two or more
        characters: near 0.8 for Chinese prose, far lower for text decoded with the wrong codec."""
        norm = to_simplified(text)
        han = sum("\u4e00" <= ch <= "\u9fff" for ch in norm)
        if not han:
            return 0.0
        seg = self._segmenter()
        inside = sum(len(w) for w in seg.cut(norm, HMM=False) if len(w) >= 2 and w in seg.FREQ)
        return min(1.0, inside / han)

    def frequency(self, word: str) -> int:
        """How often jieba's dictionary (with the user dictionary) counts ``word``; 0 if it
        does not list it."""
        return int(self._segmenter().FREQ.get(to_simplified(word), 0) or 0)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech flag) for ``text`` in the matching form, by jieba.posseg."""
        with self._init_lock:
            if self._tagger is None:
                import jieba.posseg  # its tables take about half a second to import

                tagger = jieba.posseg.POSTokenizer(self._segmenter_unlocked())
                tagger.word_tag_tab.update(self._retags())  # 上台 v: a tag, not a word
                self._tagger = tagger
            tagger = self._tagger
        return [
            (pair.word, pair.flag)
            for pair in tagger.cut(to_simplified(text), HMM=self.settings.hmm)
        ]

    def _segments(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(token, start, end) of ``text``: numbers whole (and their parts), the rest by jieba."""
        mode = "search" if self.settings.search_mode else "default"
        pos = 0
        for m in _NUMBER.finditer(text):
            if m.start() > pos:
                for word, start, end in self._tokenize(text[pos : m.start()], mode):
                    yield word, pos + start, pos + end
            number = re.sub(r"\s+", "", m.group(0))
            yield number, m.start(), m.end()
            parts = [p for p in re.split(r"[-~—–－至到]", number) if p]
            if len(parts) > 1:
                yield from ((p, m.start(), m.end()) for p in parts)
            pos = m.end()
        if pos < len(text):
            for word, start, end in self._tokenize(text[pos:], mode):
                yield word, pos + start, pos + end

    def tokenize(self, text: str) -> list[str]:
        """Tokens of ``text`` for matching: Simplified, folded, no stopwords or punctuation."""
        return self.tokens_of_normalized(to_simplified(text))

    def tokens_of_normalized(self, normalized: str) -> list[str]:
        """Like :meth:`tokenize` for text already in the matching form."""
        words: list[str] = []
        content = bytearray(len(normalized))  # 1 where a character belongs to a content word
        for raw, start, end in self._segments(normalized):
            tok = raw.strip()
            if (
                tok
                and tok not in self.stopwords
                and _WORDLIKE.search(tok)
                and not _QUESTION_FUSION.match(tok)
            ):
                words.append(tok)
                content[start:end] = b"\x01" * (end - start)
        if self.settings.bigrams:
            words.extend(self._bigrams(normalized, content))
        return words

    @staticmethod
    def _bigrams(normalized: str, content: bytearray) -> list[str]:
        """Overlapping Han bigrams whose two characters both belong to content words."""
        out: list[str] = []
        for m in _HAN_RUN.finditer(normalized):
            for i in range(m.start(), m.end() - 1):
                if content[i] and content[i + 1]:
                    out.append("#" + normalized[i : i + 2])
        return out
