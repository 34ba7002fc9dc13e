"""End-to-end indexing time and peak memory: files in, a searchable index out.

    python -m bench.build [--passages 100000 1000000] [--workers 2] [--engine jieba]

The corpus is generated on the fly (seeded, never committed): documents of 50 paragraphs of
about 150 characters, each paragraph a run of real sentences drawn from the DRCD (Traditional)
and CMRC (Simplified) development passages, so cleaning, OpenCC and jieba see real Chinese
text. Every stage runs: reading, cleaning, script folding, segmentation (worker processes),
the SQLite store and the weight table. Peak RSS is this process's and its workers' largest.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import tempfile
import time
from pathlib import Path

from retrieval import Retriever, Tokenizer, TokenizerSettings
from retrieval.ingest import Segmenting

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
PER_DOC = 50


def sentences() -> list[str]:
    out: list[str] = []
    for name in ("drcd", "cmrc"):
        with open(EVAL / f"{name}_dev_passages.jsonl", encoding="utf-8") as f:
            for line in f:
                text = json.loads(line)["text"]
                out.extend(s for s in re.findall(r"[^。！？]+[。！？]", text) if len(s) > 8)
    return out


def write_corpus(folder: Path, passages: int, seed: int = 3) -> int:
    """``passages`` paragraphs in documents of ``PER_DOC``; returns the characters written."""
    rng = random.Random(seed)
    pool = sentences()
    chars = 0
    for d in range(-(-passages // PER_DOC)):
        paragraphs = [f"第{d}号文档"]
        for _ in range(min(PER_DOC, passages - d * PER_DOC)):
            para = ""
            while len(para) < 120:  # about 150 characters on average
                para += rng.choice(pool)
            paragraphs.append(para)
        text = "\n\n".join(paragraphs) + "\n"
        chars += len(text)
        (folder / f"doc{d:06d}.txt").write_text(text, encoding="utf-8")
    return chars


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--workers", type=int, default=None, help="segmenting processes")
    ap.add_argument("--engine", choices=["auto", "jieba"], default="auto", help="who segments")
    args = ap.parse_args()
    segmenting = Segmenting() if args.workers is None else Segmenting(workers=args.workers)
    print("| passages | characters | workers | build | chars/s | peak RSS | index on disk |")
    print("|---|---|---|---|---|---|---|")
    for n in args.passages:
        with tempfile.TemporaryDirectory() as d:
            corpus = Path(d) / "corpus"
            corpus.mkdir()
            chars = write_corpus(corpus, n)
            tokenizer = Tokenizer(TokenizerSettings(engine=args.engine), cache_dir=d)
            tokenizer.warm()
            t = time.perf_counter()
            r = Retriever.build(
                [corpus], Path(d) / "docbot.db", tokenizer=tokenizer, segmenting=segmenting
            )
            took = time.perf_counter() - t
            assert len(r) >= n and r.search("北京大学", k=1)
            size = sum(p.stat().st_size for p in Path(d).glob("*docbot.db*") if p.is_file())
            size += sum(p.stat().st_size for p in Path(d).glob(".docbot.db.*/*") if p.is_file())
            print(
                f"| {n:,} | {chars / 1e6:.0f}M | {segmenting.workers} | {took:.0f} s "
                f"| {chars / took / 1e3:.0f}k | {peak_mb():.0f} MB | {size / 1e9:.2f} GB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
