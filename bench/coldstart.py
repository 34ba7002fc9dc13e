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
        commands = {
            "docbot ask (bundled corpus)": ["ask", "肇庆一共建成了多少个初心堂？"],
            "docbot ask, a question that needs POS tags": ["ask", "初心堂的数量是多少？"],
        }
        floor = [sys.executable, "-c", "import jieba; jieba.initialize()"]
        times: dict[str, list[float]] = {name: [] for name in commands}
        times["jieba floor"] = []
        for _ in range(args.runs):  # interleaved, so that load on the machine hits all alike
            for name, words in commands.items():
                times[name].append(wall([sys.executable, "-m", "bot", *words], cwd, env))
            times["jieba floor"].append(wall(floor, cwd, env))
    base = statistics.median(times["jieba floor"])
    print("| command | median wall | min | × floor | runs |")
    print("|---|---|---|---|---|")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(
            f"| {name} | {median:.2f} s | {min(runs):.2f} s | {median / base:.2f} | {len(runs)} |"
        )


if __name__ == "__main__":
    main()
