"""Cold start of a one-shot `docbot ask` on the bundled corpus, against the jieba floor.

    python -m bench.coldstart [--runs 5]

The index is built first (not timed). Each run is a fresh process; the floor is
`python -c "import jieba; jieba.initialize()"` in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def wall(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory() as d:
        cwd = Path(d)
        os.symlink(REPO / "corpus", cwd / "corpus")
        subprocess.run([sys.executable, "-m", "bot", "index", "-q"], cwd=cwd, env=env, check=True)
        ask = [sys.executable, "-m", "bot", "ask", "肇庆一共建成了多少个初心堂？"]
        floor = [sys.executable, "-c", "import jieba; jieba.initialize()"]
        asks = [wall(ask, cwd, env) for _ in range(args.runs)]
        floors = [wall(floor, cwd, env) for _ in range(args.runs)]
    print("| command | median wall | min | runs |")
    print("|---|---|---|---|")
    median = statistics.median(asks)
    print(f"| docbot ask (bundled corpus) | {median:.2f} s | {min(asks):.2f} s | {args.runs} |")
    print(
        f"| jieba floor | {statistics.median(floors):.2f} s | {min(floors):.2f} s | {args.runs} |"
    )


if __name__ == "__main__":
    main()
