"""BM25 settings, and scores as rank_bm25 computes them from a term -> passage weight table.

rank_bm25's ``get_scores`` loops over every passage in Python for every query term. Here the
per-(term, passage) contribution is computed once, when the index is built, into a
compressed sparse table (one row of passage ids and weights per term), so scoring a query
adds up a few rows with numpy. Rows that reach more than a quarter of the passages are also
kept as dense vectors, which numpy adds several times faster than through an index, and the
best k are found from per-block maxima instead of a partition of every score.

The formulas, including Okapi's epsilon-floored IDF, BM25L's extra factor of the term
frequency and the constant that BM25Plus adds to every passage for every query term, are
rank_bm25 0.2.2's; tests prove the scores equal rank_bm25's on the same tokens. The term
counts the weights come from are kept too, so an update recomputes the weights exactly.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from .errors import SettingsError

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

DENSE_SHARE = 4  # a row reaching more than 1/4 of the passages is also kept dense
_CHUNK = 4_000_000  # postings weighed at a time
BLOCK = 1024  # top-k: passages per block whose best score is looked at first


class Vocabulary(Protocol):
    """Term -> row of the weight table; a dict, or a lookup in the index file."""

    def get(self, term: str, /) -> int | None: ...


@dataclass(frozen=True)
class Counts:
    """What BM25 weights are computed from: a term -> passage table of term frequencies
    (compressed rows: ``indptr``, passage ids ``indices``, frequencies ``tf``) and every
    passage's length in tokens. A row may be empty (a term of passages since removed)."""

    indptr: IntArray
    indices: np.ndarray[Any, Any]  # int32 (int64 in tables written by docbot 0.1)
    tf: np.ndarray[Any, Any]  # uint16 (float32 if a count does not fit): whole numbers
    lengths: FloatArray

    @classmethod
    def of(
        cls, corpus: Sequence[Sequence[str]], vocab: dict[str, int], rows: int | None = None
    ) -> Counts:
        """Count ``corpus``. ``vocab`` maps terms to rows; a term it lacks is added with the
        next free row, from ``rows`` (default: ``len(vocab)``), the number of rows in use."""
        builder = CountsBuilder(vocab, rows)
        builder.add(corpus)
        return builder.finish()

    def changed(self, remap: IntArray, added: Counts) -> Counts:
        """These counts with passages moved or removed (``remap``: old passage -> new
        passage, -1 for removed; the kept ones must map onto 0..kept-1) and ``added``
        appended after them (its rows are this table's rows, plus any new ones at the end).

        Only arrays are touched: kept passages are not counted again. A row's postings are
        not kept in passage order (a moved passage keeps its place in the row); nothing
        depends on that order.
        """
        moved = remap[self.indices]
        keep = moved >= 0
        running = np.concatenate(([0], np.cumsum(keep)))
        kept_per_row = running[self.indptr[1:]] - running[self.indptr[:-1]]
        rows = max(len(self.indptr), len(added.indptr)) - 1
        per_row = np.zeros(rows, dtype=np.int64)
        per_row[: len(kept_per_row)] = kept_per_row
        kept_end = np.cumsum(per_row)  # where each row ends among the kept postings
        added_per_row = np.diff(added.indptr)
        added_rows = np.repeat(np.arange(len(added_per_row)), added_per_row)
        live = remap >= 0
        kept = int(np.count_nonzero(live))
        at = kept_end[added_rows]
        per_row[: len(added_per_row)] += added_per_row
        lengths = np.zeros(kept + len(added.lengths), dtype=np.float64)
        lengths[remap[live]] = self.lengths[live]
        lengths[kept:] = added.lengths
        return Counts(
            np.concatenate(([0], np.cumsum(per_row))),
            np.insert(moved[keep], at, added.indices + kept).astype(np.int32),
            np.insert(self.tf[keep], at, added.tf).astype(np.result_type(self.tf, added.tf)),
            lengths,
        )


class CountsBuilder:
    """Counts passages batch by batch (:meth:`add`), keeping only compact arrays (each
    batch's postings sorted by term), so that a large corpus is never held as lists of token
    strings and the table is assembled without sorting every posting at once."""

    def __init__(self, vocab: dict[str, int], rows: int | None = None) -> None:
        self.vocab = vocab
        self._gap = (len(vocab) if rows is None else rows) - len(vocab)  # rows not in vocab
        self.size = 0
        self._per_row = np.zeros(0, dtype=np.int64)
        self._parts: list[tuple[np.ndarray[Any, Any], ...]] = []
        self._lengths: list[FloatArray] = []

    def add(self, corpus: Iterable[Sequence[str]]) -> None:
        """Count the next passages (numbered after those already added)."""
        vocab, gap = self.vocab, self._gap
        terms: list[int] = []
        tfs: list[int] = []
        per_doc: list[int] = []
        lengths: list[int] = []
        for doc in corpus:
            counted = Counter(doc)
            # setdefault's default is evaluated first: a new term gets the next free row
            terms.extend([vocab.setdefault(tok, len(vocab) + gap) for tok in counted])
            tfs.extend(counted.values())
            per_doc.append(len(counted))
            lengths.append(len(doc))
        docs = np.repeat(np.arange(self.size, self.size + len(lengths), dtype=np.int32), per_doc)
        term_ids = np.asarray(terms, dtype=np.int32)
        order = np.argsort(term_ids, kind="stable")
        rows, group = np.unique(term_ids[order], return_counts=True)
        if len(vocab) + gap > len(self._per_row):
            grown = np.zeros(len(vocab) + gap, dtype=np.int64)
            grown[: len(self._per_row)] = self._per_row
            self._per_row = grown
        self._per_row[rows] += group
        tf = np.asarray(tfs, dtype=np.uint16 if max(tfs, default=0) < 2**16 else np.float32)
        self._parts.append((rows, group, docs[order], tf[order]))
        self._lengths.append(np.asarray(lengths, dtype=np.float64))
        self.size += len(lengths)

    def finish(self) -> Counts:
        """The counts of every passage added, as a term -> passage table."""
        per_row = np.zeros(len(self.vocab) + self._gap, dtype=np.int64)
        per_row[: len(self._per_row)] = self._per_row
        indptr = np.concatenate(([0], np.cumsum(per_row)))
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        tf_type = np.result_type(np.uint16, *(part[3].dtype for part in self._parts))
        tf = np.empty(int(indptr[-1]), dtype=tf_type)
        free = indptr[:-1].copy()  # where the next posting of each row goes
        self._parts.reverse()
        while self._parts:  # batch by batch, freeing each as it is placed
            rows, group, docs, tfs = self._parts.pop()
            first = np.cumsum(group) - group  # where each row's group starts in the batch
            at = np.repeat(free[rows] - first, group) + np.arange(len(docs))
            indices[at] = docs
            tf[at] = tfs
            free[rows] += group
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0)
        self._lengths = []
        release_freed_memory()
        return Counts(indptr, indices, tf, lengths)


Variant = Literal["okapi", "l", "plus"]
VARIANTS = ("okapi", "l", "plus")  # rank_bm25's BM25Okapi, BM25L, BM25Plus


@dataclass(frozen=True)
class BM25Settings:
    """Which BM25 and its parameters; ``delta`` is used by L and Plus, ``epsilon`` by Okapi."""

    variant: Variant = "okapi"
    k1: float = 1.2
    b: float = 0.75
    epsilon: float = 0.25
    delta: float = 1.0

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
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
        if len(corpus) == 0:
            raise ValueError("an empty corpus has nothing to score")
        vocab: dict[str, int] = {}
        counts = Counts.of(corpus, vocab)
        self._weigh(vocab, counts, variant, k1, b, epsilon, delta)

    @classmethod
    def from_counts(
        cls,
        vocab: Vocabulary,
        counts: Counts,
        variant: str = "okapi",
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
        delta: float = 1.0,
    ) -> SparseBM25:
        """The scorer of passages already counted (see :meth:`Counts.changed`)."""
        if len(counts.lengths) == 0:
            raise ValueError("an empty corpus has nothing to score")
        self = cls.__new__(cls)
        self._weigh(vocab, counts, variant, k1, b, epsilon, delta)
        return self

    def _weigh(
        self,
        vocab: Vocabulary,
        counts: Counts,
        variant: str,
        k1: float,
        b: float,
        epsilon: float,
        delta: float,
    ) -> None:
        """rank_bm25's weights of every (term, passage) pair. A term in no passage (left by
        a removed document) gets IDF 0 and is not part of Okapi's average IDF, as rank_bm25,
        which never sees it, would have it."""
        n = len(counts.lengths)
        indptr, docs, lengths = counts.indptr, counts.indices, counts.lengths
        df = np.diff(indptr).astype(np.float64)
        present = df > 0
        avgdl = lengths.sum() / n
        idf = np.zeros(len(df))
        with np.errstate(divide="ignore", invalid="ignore"):
            if variant == "okapi":
                idf[present] = (np.log(n - df + 0.5) - np.log(df + 0.5))[present]
                average = idf[present].sum() / present.sum() if present.any() else 0.0
                idf = np.where(present & (idf < 0), epsilon * average, idf)
                base = np.zeros(len(df))
            elif variant == "l":
                idf[present] = (np.log(n + 1) - np.log(df + 0.5))[present]
                base = np.zeros(len(df))
            elif variant == "plus":
                idf[present] = (np.log(n + 1) - np.log(df))[present]
                base = idf * delta
            else:
                raise ValueError(f"unknown BM25 variant {variant!r}")
        data = np.empty(len(docs), dtype=np.float64)
        for start in range(0, len(docs), _CHUNK):  # bounded temporaries on a large table
            end = min(start + _CHUNK, len(docs))
            rows = np.searchsorted(indptr, np.arange(start, end), side="right") - 1
            w = idf[rows]
            tf = np.asarray(counts.tf[start:end], dtype=np.float64)
            norm = 1 - b + b * lengths[docs[start:end]] / avgdl
            if variant == "okapi":
                data[start:end] = w * (tf * (k1 + 1) / (tf + k1 * norm))
            elif variant == "l":  # rank_bm25 multiplies by the term frequency: tf = 0 adds 0
                ctd = tf / norm
                data[start:end] = w * tf * (k1 + 1) * (ctd + delta) / (k1 + ctd + delta)
            else:
                data[start:end] = w * (delta + tf * (k1 + 1) / (k1 * norm + tf)) - base[rows]
        self.vocab = vocab
        self.idf: FloatArray = idf
        self.base: FloatArray = base
        self.size = n
        self.indptr = indptr
        self.indices = docs
        self.data: FloatArray = data
        self.tf: np.ndarray[Any, Any] | None = counts.tf
        self.lengths: FloatArray | None = lengths
        self._derive()

    ARRAYS = ("indptr", "indices", "data", "base", "idf")
    COUNTED = ("tf", "lengths")  # for updates; tables written by docbot 0.1 lack them
    DERIVED = ("dense_of", "dense")

    def counts(self) -> Counts | None:
        """The counts behind the weights, or None for a table saved without them."""
        if self.tf is None or self.lengths is None:
            return None
        return Counts(
            np.asarray(self.indptr),
            np.asarray(self.indices),
            np.asarray(self.tf),
            np.asarray(self.lengths),
        )

    def _derive(self) -> None:
        """The rows that reach more than a quarter of the passages, again as dense vectors:
        adding a dense vector costs far less per passage than adding through an index."""
        lengths = np.diff(self.indptr)
        wide = np.flatnonzero(lengths * DENSE_SHARE > self.size)
        self.dense_of = np.full(len(lengths), -1, dtype=np.int32)
        self.dense_of[wide] = np.arange(len(wide), dtype=np.int32)
        self.dense: FloatArray = np.zeros((len(wide), self.size), dtype=np.float64)
        for d, t in enumerate(wide):
            start, end = self.indptr[t], self.indptr[t + 1]
            self.dense[d, self.indices[start:end]] = self.data[start:end]

    def arrays(self) -> dict[str, np.ndarray[Any, Any]]:
        """The arrays that make up the table, by name (what the store saves)."""
        names = self.ARRAYS + self.COUNTED + self.DERIVED
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    @classmethod
    def from_arrays(
        cls, vocab: Vocabulary, size: int, arrays: dict[str, np.ndarray[Any, Any]]
    ) -> SparseBM25:
        """The table made of ``arrays`` (as :meth:`arrays` gives them, possibly memory-mapped);
        the derived dense rows are computed again when missing (a table of docbot 0.1)."""
        self = cls.__new__(cls)
        self.vocab = vocab
        self.size = size
        self.tf = self.lengths = None
        for name, array in arrays.items():
            setattr(self, name, array)
        if not all(name in arrays for name in cls.DERIVED):
            self._derive()
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
            d = self.dense_of[t]
            if d >= 0:  # the same sums: the passages a row does not reach get + 0.0
                if counts[t] == 1:
                    scores += self.dense[d]
                else:
                    scores += counts[t] * self.dense[d]
            else:
                start, end = self.indptr[t], self.indptr[t + 1]
                weights = self.data[start:end]
                if counts[t] != 1:
                    weights = counts[t] * weights
                if n == 0:
                    scores[self.indices[start:end]] = weights
                else:
                    scores[self.indices[start:end]] += weights
            constant += counts[t] * self.base[t]
        if constant:
            scores += constant
        return scores

    def shared_words_scores(self, query: Sequence[str]) -> FloatArray:
        """Every passage's sum, over the distinct query terms it has, of an IDF that is never
        floored: log(1 + (N - df + 0.5) / (df + 0.5)), always > 0. For when no BM25 score is
        positive (one or two passages, or a word in half of them)."""
        scores = np.zeros(self.size, dtype=np.float64)
        for token in set(query):
            t = self.vocab.get(token)
            if t is None:
                continue
            start, end = int(self.indptr[t]), int(self.indptr[t + 1])
            df = end - start
            scores[self.indices[start:end]] += np.log1p((self.size - df + 0.5) / (df + 0.5))
        return scores

    def top(self, query: Sequence[str], k: int) -> tuple[IntArray, FloatArray]:
        """The ``k`` best passages with a positive score and their scores, best first, ties
        by passage order."""
        scores = self.get_scores(query)
        best = top_indices(scores, k)
        return best, scores[best]


def top_indices(scores: FloatArray, k: int) -> IntArray:
    """Positions of the ``k`` best positive ``scores``, best first, ties by position; all
    tied at the cut are kept in the running so the tie-break stays exact. Linear time.

    On a long array the best score of every block of ``BLOCK`` is taken first: the k-th
    best of those is at most the k-th best score (k blocks each hold a score that high), so
    only blocks whose best reaches it can hold an answer.
    """
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    blocks = len(scores) // BLOCK
    if blocks > 4 * k:
        best = np.empty(blocks + 1)
        best[:blocks] = scores[: blocks * BLOCK].reshape(blocks, BLOCK).max(axis=1)
        best[blocks] = scores[blocks * BLOCK :].max(initial=-np.inf)
        floor = max(-np.partition(-best, k - 1)[k - 1], 0.0)
        kept = np.flatnonzero(best >= floor) if floor > 0 else np.flatnonzero(best > 0)
        at = (kept[:, None] * BLOCK + np.arange(BLOCK)).ravel()
        at = at[at < len(scores)]
        part = scores[at]
        return at[top_indices(part, k)] if len(at) < len(scores) else _top_small(scores, k)
    return _top_small(scores, k)


def _top_small(scores: FloatArray, k: int) -> IntArray:
    positive = np.flatnonzero(scores > 0)
    if len(positive) > k:
        cut = -np.partition(-scores[positive], k - 1)[k - 1]
        positive = positive[scores[positive] >= cut]
    return positive[np.lexsort((positive, -scores[positive]))][:k]


def release_freed_memory() -> None:
    """Hand memory freed by a large build back to the system (glibc keeps freed blocks of
    many mid-sized arrays in its heap, where they still count as resident). A no-op where
    the C library has no ``malloc_trim``."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass
