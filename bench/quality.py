"""Quality figures behind the default settings: tokenizer mode and BM25 parameters.

    python -m bench.quality [--quick]

Prints a markdown table of Hit@1 / Hit@3 on the seed, DRCD and CMRC development sets for each
configuration, so the defaults in README.md can be re-checked on this machine.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bot.evaluation import Outcome, evaluate, load_questions
from retrieval import BM25Settings, Retriever, Tokenizer, TokenizerSettings, build_index

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"

TOKENIZERS = {
    "search, HMM off, bigrams (default)": TokenizerSettings(True, False, bigrams=True),
    "search, HMM off": TokenizerSettings(True, False, bigrams=False),
    "search, HMM on": TokenizerSettings(True, True, bigrams=False),
    "accurate, HMM off": TokenizerSettings(False, False, bigrams=False),
    "accurate, HMM on": TokenizerSettings(False, True, bigrams=False),
}
BM25 = {
    "okapi k1=1.2 b=0.75 (default)": BM25Settings("okapi", 1.2, 0.75),
    "okapi k1=1.5 b=0.75": BM25Settings("okapi", 1.5, 0.75),
    "okapi k1=0.9 b=0.5": BM25Settings("okapi", 0.9, 0.5),
    "plus k1=1.2 b=0.75": BM25Settings("plus", 1.2, 0.75),
    "l k1=1.2 b=0.75": BM25Settings("l", 1.2, 0.75),
}


def sets(quick: bool) -> list[tuple[str, list[Path], Path]]:
    out = [("seed", [REPO / "corpus"], EVAL / "seed_dev_questions.jsonl")]
    if not quick:
        for name in ("drcd", "cmrc"):
            out.append(
                (name, [EVAL / f"{name}_dev_passages.jsonl"], EVAL / f"{name}_dev_questions.jsonl")
            )
    return out


def _built(paths: list[Path], index: Path, tokenizer: Tokenizer) -> Retriever:
    build_index(paths, index, tokenizer=tokenizer)
    return Retriever.open(index, tokenizer=tokenizer)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="seed questions only")
    args = ap.parse_args()
    data = sets(args.quick)
    print("| tokenizer | BM25 | " + " | ".join(f"{n} Hit@1 | {n} Hit@3" for n, _, _ in data) + " |")
    print("|---|---|" + "---|---|" * len(data))
    with tempfile.TemporaryDirectory() as tmp:
        for tname, tsettings in TOKENIZERS.items():
            tokenizer = Tokenizer(tsettings, cache_dir=tmp)
            built = {
                name: _built(paths, Path(tmp) / f"{name}-{hash(tname)}.db", tokenizer)
                for name, paths, _ in data
            }
            grid = (
                BM25
                if tname.endswith("(default)")
                else {"okapi k1=1.2 b=0.75 (default)": BM25Settings()}
            )
            for bname, bsettings in grid.items():
                cells = []
                for name, _, questions in data:
                    r = built[name]
                    r = Retriever(r.path, r.documents, r.passages, tokenizer, bsettings)
                    report = evaluate(
                        load_questions(questions),
                        lambda q, r=r: Outcome(r.search(q.text, 10), True),
                    )
                    fig = report.as_dict()
                    cells += [f"{fig['hit@1']:.3f}", f"{fig['hit@3']:.3f}"]
                print(f"| {tname} | {bname} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
