"""BM25 scoring over the stored passages and the Retriever API.

Scores are rank_bm25's (the reference, proven equal in tests) computed by
:class:`~retrieval.scoring.SparseBM25` from a precomputed term -> passage weight table.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from . import store
from .answer_type import AnswerType, expected_answer
from .chunking import DEFAULT_MAX_CHARS
from .errors import RetrievalError, SettingsError
from .ingest import BuildReport, Progress, Segmenting, build_index
from .normalization import to_simplified
from .schema import Document, Hit
from .scoring import Counts, SparseBM25, Vocabulary
from .tokenization import Tokenizer
from .updating import update_index

RERANK_POOL = 20  # BM25 candidates considered by the answer-type preference
ANSWER_BOOST = (
    0.15  # x (1 + this) for an answer of the asked kind, x (1 + 2 x this) near a query word
)

Variant = Literal["okapi", "l", "plus"]
_VARIANTS = ("okapi", "l", "plus")  # rank_bm25's BM25Okapi, BM25L, BM25Plus


@dataclass(frozen=True)
class BM25Settings:
    """Which BM25 and its parameters; ``delta`` is used by L and Plus, ``epsilon`` by Okapi."""

    variant: Variant = "okapi"
    k1: float = 1.2
    b: float = 0.75
    epsilon: float = 0.25
    delta: float = 1.0

    def __post_init__(self) -> None:
        if self.variant not in _VARIANTS:
            raise SettingsError(f"unknown BM25 variant {self.variant!r}: use okapi, l or plus")
        if self.k1 < 0:
            raise SettingsError(f"k1 must be at least 0, got {self.k1}")
        if not 0 <= self.b <= 1:
            raise SettingsError(f"b must be between 0 and 1, got {self.b}")
        if self.epsilon < 0 or self.delta < 0:
            raise SettingsError("epsilon and delta must be at least 0")

    def make(self, corpus: list[list[str]]) -> SparseBM25:
        """The scorer for these settings over ``corpus`` (tokenized passages)."""
        return SparseBM25(corpus, self.variant, self.k1, self.b, self.epsilon, self.delta)

    def weigh(self, vocab: Vocabulary, counts: Counts) -> SparseBM25:
        """The scorer for these settings over passages already counted."""
        return SparseBM25.from_counts(
            vocab, counts, self.variant, self.k1, self.b, self.epsilon, self.delta
        )


@dataclass(frozen=True)
class Query:
    """A question as the index sees it: its tokens, and which of them the corpus knows."""

    text: str
    tokens: tuple[str, ...]
    known: tuple[str, ...]
    unknown: tuple[str, ...]


class Retriever:
    """Cited-passage search over one index file.

    >>> r = Retriever.open("data/docbot.db")            # doctest: +SKIP
    >>> r.search("肇庆建成了多少个初心堂", k=3)[0].doc     # doctest: +SKIP
    '001_9633f197b07a2f19.txt'
    """

    def __init__(
        self,
        path: Path,
        documents: dict[str, Document],
        passages: Sequence[store.StoredPassage],
        tokenizer: Tokenizer,
        bm25: BM25Settings,
        furniture_words: frozenset[str] = frozenset(),
        *,
        scorer: SparseBM25 | None = None,
        counts: dict[str, int] | None = None,
    ) -> None:
        """A retriever over ``passages`` (a list, or an index file's lazy view with the weight
        table ``scorer`` memory-mapped beside it). Use :meth:`open` or :meth:`build`."""
        self.path = path
        self.furniture_words = furniture_words
        self.documents = documents
        self.passages = passages
        self.tokenizer = tokenizer
        self.settings = bm25
        if scorer is None and len(passages):
            scorer = bm25.make([p.tokens for p in passages])
        self._bm25 = scorer
        self._counts = counts if counts is not None else dict(Counter(p.doc for p in passages))
        self._by_id: dict[str, int] | None = None

    # --- construction --------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        tokenizer: Tokenizer | None = None,
        bm25: BM25Settings | None = None,
    ) -> Retriever:
        """Open an index built by :meth:`build` (or ``docbot index``)."""
        path = Path(path)
        db, meta = store.open_store(path)
        try:
            tokenizer = tokenizer or Tokenizer()
            if meta.get("tokenizer") != tokenizer.signature:
                raise RetrievalError(
                    f"{path} was built with other tokenizer settings. Rebuild it with: docbot index"
                )
            rows = store.read_documents(db)
            documents = {name: store.document_of(row) for name, row in rows.items()}
            counts = {name: int(row["passages"] or 0) for name, row in rows.items()}
            built = BM25Settings(**meta["bm25"]) if "bm25" in meta else BM25Settings()
            bm25 = bm25 or built
            furniture = frozenset(meta.get("furniture_words", []))
            folder = store.arrays_folder(path, str(meta.get("arrays")))
            if "arrays" in meta and bm25 == built and folder.exists():
                # The weight table was built with these settings: map it, read passages lazily.
                size = sum(counts.values())
                try:
                    scorer = SparseBM25.load(folder, store.TermRows(path), size)
                except OSError:  # replaced by a newer build since this file was opened
                    scorer = None
                if scorer is not None:
                    return cls(
                        path,
                        documents,
                        store.LazyPassages(path, size),
                        tokenizer,
                        bm25,
                        furniture,
                        scorer=scorer,
                        counts=counts,
                    )
            eager = store.read_passages(db)
        finally:
            db.close()
        return cls(path, documents, eager, tokenizer, bm25, furniture, counts=counts)

    @classmethod
    def build(
        cls,
        corpus_paths: Sequence[str | Path],
        path: str | Path,
        *,
        tokenizer: Tokenizer | None = None,
        bm25: BM25Settings | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        progress: Progress | None = None,
        segmenting: Segmenting | None = None,
    ) -> Retriever:
        """Index ``corpus_paths`` (folders, .txt/.md files, .jsonl passage files) into ``path``."""
        retriever, _ = cls.build_with_report(
            corpus_paths,
            path,
            tokenizer=tokenizer,
            bm25=bm25,
            max_chars=max_chars,
            progress=progress,
            segmenting=segmenting,
        )
        return retriever

    @classmethod
    def build_with_report(
        cls,
        corpus_paths: Sequence[str | Path],
        path: str | Path,
        *,
        tokenizer: Tokenizer | None = None,
        bm25: BM25Settings | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        progress: Progress | None = None,
        segmenting: Segmenting | None = None,
    ) -> tuple[Retriever, BuildReport]:
        """Like :meth:`build`, also returning what was added, changed, removed and skipped."""
        tokenizer = tokenizer or Tokenizer()
        bm25 = bm25 or BM25Settings()
        report = build_index(
            corpus_paths,
            path,
            tokenizer,
            max_chars=max_chars,
            extra_meta={"bm25": asdict(bm25)},
            progress=progress,
            scorer=bm25.weigh,
            segmenting=segmenting,
        )
        return cls.open(path, tokenizer=tokenizer, bm25=bm25), report

    @classmethod
    def update(
        cls,
        path: str | Path,
        *,
        add: Sequence[str | Path] = (),
        remove: Sequence[str] = (),
        tokenizer: Tokenizer | None = None,
        bm25: BM25Settings | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> tuple[Retriever, BuildReport]:
        """Add or replace the documents under ``add`` and remove those named in ``remove``,
        in the index at ``path``, without rebuilding it; scores stay exactly those of a full
        build. Returns the reopened retriever and what was done."""
        tokenizer = tokenizer or Tokenizer()
        bm25 = bm25 or BM25Settings()
        report = update_index(
            path,
            tokenizer,
            bm25.weigh,
            add=add,
            remove=remove,
            max_chars=max_chars,
            extra_meta={"bm25": asdict(bm25)},
        )
        return cls.open(path, tokenizer=tokenizer, bm25=bm25), report

    # --- searching -----------------------------------------------------------------------

    def analyze(self, question: str) -> Query:
        """Tokens of ``question``, split into those the corpus has and those it does not."""
        tokens = tuple(self.tokenizer.tokenize(question))
        words = [t for t in tokens if not t.startswith("#")]
        in_corpus = {t: bool(self.document_frequency(t)) for t in words}
        known = tuple(t for t in words if in_corpus[t])
        unknown = tuple(t for t in words if not in_corpus[t])
        return Query(question, tokens, known, unknown)

    def scores(self, tokens: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """BM25 score of every passage, in passage order (equal to rank_bm25's get_scores)."""
        if self._bm25 is None:
            return np.zeros(0)
        return self._bm25.get_scores(tokens)

    def search(self, question: str, k: int = 5, *, rerank: bool = True) -> list[Hit]:
        """The ``k`` best passages for ``question``, best first; empty when nothing matches.

        With ``rerank`` (the default) passages that carry the kind of answer the question asks
        for (a number with the asked unit for 多少所, a year for 哪一年 ...) are preferred
        among the BM25 candidates; without it the order is plain BM25.
        """
        answer = expected_answer(to_simplified(question)) if rerank else None
        query = self.analyze(question)
        return self.search_tokens(query.tokens, k, answer=answer, words=query.known)

    def search_tokens(
        self,
        tokens: Sequence[str],
        k: int = 5,
        *,
        answer: AnswerType | None = None,
        words: Sequence[str] = (),
    ) -> list[Hit]:
        """Like :meth:`search` for tokens that are already in the matching form."""
        if k <= 0 or not tokens or self._bm25 is None:
            return []
        reranking = answer is not None and answer.pattern is not None
        pool, pool_scores = self._bm25.top(tokens, max(k, RERANK_POOL) if reranking else k)
        bm25 = {int(i): float(s) for i, s in zip(pool, pool_scores, strict=True)}
        final = dict(bm25)
        if reranking and answer is not None:
            for i in final:
                boost = answer.support(self.passages[i].norm, words)
                final[i] *= 1.0 + ANSWER_BOOST * boost
        order = sorted(final, key=lambda i: (-final[i], i))  # score desc, passage order asc
        hits: list[Hit] = []
        for i in order[:k]:
            score = final[i]
            if not score > 0 or not math.isfinite(score):
                break
            hits.append(self._hit(i, score, bm25[i], len(hits) + 1))
        return hits

    def _hit(self, i: int, score: float, bm25: float, rank: int) -> Hit:
        p = self.passages[i]
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
        )

    def idf(self, token: str) -> float:
        """The scorer's IDF of ``token`` (0 for a token the corpus does not have)."""
        return self._bm25.idf_of(token) if self._bm25 else 0.0

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

    def coverage(self, query: Query, passage_id: str) -> float:
        """Share of the question's information (weights of its distinct words, bigrams left out)
        that the passage has; words the corpus lacks count against it. 0.0 to 1.0."""
        words = set(query.known) | set(query.unknown)
        total = sum(self.weight(w) for w in words)
        if total <= 0:
            return 0.0
        have = self.passage_tokens(passage_id)
        return sum(self.weight(w) for w in words if w in have) / total

    def _index_of(self, passage_id: str) -> int:
        if isinstance(self.passages, store.LazyPassages):
            return self.passages.index_of(passage_id)
        if self._by_id is None:
            self._by_id = {p.id: i for i, p in enumerate(self.passages)}
        return self._by_id[passage_id]

    def passage_count(self, doc: str) -> int:
        return self._counts.get(doc, 0)

    def __len__(self) -> int:
        return len(self.passages)

    def __repr__(self) -> str:
        return (
            f"<Retriever {self.path} documents={len(self.documents)} passages={len(self.passages)}>"
        )
