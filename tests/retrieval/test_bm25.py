"""BM25 settings and the weight table: parity with rank_bm25 at scale, top-k, counting."""

from __future__ import annotations

import numpy as np
import pytest
import rank_bm25

from retrieval import BM25Settings, RetrievalError


def test_bad_bm25_settings_are_refused() -> None:
    with pytest.raises(RetrievalError):
        BM25Settings("bm42")  # type: ignore[arg-type]
    with pytest.raises(RetrievalError):
        BM25Settings(b=1.5)


@pytest.mark.slow
@pytest.mark.parametrize(
    "settings",
    [BM25Settings(), BM25Settings("l", 1.5, 0.75, delta=0.5), BM25Settings("plus", 1.2, 0.3)],
)
def test_scorer_equals_rank_bm25_on_a_10k_synthetic_sample(settings: BM25Settings) -> None:
    import random

    from retrieval.bm25 import SparseBM25

    rng = random.Random(5)
    vocab = [f"t{i}" for i in range(20_000)]
    zipf = [1 / (i + 1) for i in range(len(vocab))]
    corpus = [rng.choices(vocab, zipf, k=rng.randint(0, 60)) for _ in range(10_000)]
    queries = [rng.choices(vocab, zipf, k=5) for _ in range(15)] + [["t0", "t0", "absent"]]
    kind = {"okapi": rank_bm25.BM25Okapi, "l": rank_bm25.BM25L, "plus": rank_bm25.BM25Plus}
    params = (
        {"epsilon": settings.epsilon} if settings.variant == "okapi" else {"delta": settings.delta}
    )
    ref = kind[settings.variant](corpus, k1=settings.k1, b=settings.b, **params)
    ours = SparseBM25(
        corpus, settings.variant, settings.k1, settings.b, settings.epsilon, settings.delta
    )
    assert len(ours.dense) > 0  # the common terms' rows are taken through the dense path
    for q in queries:
        expected = np.asarray(ref.get_scores(q))
        got = ours.get_scores(q)
        assert np.allclose(got, expected, rtol=1e-6, atol=1e-12)
        top_ref = [i for i in sorted(range(len(expected)), key=lambda i: (-expected[i], i))]
        top_ref = [i for i in top_ref if expected[i] > 0][:10]
        top_ours, top_scores = ours.top(q, 10)
        assert [expected[i] for i in top_ours] == pytest.approx(
            [expected[i] for i in top_ref], rel=1e-9
        )
        assert top_scores.tolist() == pytest.approx([expected[i] for i in top_ref], rel=1e-6)


def test_a_table_saved_without_its_dense_rows_scores_the_same() -> None:
    """An index written before the dense rows existed derives them when it is opened."""
    from retrieval.bm25 import SparseBM25

    corpus = [["common", "a"], ["common", "b"], ["common", "common", "c"], ["d"], ["a", "d"]]
    built = SparseBM25(corpus, "okapi", 1.2, 0.75)
    saved = {k: v for k, v in built.arrays().items() if k not in SparseBM25.DERIVED}
    loaded = SparseBM25.from_arrays(built.vocab, len(corpus), saved)
    assert len(loaded.dense) == len(built.dense) > 0
    for q in (["common"], ["common", "a", "a"], ["d", "zzz"]):
        assert loaded.get_scores(q).tolist() == built.get_scores(q).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_block_top_k_equals_a_full_sort_on_long_arrays(seed: int) -> None:
    """Long arrays go through the block maxima; heavy ties and few positives included."""
    from retrieval.bm25 import BLOCK, top_indices

    rng = np.random.default_rng(seed)
    n = int(rng.integers(50 * BLOCK, 90 * BLOCK))
    levels = rng.choice(
        [0.0, -1.0, 0.25, 1.0, 1.0, 3.0], size=n, p=[0.6, 0.1, 0.1, 0.1, 0.05, 0.05]
    )
    scores = levels if seed % 2 else levels + rng.random(n) * (levels > 0)
    if seed == 4:
        scores = np.zeros(n)
        scores[[7, n - 1, n // 2]] = [2.0, 2.0, 1.0]  # fewer positives than k
    for k in (1, 3, 10, 20):
        order = np.lexsort((np.arange(n), -scores))
        full = [int(i) for i in order if scores[i] > 0][:k]
        assert top_indices(scores, k).tolist() == full


def test_counting_in_batches_gives_the_same_table() -> None:
    """A build counts batch by batch; the table must not depend on where batches end."""
    from retrieval.bm25 import Counts, CountsBuilder

    rng = np.random.default_rng(2)
    words = [f"w{i}" for i in range(300)]
    corpus = [list(rng.choice(words, size=rng.integers(0, 25))) for _ in range(700)]
    whole = Counts.of(corpus, {})
    vocab: dict[str, int] = {}
    builder = CountsBuilder(vocab)
    for start, end in [(0, 1), (1, 250), (250, 250), (250, 699), (699, 700)]:
        builder.add(corpus[start:end])
    parts = builder.finish()
    assert builder.size == len(corpus) == len(parts.lengths)
    for name in ("indptr", "indices", "tf", "lengths"):
        assert np.array_equal(getattr(parts, name), getattr(whole, name)), name
