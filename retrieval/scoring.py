"""BM25 scores as rank_bm25 computes them, from a precomputed term -> passage weight table.

rank_bm25's ``get_scores`` loops over every passage in Python for every query term. Here the
per-(term, passage) contribution is computed once, at open, into a compressed sparse table
(one row of passage ids and weights per term), so scoring a query adds up a few rows with
numpy. The formulas, including Okapi's epsilon-floored IDF, BM25L's extra factor of the term
frequency and the constant that BM25Plus adds to every passage for every query term, are
rank_bm25 0.2.2's; tests prove the scores equal rank_bm25's on the same tokens.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

# numpy reads a .npy header with ast.literal_eval, and CPython 3.11's AST constructor is not
# safe to run from two threads at once ("AST constructor recursion depth mismatch").
_LOAD_LOCK = threading.Lock()


class Vocabulary(Protocol):
    """Term -> row of the weight table; a dict, or a lookup in the index file."""

    def get(self, term: str, /) -> int | None: ...


class SparseBM25:
    """Okapi, L or Plus BM25 over tokenized passages (``variant``, ``k1``, ``b``, ``epsilon``,
    ``delta`` as in rank_bm25)."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]],
        variant: str = "okapi",
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        delta: float = 1.0,
    ) -> None:
        n = len(corpus)
        if n == 0:
            raise ValueError("an empty corpus has nothing to score")
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(n, dtype=np.float64)
        for d, doc in enumerate(corpus):
            lengths[d] = len(doc)
            counts: dict[int, int] = {}
            for tok in doc:
                t = vocab.setdefault(tok, len(vocab))
                counts[t] = counts.get(t, 0) + 1
            for t, c in counts.items():
                term_ids.append(t)
                doc_ids.append(d)
                tfs.append(c)
        terms = np.asarray(term_ids, dtype=np.int64)
        docs = np.asarray(doc_ids, dtype=np.int64)
        tf = np.asarray(tfs, dtype=np.float64)
        df = np.bincount(terms, minlength=len(vocab)).astype(np.float64)
        avgdl = lengths.sum() / n
        norm = 1 - b + b * lengths[docs] / avgdl  # per posting
        if variant == "okapi":
            idf = np.log(n - df + 0.5) - np.log(df + 0.5)
            average = idf.sum() / len(idf) if len(idf) else 0.0
            idf = np.where(idf < 0, epsilon * average, idf)
            base = np.zeros(len(vocab))
            weight = idf[terms] * (tf * (k1 + 1) / (tf + k1 * norm))
        elif variant == "l":  # rank_bm25 multiplies by the term frequency: tf = 0 adds nothing
            idf = np.log(n + 1) - np.log(df + 0.5)
            ctd = tf / norm
            base = np.zeros(len(vocab))
            weight = idf[terms] * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
        elif variant == "plus":
            idf = np.log(n + 1) - np.log(df)
            base = idf * delta
            weight = idf[terms] * (delta + tf * (k1 + 1) / (k1 * norm + tf)) - base[terms]
        else:
            raise ValueError(f"unknown BM25 variant {variant!r}")
        order = np.argsort(terms, kind="stable")
        self.vocab: Vocabulary = vocab
        self.idf: FloatArray = idf
        self.base: FloatArray = base
        self.size = n
        self.indptr = np.concatenate(([0], np.cumsum(np.bincount(terms, minlength=len(vocab)))))
        self.indices = docs[order]
        self.data: FloatArray = weight[order]

    ARRAYS = ("indptr", "indices", "data", "base", "idf")

    def save(self, folder: Path) -> None:
        """Write the weight table as .npy files (memory-mappable) into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in self.ARRAYS:
            np.save(folder / f"{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, vocab: Vocabulary, size: int) -> SparseBM25:
        """The table written by :meth:`save`, memory-mapped: opening reads almost nothing."""
        self = cls.__new__(cls)
        with _LOAD_LOCK:
            for name in cls.ARRAYS:
                array = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                setattr(self, name, array)
        self.vocab = vocab
        self.size = size
        return self

    def df_of(self, token: str) -> int:
        """In how many passages ``token`` occurs."""
        t = self.vocab.get(token)
        return int(self.indptr[t + 1] - self.indptr[t]) if t is not None else 0

    def idf_of(self, token: str) -> float:
        t = self.vocab.get(token)
        return float(self.idf[t]) if t is not None else 0.0

    def get_scores(self, query: Sequence[str]) -> FloatArray:
        """The score of every passage for ``query`` (tokens, repeats counted as rank_bm25 does).

        A repeated token is added once with its count as a factor, and the longest row is
        assigned rather than added: the same sums, less memory traffic.
        """
        counts = Counter(t for t in (self.vocab.get(tok) for tok in query) if t is not None)
        scores = np.zeros(self.size, dtype=np.float64)
        if not counts:
            return scores
        rows = sorted(counts, key=lambda t: self.indptr[t] - self.indptr[t + 1])
        constant = 0.0
        for n, t in enumerate(rows):
            start, end = self.indptr[t], self.indptr[t + 1]
            weights = self.data[start:end] if counts[t] == 1 else counts[t] * self.data[start:end]
            if n == 0:
                scores[self.indices[start:end]] = weights
            else:
                scores[self.indices[start:end]] += weights
            constant += counts[t] * self.base[t]
        if constant:
            scores += constant
        return scores
