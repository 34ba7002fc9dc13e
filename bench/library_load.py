"""Library under concurrent load: N threads searching while an incremental update runs.

    python -m bench.library_load [--threads 8] [--searches 10000]

Searches run on the DRCD development passages (789 passages; rank_bm25 scoring makes a
100k-passage index impractical here, see README). Every result must equal the serial one.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

from retrieval import Retriever, Tokenizer, build_index

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--searches", type=int, default=10_000, help="per thread")
    args = ap.parse_args()
    with open(EVAL / "drcd_dev_questions.jsonl", encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        tokenizer = Tokenizer(cache_dir=tmp)
        corpus = tmp / "corpus"
        corpus.mkdir()
        shutil.copy(EVAL / "drcd_dev_passages.jsonl", corpus / "drcd.jsonl")
        build_index([corpus], tmp / "i.db", tokenizer=tokenizer)
        retriever = Retriever.open(tmp / "i.db", tokenizer=tokenizer)
        serial = {q: [h.passage_id for h in retriever.search(q)] for q in questions}
        errors: list[BaseException] = []
        mismatches = 0
        done = 0
        lock = threading.Lock()

        def worker(seed: int) -> None:
            nonlocal mismatches, done
            for i in range(args.searches):
                q = questions[(seed * 7919 + i) % len(questions)]
                try:
                    got = [h.passage_id for h in retriever.search(q)]
                except BaseException as exc:  # counted and reported below
                    errors.append(exc)
                    continue
                with lock:
                    done += 1
                    mismatches += got != serial[q]

        def updater() -> None:  # an incremental update of the same corpus, written beside
            (corpus / "extra.txt").write_text(
                "新增的一篇文章，讲网球和奥运会。\n" * 5, encoding="utf-8"
            )
            build_index([corpus], tmp / "i.db", tokenizer=tokenizer)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
        started = time.monotonic()
        for t in threads:
            t.start()
        update = threading.Thread(target=updater)
        update.start()
        for t in [*threads, update]:
            t.join()
        wall = time.monotonic() - started
    print("| threads | searches | exceptions | results differing from serial | wall | searches/s |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.threads} | {done} | {len(errors)} | {mismatches} | {wall:.1f} s "
        f"| {done / wall:.0f} |"
    )


if __name__ == "__main__":
    main()
