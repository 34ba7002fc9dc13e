"""Refreshing a large collection: `index_sources` with nothing changed (every file listed and
its size and time compared, nothing read), then with one file changed (read, segmented, the
weights recomputed on the update path), against the first build.

    python -m bench.refresh [--passages 1000000]

The corpus is bench.build's generated one (documents of 50 paragraphs of real DRCD/CMRC
sentences), written to a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from retrieval import Segmenting, Tokenizer, index_sources

from .build import write_corpus


def timed(label: str, run: object) -> float:
    assert callable(run)
    start = time.perf_counter()
    report = run()
    took = time.perf_counter() - start
    counts = (len(report.added), len(report.changed), len(report.unchanged), len(report.removed))
    print(f"| {label} | {took:.1f} s | {report.passages:,} | {counts} |", flush=True)
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=1_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        corpus, db = Path(d) / "corpus", Path(d) / "docbot.db"
        corpus.mkdir()
        write_corpus(corpus, args.passages)
        tokenizer = Tokenizer(cache_dir=d)
        tokenizer.warm()
        print("| run | time | passages | (added, changed, unchanged, removed) |")
        print("|---|---|---|---|")
        timed("first build", lambda: index_sources(db, [corpus], tokenizer=tokenizer,
                                                   segmenting=Segmenting()))  # fmt: skip
        timed("refresh, nothing changed", lambda: index_sources(db, tokenizer=tokenizer))
        first = sorted(corpus.glob("*.txt"))[0]
        first.write_text(first.read_text(encoding="utf-8") + "\n新增的一段文字。\n", "utf-8")
        timed("refresh, one file changed", lambda: index_sources(db, tokenizer=tokenizer))


if __name__ == "__main__":
    main()
