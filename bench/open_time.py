"""Open time and memory of a large index, and the time to add, replace or remove a document.

    python -m bench.open_time [--sizes 100000 1000000]

Segmenting a million passages with jieba takes far longer than this benchmark should, so the
index is written with the store's own functions from synthetic tokens (the same layout
`docbot index` writes: SQLite file, terms table, memory-mapped weight table). Each open is
measured in a fresh process, with jieba's dictionary loaded before the clock starts.
The updates add one real article of the bundled corpus, replace it with a changed copy and
remove one of the synthetic documents, each timed end to end (update_index: read,
clean, segment, copy and change the file, recompute the weight table, reopen).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench.speed import synthetic
from retrieval import BM25Settings, Tokenizer
from retrieval.store import IndexFile

REPO = Path(__file__).resolve().parent.parent

MEASURE = """
import json, sys, time
sys.path.insert(0, {repo!r})
from retrieval import Question, Retriever, Tokenizer, update_index
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
tokenizer = Tokenizer(cache_dir={cache!r})
tokenizer.warm()
before = rss()
t = time.perf_counter()
r = Retriever.open({path!r}, tokenizer=tokenizer)
opened = time.perf_counter() - t
hits = r.search(Question("", ("w1", "w25", "w300"), (), ()), 10)
first = time.perf_counter() - t
rss_open = rss() - before
times = {{}}
article = {article!r}
copy = {copy!r}
t = time.perf_counter()
update_index({path!r}, add=[article], tokenizer=tokenizer)
times["add"] = time.perf_counter() - t
with open(article, encoding="utf-8") as f:
    text = f.read()
with open(copy, "w", encoding="utf-8") as f:
    f.write(text + "\\n\\n补充一段新的内容。\\n")
t = time.perf_counter()
update_index({path!r}, add=[copy], tokenizer=tokenizer)
times["replace"] = time.perf_counter() - t
t = time.perf_counter()
update_index({path!r}, remove=["d5"], tokenizer=tokenizer)
times["remove"] = time.perf_counter() - t
print(json.dumps({{"open": opened, "first": first, "rss": rss_open, "hits": len(hits), **times}}))
"""


def write_index(path: Path, corpus: list[list[str]], tokenizer: Tokenizer) -> None:
    bm25 = BM25Settings()
    docs = 1000
    per = -(-len(corpus) // docs)
    with IndexFile(path).replacing() as new:
        new.create()
        with new.transaction():
            new.insert_documents(
                {
                    "name": f"d{d}",
                    "title": f"d{d}",
                    "hash": "x",
                    "ingested_at": "",
                    "passages": len(corpus[d * per : (d + 1) * per]),
                }
                for d in range(docs)
            )
            new.insert_passages(
                {
                    "id": f"d{i // per}#{i % per + 1}",
                    "seq": i,
                    "doc": f"d{i // per}",
                    "paragraph": i % per + 1,
                    "part": 1,
                    "text": " ".join(toks),
                    "norm": " ".join(toks),
                    "tokens": " ".join(toks),
                }
                for i, toks in enumerate(corpus)
            )
        table = bm25.make(corpus)
        new.save_table(table, dict(table.vocab))  # type: ignore[call-overload]
        new.write_meta({"tokenizer": tokenizer.signature, "max_chars": 300, "bm25": asdict(bm25)})


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    args = ap.parse_args()
    print(
        "| passages | write (synthetic tokens) | size on disk | open | open → first answer "
        "| RSS added | add a document | replace it | remove one |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        tokenizer = Tokenizer(cache_dir=d)
        for n in args.sizes:
            folder = Path(d) / f"n{n}"
            folder.mkdir()
            corpus, _ = synthetic(n)
            t = time.perf_counter()
            write_index(folder / "docbot.db", corpus, tokenizer)
            written = time.perf_counter() - t
            size = du(folder / "docbot.db")  # before the updates add tables of their own
            del corpus
            article = sorted((REPO / "corpus").glob("0*.txt"))[1]
            changed = Path(d) / "changed" / article.name  # same name: replaces the document
            changed.parent.mkdir(exist_ok=True)
            code = MEASURE.format(
                repo=str(REPO),
                cache=d,
                path=str(folder / "docbot.db"),
                article=str(article),
                copy=str(changed),
            )
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(out.stderr)
            m = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"| {n:,} | {written:.0f} s | {size / 1e9:.2f} GB "
                f"| {m['open'] * 1000:.0f} ms | {m['first'] * 1000:.0f} ms | {m['rss']:.0f} MB "
                f"| {m['add']:.1f} s | {m['replace']:.1f} s | {m['remove']:.1f} s |",
                flush=True,
            )


if __name__ == "__main__":
    main()
