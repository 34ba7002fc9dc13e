"""Speed and memory of the scorer against rank_bm25 and bm25s, in one run.

    python -m bench.speed [--quick] [--sizes 10000 100000 1000000]

Synthetic corpora of passages with a Zipf vocabulary (seeded, generated on the fly, never
committed), plus the real DRCD and CMRC development passages. For each: build time of the
scorer (tokens in, weight table out; segmentation is not included), peak RSS, and top-10
query latency p50/p95/p99 over a fixed query set, for docbot's scorer, rank_bm25 (every query
a timed sample of the queries where it is slow) and bm25s (if installed). rank_bm25 runs
last, so the peak RSS of the rows before it is not its memory. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rank_bm25

from retrieval import Tokenizer
from retrieval.bm25 import SparseBM25

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
VOCAB = 200_000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(n: int, seed: int = 7) -> tuple[list[list[str]], list[list[str]]]:
    """``n`` passages of 20-130 tokens from a Zipf(1.1) vocabulary, and 200 ~5-term queries."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(20, 130, size=n)
    ranks = np.minimum(rng.zipf(1.1, size=int(lengths.sum())), VOCAB) - 1
    words = np.array([f"w{i}" for i in range(VOCAB)], dtype=object)
    flat = words[ranks]
    corpus, pos = [], 0
    for length in lengths:
        corpus.append(list(flat[pos : pos + length]))
        pos += int(length)
    qranks = np.minimum(rng.zipf(1.1, size=(200, 5)), VOCAB) - 1
    queries = [[str(words[r]) for r in row] for row in qranks]
    return corpus, queries


def real(name: str) -> tuple[list[list[str]], list[list[str]]]:
    tokenizer = Tokenizer()
    with open(EVAL / f"{name}_dev_passages.jsonl", encoding="utf-8") as f:
        corpus = [tokenizer.tokenize(json.loads(line)["text"]) for line in f]
    with open(EVAL / f"{name}_dev_questions.jsonl", encoding="utf-8") as f:
        queries = [tokenizer.tokenize(json.loads(line)["question"]) for line in f][:500]
    return corpus, queries


def timed(
    fn: Callable[[list[str]], Any], queries: Sequence[list[str]], budget: float
) -> list[float]:
    """Latencies in ms of ``fn`` over ``queries``, stopping after ``budget`` seconds."""
    out: list[float] = []
    started = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
        if time.perf_counter() - started > budget:
            break
    return out


def pct(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        v = values[0] if values else float("nan")
        return v, v, v
    q = statistics.quantiles(values, n=100)
    return statistics.median(values), q[94], q[98]


def run(
    label: str, corpus: list[list[str]], queries: list[list[str]], rank_budget: float
) -> list[str]:
    rows = []
    t = time.perf_counter()
    ours = SparseBM25(corpus, "okapi", 1.2, 0.75)
    build = time.perf_counter() - t
    ours_ms = timed(lambda q: ours.top(q, 10), queries, 60)
    p50, p95, p99 = pct(ours_ms)
    rows.append(
        f"| {label} | docbot SparseBM25 | {len(corpus):,} | {build:.1f} s | {rss_mb():.0f} MB "
        f"| {p50:.2f} | {p95:.2f} | {p99:.2f} | {len(ours_ms)} | 1× |"
    )
    try:
        import bm25s
    except ImportError:
        bm25s = None
    if bm25s is not None:
        t = time.perf_counter()
        model = bm25s.BM25(k1=1.2, b=0.75, method="robertson")
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(tok, len(vocab)) for tok in doc] for doc in corpus]
        model.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
        sbuild = time.perf_counter() - t

        def bm25s_query(q: list[str]) -> None:
            qids = [vocab[tok] for tok in q if tok in vocab]
            if qids:
                model.get_scores(qids)

        s_ms = timed(bm25s_query, queries, 60)
        s50, s95, s99 = pct(s_ms)
        rows.append(
            f"| {label} | bm25s (numpy) | {len(corpus):,} | {sbuild:.1f} s | {rss_mb():.0f} MB "
            f"| {s50:.2f} | {s95:.2f} | {s99:.2f} | {len(s_ms)} | {versus(s50, p50)} |"
        )
        del model, ids
    t = time.perf_counter()
    ref = rank_bm25.BM25Okapi(corpus, k1=1.2, b=0.75)
    rbuild = time.perf_counter() - t
    ref_ms = timed(lambda q: np.argsort(-np.asarray(ref.get_scores(q)))[:10], queries, rank_budget)
    r50, r95, r99 = pct(ref_ms)
    rows.append(
        f"| {label} | rank_bm25 | {len(corpus):,} | {rbuild:.1f} s | {rss_mb():.0f} MB "
        f"| {r50:.2f} | {r95:.2f} | {r99:.2f} | {len(ref_ms)} | {versus(r50, p50)} |"
    )
    return rows


def versus(theirs: float, ours: float) -> str:
    """p50 against docbot's: how many times slower (or faster) the other scorer is."""
    if theirs >= ours:
        return f"{theirs / ours:.{0 if theirs / ours >= 10 else 1}f}× slower"
    return f"{ours / theirs:.1f}× faster"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10k synthetic and DRCD only")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    args = ap.parse_args()
    sizes = [10_000] if args.quick else args.sizes
    print(
        "| corpus | scorer | passages | build | peak RSS | p50 ms | p95 ms | p99 ms | queries "
        "| vs docbot |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in ["drcd"] if args.quick else ["drcd", "cmrc"]:
        if (EVAL / f"{name}_dev_passages.jsonl").exists():
            for row in run(f"{name}_dev", *real(name), rank_budget=20):
                print(row, flush=True)
    for n in sizes:
        corpus, queries = synthetic(n)
        for row in run(
            f"synthetic {n // 1000}k", corpus, queries, rank_budget=20 if n <= 10_000 else 30
        ):
            print(row, flush=True)
        del corpus


if __name__ == "__main__":
    main()
