"""Record docbot's user-visible outputs, to diff before and after a change that must not alter them.

    python -m bench.snapshot OUT_DIR [--eval-dir ../shared/eval]

Writes OUT_DIR/eval-*.json (`docbot eval --json` on every shared set, both scripts for DRCD and
CMRC) and OUT_DIR/ask.jsonl (`docbot ask --json` on every seed question, then the follow-up
file as one conversation). Compare two runs with `diff -r BEFORE AFTER`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def docbot(*args: str, stdin: str | None = None, index: Path) -> str:
    cmd = [sys.executable, "-m", "bot", "--index", str(index), *args]
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--eval-dir", default=str(ROOT.parent / "shared" / "eval"))
    args = p.parse_args()
    out, evals = Path(args.out), Path(args.eval_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "docbot.db"
        docbot("index", "-q", "corpus", index=index)
        runs = {
            "seed": [str(evals / "seed_dev_questions.jsonl")],
            "drcd": [
                str(evals / "drcd_dev_questions.jsonl"),
                "--passages",
                str(evals / "drcd_dev_passages.jsonl"),
            ],
            "cmrc": [
                str(evals / "cmrc_dev_questions.jsonl"),
                "--passages",
                str(evals / "cmrc_dev_passages.jsonl"),
            ],
        }
        runs["drcd-t2s"] = [*runs["drcd"], "--convert", "t2s"]
        runs["cmrc-s2t"] = [*runs["cmrc"], "--convert", "s2t"]
        for name, extra in runs.items():
            (out / f"eval-{name}.json").write_text(docbot("eval", "--json", *extra, index=index))
        seed = [
            json.loads(line)["question"]
            for line in (evals / "seed_dev_questions.jsonl")
            .read_text(encoding="utf-8")
            .splitlines()
        ]
        follow = [
            json.loads(line)
            for line in (ROOT / "tests/data/followups.jsonl")
            .read_text(encoding="utf-8")
            .splitlines()
        ]
        turns = [t for f in follow for t in (f["first"], f["followup"])]
        text = docbot("ask", "--json", "-k", "5", stdin="\n".join(seed) + "\n", index=index)
        text += docbot(
            "ask", "--json", "--conversation", stdin="\n".join(turns) + "\n", index=index
        )
        (out / "ask.jsonl").write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
