"""The read side: open an index, analyze a question once, search it for cited passages.

Scores are rank_bm25's (the reference, proven equal in tests) computed by
:class:`~retrieval.bm25.SparseBM25` from the weight table written at build time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .answer_type import (
    ORDINAL,
    PER_TIER,
    PERIOD,
    PLACE_KINDS,
    POST,
    RANK,
    SESSION,
    TIER_GROUP,
    YEAR_NAMED,
    YEAR_SPAN,
    AnswerType,
    asked_for,
    expected_answer,
)
from .bm25 import BM25Settings, SparseBM25, top_indices
from .constraints import ANY_YEAR as _ANY_YEAR
from .constraints import DISTRICT, PLACE_SUFFIX, arabic_years, place_forms, setting, unmet
from .errors import IndexOutdatedError
from .normalization import Wording, to_simplified
from .schema import Document, Hit, Question
from .store import IndexFile, LazyPassages, StoredPassage
from .tokenization import LOCATIVE, Tokenizer, data_text

# "<X>是多少" / "<X>为几…": the judgement of such a question looks at its words' tags.
_AMOUNT_OF = re.compile(r"[是为].*(?:多少|几)")
# Question words the stopword list lacks (多久, and 几耐 once in standard wording): they ask,
# they say nothing a passage should hold.
_ASKING_WORDS = frozenset(["多久", "多长", "多远", "多高", "多深", "多宽", "几时", "何时"])
_NEXT_YEAR = re.compile(r"次年|翌年|隔年|第二年|一年后")
_TIER_ONE = re.compile(r"([省市县区镇乡村])一级")
RERANK_POOL = 20  # BM25 candidates considered by the answer-type and context preferences
CONTEXT_BOOST = 0.6  # x (1 + this) for a candidate about what the question names
ANSWER_BOOST = 0.15  # x (1 + this) for an answer of the asked kind, x (1 + 2 x this) near a
# query word, x (1 + 3 x this) for a count attached to what it counts


_simplified_title = lru_cache(maxsize=4096)(to_simplified)
_PROVINCE_WORD = re.compile(r"全省|本省|我省")


def _names_place(text: str, place: str) -> bool:
    """Whether ``text`` names ``place``: itself, without 省/市 (广东 for 广东省), or, for a
    province, 全省 (not one of its cities: 肇庆's figures are not 广东's)."""
    if any(form in text for form in place_forms(place)):
        return True
    return _PROVINCE_WORD.search(text) is not None and _is_province(PLACE_SUFFIX.sub("", place))


@lru_cache(maxsize=64)
def _is_province(place: str) -> bool:
    """Whether the place table lists cities in ``place``."""
    return place in set(places().values())


@lru_cache(maxsize=1)
def _wording() -> Wording:
    """The colloquial and Cantonese wording table shipped with the library."""
    return Wording.read(data_text("colloquial.txt"))


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Places jieba does not tag as such (清远 is an adjective there), each with its province
    ("" for a province): shipped with the library (data/places.txt)."""
    table = {}
    for line in data_text("places.txt").splitlines():
        fields = line.split()
        if fields and not line.startswith("#"):
            table[fields[0]] = fields[1] if len(fields) > 1 else ""
    return table


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Everyday word -> the formal words for it, shipped with the library (data/synonyms.txt)."""
    table = {}
    for line in data_text("synonyms.txt").splitlines():
        fields = line.split()
        if len(fields) >= 2 and not line.startswith("#"):
            table[fields[0]] = tuple(fields[1:])
    return table


class Retriever:
    """Cited-passage search over one index.

    >>> r = Retriever.open("data/docbot.db")                           # doctest: +SKIP
    >>> r.search(r.analyze("肇庆建成了多少个初心堂"), k=3)[0].doc        # doctest: +SKIP
    '001_9633f197b07a2f19.txt'
    """

    def __init__(
        self,
        path: Path,
        documents: dict[str, Document],
        passages: Sequence[StoredPassage],
        tokenizer: Tokenizer,
        bm25: BM25Settings,
        furniture_words: frozenset[str] = frozenset(),
        *,
        entity_words: frozenset[str] = frozenset(),
        document_entities: dict[str, list[str]] | None = None,
        scorer: SparseBM25 | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        """A retriever over ``passages`` (a list, or an index file's lazy view with the weight
        table ``scorer`` memory-mapped beside it). Use :meth:`open`."""
        self.path = path
        self.furniture_words = furniture_words
        self.entity_words = entity_words  # places and organisations the corpus names
        self._about = {d: frozenset(w) for d, w in (document_entities or {}).items()}
        self._title_entities: dict[str, frozenset[str]] = {}
        self._document_years: dict[str, str] = {}
        self.documents = documents
        self.passages = passages
        self.tokenizer = tokenizer
        self.settings = bm25
        if scorer is None and len(passages):
            scorer = bm25.make([p.tokens for p in passages])
        self._bm25 = scorer
        self._counts = counts if counts is not None else dict(Counter(p.doc for p in passages))
        self._by_id: dict[str, int] | None = None

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        tokenizer: Tokenizer | None = None,
        bm25: BM25Settings | None = None,
    ) -> Retriever:
        """Open an index written by :func:`~retrieval.build.build_index`. With ``bm25``
        settings other than those it was built with, the weights are computed again."""
        index = IndexFile(path)
        contents = index.read()
        meta = contents.meta
        tokenizer = tokenizer or Tokenizer()
        if meta.get("tokenizer") != tokenizer.signature:
            raise IndexOutdatedError(f"{index.path} was built with other tokenizer settings.")
        built = BM25Settings(**meta["bm25"]) if "bm25" in meta else BM25Settings()
        bm25 = bm25 or built
        furniture = frozenset(meta.get("furniture_words", []))
        scorer = index.load_table(meta, contents.size) if bm25 == built else None
        if scorer is not None:  # the weight table was built with these settings: map it
            passages: Sequence[StoredPassage] = index.lazy_passages(contents.size)
        else:
            passages = index.read_passages()
        return cls(
            index.path,
            contents.documents,
            passages,
            tokenizer,
            bm25,
            furniture,
            scorer=scorer,
            counts=contents.passage_counts,
            entity_words=frozenset(meta.get("entity_words", [])),
            document_entities=meta.get("document_entities", {}),
        )

    # --- searching -----------------------------------------------------------------------

    @staticmethod
    def standard(text: str) -> str:
        """``text`` as :meth:`analyze` reads it: Simplified, in standard wording (咩 -> 什么)."""
        return _wording().standard(to_simplified(text))

    def analyze(self, question: str) -> Question:
        """``question`` as the index sees it, computed once: its tokens, which of them the
        corpus has, the kind of answer it asks for, and (only when a judgement needs them:
        an unknown word, or an amount asked for) its words' part-of-speech tags."""
        norm = self.standard(question)
        tokens = self._standard(self.tokenizer.tokens_of_normalized(norm))
        tokens = tuple(t for t in tokens if not (t in PLACE_KINDS and asked_for(t, norm)))
        asked = expected_answer(norm)
        if asked is not None and len(asked.unit) == 1 and not self.document_frequency(asked.unit):
            tokens = tuple(t for t in tokens if t != asked.unit)  # 几多间: 间 asks, no more
        words = [t for t in tokens if not t.startswith("#")]
        in_corpus = {t: bool(self.document_frequency(t)) for t in words}
        known = tuple(t for t in words if in_corpus[t])
        unknown = tuple(t for t in words if not in_corpus[t])
        needs_tags = bool(unknown) or _AMOUNT_OF.search(norm) is not None
        tags = tuple(self.tokenizer.tag(question)) if needs_tags else None
        constraints = self._constraints(norm, known, unknown, tags, asked)
        return Question(question, norm, tokens, known, unknown, asked, tags, constraints)

    def _standard(self, tokens: list[str]) -> tuple[str, ...]:
        """``tokens`` in the collection's wording: a colloquial word alone (系) in standard
        wording, and an everyday word the collection never uses (官员) replaced by the first
        of its formal words that it does use (干部), with that word's bigrams."""
        words, extra = _wording().words, _synonyms()
        out: list[str] = []
        for token in tokens:
            if token in words:
                token = words[token]
            elif token in extra and not self.document_frequency(token):
                token = next((w for w in extra[token] if self.document_frequency(w)), token)
                out += [f"#{token[i : i + 2]}" for i in range(len(token) - 1)]
            if token not in self.stopwords and token not in _ASKING_WORDS:
                out.append(token)
        return tuple(out)

    def _constraints(
        self,
        norm: str,
        known: tuple[str, ...],
        unknown: tuple[str, ...],
        tags: tuple[tuple[str, str], ...] | None,
        asked: AnswerType | None = None,
    ) -> tuple[str, ...]:
        """The places and organisations a question names (those the corpus has, by the
        index's list; those it lacks, by their tags), the posts, the years, the unit of a
        figure per unit and a group of a tier (每个村, 村干部, 市直: for a count or an amount
        ``asked``), and the place in
        a series (第二期, 第三届). Not the parts
        of a longer word (search mode also gives 北地 for 东北地区), not a kind of place or a
        country (the setting), not what the question asks for (哪一座城市)."""
        flags = dict(tags or ())
        found = [w for w in known if w in self.entity_words or w in places()]
        found += [
            w
            for w in unknown
            if (flags.get(w, "")[:2] in ("ns", "nt") and not LOCATIVE.fullmatch(w))
            or w in places()
            or DISTRICT.fullmatch(w)  # 龙岗区, which jieba tags as a plain noun
        ]
        words = set(known) | set(unknown)
        inside = {w for w in words if any(w != other and w in other for other in words)}
        found = [w for w in found if w not in inside and not setting(w)]
        posts = [self._post(norm, m, found) for m in POST.finditer(norm)]
        posts = [max((w for w in words if p in w), key=len, default=p) for p in posts]
        posts = [p for p in posts if not any(p != q and p in q for q in posts)]  # 乡镇党委书记
        found += posts
        found = [w for w in found if not asked_for(w, norm)]
        found += [f"{m.group(1)}-{m.group(2)}" for m in YEAR_SPAN.finditer(norm)]
        found += YEAR_NAMED.findall(YEAR_SPAN.sub(" ", norm))
        found += ORDINAL.findall(norm)
        found += RANK.findall(_TIER_ONE.sub(r"\1级", norm))  # 县一级 is 县级
        found += SESSION.findall(norm)
        if asked is not None and asked.kind in ("number", "money"):  # a figure per 村, or
            found += [f"每个{m.group(1) or m.group(2)}" for m in PER_TIER.finditer(norm)]
            found += [m.group() for m in TIER_GROUP.finditer(norm)]  # of 村干部, of 市直
        found += PERIOD.findall(norm)
        return tuple(dict.fromkeys(found))

    @staticmethod
    def _post(norm: str, post: re.Match[str], names: list[str]) -> str:
        """The post ``post`` (纪委书记, 副部长) with the place or body named in front of it or
        sharing its first characters: 广州市委书记, not 市委书记 and 广州市委."""
        start = post.start()
        for name in names:
            at = norm.find(name)
            if 0 <= at < post.start() <= at + len(name):
                start = min(start, at)
        return norm[start : post.end()]

    def entities_in(self, text: str) -> frozenset[str]:
        """The places and organisations the corpus names that ``text`` names too."""
        return frozenset(self.tokenizer.tokenize(text)) & self.entity_words

    def unmet(self, question: Question, hit: Hit) -> tuple[str, ...]:
        """The constraints of ``question`` that ``hit`` is not about (see ``constraints``)."""
        if not question.constraints:
            return ()
        about = self.about(hit.doc)
        titled = self._title_entities.get(hit.doc)
        if titled is None:  # a document's title is tokenized once, not per candidate
            titled = self._title_entities[hit.doc] = self.entities_in(hit.title)
        dated = any(w[:4].isdigit() for w in question.constraints)  # a year, or a span
        years = self._years_text(hit.doc) if dated else ""
        return unmet(question, self.whole_paragraph(hit), about, about | titled, years, places())

    def _years_text(self, doc: str) -> str:
        """The years document ``doc`` names anywhere (its title and passages), as text."""
        years = self._document_years.get(doc)
        if years is None:
            title = self.documents[doc].title if doc in self.documents else ""
            text = arabic_years(to_simplified(" ".join([title, *self.document_passages(doc, 400)])))
            named = [m.group() for m in _ANY_YEAR.finditer(text)]
            if _NEXT_YEAR.search(text):  # 次年, 翌年: the year after each one named
                named += [
                    f"{int(y) + 1}年" for y in re.findall(r"((?:19|20)\d{2})年", " ".join(named))
                ]
            years = self._document_years[doc] = " ".join(named)
        return years

    def whole_paragraph(self, hit: Hit) -> Hit:
        """``hit`` with the text of its whole paragraph when a long paragraph was cut into
        parts: what one part is about is often named in another (玉林 in the part before)."""
        if "." not in hit.passage_id.rsplit("#", 1)[-1]:
            return hit
        passages = self.passages
        if isinstance(passages, LazyPassages):
            parts = passages.of_paragraph(hit.doc, hit.paragraph)
        else:
            parts = [p for p in passages if p.doc == hit.doc and p.paragraph == hit.paragraph]
        return replace(hit, text="".join(p.text for p in parts) or hit.text)

    def about(self, doc: str) -> frozenset[str]:
        """The places and organisations document ``doc`` is about (named in its title or in
        several of its passages)."""
        return self._about.get(doc, frozenset())

    def tags(self, text: str) -> list[tuple[str, str]]:
        """(word, part-of-speech flag) pairs of ``text`` in the matching form."""
        return self.tokenizer.tag(text)

    @property
    def stopwords(self) -> frozenset[str]:
        """Words never matched (particles, question words)."""
        return self.tokenizer.stopwords

    def scores(self, tokens: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """BM25 score of every passage, in passage order (equal to rank_bm25's get_scores)."""
        if self._bm25 is None:
            return np.zeros(0)
        return self._bm25.get_scores(tokens)

    def search(self, question: Question | str, k: int = 5, *, rerank: bool = True) -> list[Hit]:
        """The ``k`` best passages for ``question``, best first; empty when nothing matches.

        With ``rerank`` (the default) passages that carry the kind of answer the question asks
        for (a number with the asked unit for 多少所, a year for 哪一年 ...) are preferred
        among the BM25 candidates; without it the order is plain BM25. Where BM25 scores are
        positive the order is rank_bm25's; when none is (a collection of one or two passages,
        or words in half of them), the passages that share question words are ranked by an
        IDF that is never floored to zero (``Hit.score``; ``Hit.bm25`` keeps BM25's). A question
        that names a place, organisation, post or year also prefers, with ``rerank``, the
        candidates about it (in the passage, its title, or what its document is about).
        """
        if isinstance(question, str):
            question = self.analyze(question)
        if k <= 0 or not question.tokens or self._bm25 is None:
            return []
        answer = question.answer if rerank else None
        about_names = rerank and bool(question.constraints)
        reranking = about_names or (answer is not None and answer.pattern is not None)
        size = max(k, RERANK_POOL) if reranking else k
        pool, pool_scores = self._bm25.top(question.tokens, size)
        bm25 = {int(i): float(s) for i, s in zip(pool, pool_scores, strict=True)}
        if not bm25:  # no positive BM25 score: rank the passages that share question words
            shared = self._bm25.shared_words_scores(question.tokens)
            plain = self._bm25.get_scores(question.tokens)
            pool = top_indices(shared, size)
            bm25 = {int(i): float(plain[i]) for i in pool}
            final = {int(i): float(shared[i]) for i in pool}
        else:
            final = dict(bm25)
        rows = {i: self.passages[i] for i in final}  # each candidate read once (lazily stored)
        if answer is not None and answer.pattern is not None:
            for i in final:
                boost = answer.support(rows[i].norm, question.known)
                final[i] *= 1.0 + ANSWER_BOOST * boost
        if about_names:  # prefer what is about the place, post or year the question names,
            names = [w for w in question.constraints if w in self.entity_words or w in places()]
            for i in final:  # most of all what names it (not its document only: 肇庆 in 广东)
                hit = self._hit(rows[i], final[i], bm25[i], 0)
                if not self.unmet(question, hit):
                    context = rows[i].norm + _simplified_title(hit.title)
                    named = all(_names_place(context, w) for w in names)
                    final[i] *= 1.0 + (CONTEXT_BOOST if named else CONTEXT_BOOST / 2)
        order = sorted(final, key=lambda i: (-final[i], i))  # score desc, passage order asc
        hits: list[Hit] = []
        for i in order[:k]:
            score = final[i]
            if not score > 0 or not math.isfinite(score):
                break
            hits.append(self._hit(rows[i], score, bm25[i], len(hits) + 1))
        return hits

    def _hit(self, p: StoredPassage, score: float, bm25: float, rank: int) -> Hit:
        doc = self.documents[p.doc]
        return Hit(
            p.id,
            p.doc,
            doc.title,
            doc.date,
            doc.source,
            p.paragraph,
            p.part,
            score,
            bm25,
            p.text,
            rank,
            p.page,
            p.section,
            doc.url,
        )

    def weight(self, token: str) -> float:
        """How informative ``token`` is: log(1 + (N - df + 0.5) / (df + 0.5)), always > 0.

        Unlike the scorer's IDF it is never floored, and a token the corpus lacks gets the
        largest weight, so it can count against a match (used for "not found" decisions).
        """
        n, df = len(self.passages), self.document_frequency(token)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def document_frequency(self, token: str) -> int:
        """In how many passages ``token`` occurs."""
        return self._bm25.df_of(token) if self._bm25 else 0

    def passage_tokens(self, passage_id: str) -> frozenset[str]:
        """The distinct tokens of one passage (its text and its document's title)."""
        return frozenset(self.passages[self._index_of(passage_id)].tokens)

    def passage_norm(self, passage_id: str) -> str:
        """One passage's text in the matching form (Simplified, no pinyin)."""
        return self.passages[self._index_of(passage_id)].norm

    def coverage(self, question: Question, passage_id: str) -> float:
        """Share of the question's information (weights of its distinct words, bigrams left out)
        that the passage has; words the corpus lacks count against it. 0.0 to 1.0."""
        words = set(question.known) | set(question.unknown)
        total = sum(self.weight(w) for w in words)
        if total <= 0:
            return 0.0
        have = self.passage_tokens(passage_id)
        return sum(self.weight(w) for w in words if w in have) / total

    def _index_of(self, passage_id: str) -> int:
        if isinstance(self.passages, LazyPassages):
            return self.passages.index_of(passage_id)
        if self._by_id is None:
            self._by_id = {p.id: i for i, p in enumerate(self.passages)}
        return self._by_id[passage_id]

    def passage_count(self, doc: str) -> int:
        """How many passages document ``doc`` has."""
        return self._counts.get(doc, 0)

    def document_passages(self, doc: str, limit: int = 40) -> list[str]:
        """The text of the first ``limit`` passages of document ``doc`` (none if unknown)."""
        passages = self.passages
        if isinstance(passages, LazyPassages):
            return [p.text for p in passages.of_document(doc, limit)]
        return [p.text for p in passages if p.doc == doc][:limit]

    def __len__(self) -> int:
        return len(self.passages)

    def __repr__(self) -> str:
        return (
            f"<Retriever {self.path} documents={len(self.documents)} passages={len(self.passages)}>"
        )
