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

from retrieval import Retriever, Segmenting, Tokenizer, TokenizerSettings, build_index

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


def build_row(
    label: str, sources: list[Path], chars: int, d: Path, tokenizer: Tokenizer, seg: Segmenting
) -> str:
    """Index ``sources`` into ``d``, then open the index again and answer one question."""
    t = time.perf_counter()
    build_index(sources, d / "docbot.db", tokenizer=tokenizer, segmenting=seg)
    took = time.perf_counter() - t
    t = time.perf_counter()
    r = Retriever.open(d / "docbot.db", tokenizer=tokenizer)
    hits = r.search("北京大学在哪一年成立", k=10)
    first = time.perf_counter() - t
    assert hits, "the index answers"
    size = sum(p.stat().st_size for p in d.glob("*docbot.db*") if p.is_file())
    size += sum(p.stat().st_size for p in d.glob(".docbot.db.*/*") if p.is_file())
    return (
        f"| {label} | {len(r):,} | {chars / 1e6:.1f}M | {seg.workers} | {took:.1f} s "
        f"| {chars / took / 1e3:.0f}k | {peak_mb():.0f} MB | {size / 1e9:.2f} GB "
        f"| {first * 1000:.0f} ms |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--workers", type=int, default=None, help="segmenting processes")
    ap.add_argument("--engine", choices=["auto", "jieba"], default="auto", help="who segments")
    args = ap.parse_args()
    segmenting = Segmenting() if args.workers is None else Segmenting(workers=args.workers)
    print(
        "| corpus | passages | characters | workers | build | chars/s | peak RSS "
        "| index on disk | open → first answer |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    real = [EVAL / f"{name}_dev_passages.jsonl" for name in ("drcd", "cmrc")]
    runs: list[tuple[str, int]] = [("drcd_dev + cmrc_dev", 0)] if real[0].exists() else []
    runs += [(f"generated {n // 1000}k", n) for n in args.passages]
    for label, n in runs:
        with tempfile.TemporaryDirectory() as d:
            tokenizer = Tokenizer(TokenizerSettings(engine=args.engine), cache_dir=d)
            tokenizer.warm()
            if n:
                corpus = Path(d) / "corpus"
                corpus.mkdir()
                chars, sources = write_corpus(corpus, n), [corpus]
            else:
                chars = sum(
                    len(json.loads(line)["text"]) for f in real for line in f.open(encoding="utf-8")
                )
                sources = real
            print(build_row(label, sources, chars, Path(d), tokenizer, segmenting), flush=True)


if __name__ == "__main__":
    main()
