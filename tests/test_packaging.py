"""The library stands alone, and the README's example runs as written."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, REPO

pytestmark = pytest.mark.slow  # subprocesses, faults or whole evaluation sets


def test_retrieval_imports_without_bot_or_telegram() -> None:
    code = (
        "import sys\n"
        "sys.modules['telegram'] = None\n"  # importing telegram would now fail
        "import retrieval\n"
        "assert 'bot' not in sys.modules and 'telegram.ext' not in sys.modules\n"
        "print(sorted(retrieval.__all__)[:3])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert result.stderr == ""  # the library prints nothing (jieba's chatter included)


def test_readme_library_example_runs(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", readme, re.S)
    assert example is not None
    shutil.copytree(CORPUS, tmp_path / "corpus")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", example.group(1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "1552" in result.stdout and result.stderr == ""
