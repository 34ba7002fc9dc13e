"""Segmenting in worker processes: the same tokens, and no worker outlives its build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval import Segmenting, Tokenizer
from tests.conftest import REPO

BUILD_FOREVER = """
import sys
from retrieval import Segmenting, Tokenizer
keys = [f"第{i}段：基层党组织建设与乡村振兴工作会议在广州召开" for i in range(2_000_000)]
print("started", flush=True)
Segmenting(workers=2, parallel_min=1).segment(keys, Tokenizer(cache_dir=sys.argv[1]))
"""


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_workers_end_when_the_build_is_killed(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_FOREVER, str(tmp_path)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"started\n"
        assert wait_until(lambda: len(children_of(proc.pid)) >= 2, 120), "no workers started"
        workers = children_of(proc.pid)
    finally:
        proc.kill()  # SIGKILL, as the OOM killer or a supervisor's stop timeout does
        proc.wait()
        if proc.stdout:
            proc.stdout.close()
    assert wait_until(lambda: not any(running(w) for w in workers), 30), "workers outlived it"
    for w in workers:  # should the test fail above, leave nothing behind
        if running(w):
            os.kill(w, signal.SIGKILL)


def test_workers_give_the_tokens_of_this_process(tokenizer: Tokenizer) -> None:
    keys = [f"第{i}个党群服务中心建在深圳" for i in range(50)]
    serial = Segmenting(workers=1).segment(keys, tokenizer)
    assert Segmenting(workers=2, parallel_min=1).segment(keys, tokenizer) == serial
