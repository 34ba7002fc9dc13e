"""Shared fixtures: a session tokenizer, the bundled-corpus index, mixed-script passages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from retrieval import BuildReport, Retriever, Tokenizer, build_index, update_index

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED_EVAL = Path(os.environ.get("DOCBOT_EVAL_DIR", REPO.parent / "shared" / "eval"))
SEED_QUESTIONS = SHARED_EVAL / "seed_dev_questions.jsonl"

needs_eval = pytest.mark.skipif(
    not SEED_QUESTIONS.exists(), reason=f"evaluation data not found at {SHARED_EVAL}"
)


def docbot(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=240,
    )


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test runs in its own working folder with no docbot/Telegram environment."""
    for var in list(os.environ):
        if var.startswith(("DOCBOT_", "TELEGRAM_")) and var != "DOCBOT_EVAL_DIR":
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def jieba_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jieba")


@pytest.fixture(scope="session")
def tokenizer(jieba_cache: Path) -> Tokenizer:
    tk = Tokenizer(cache_dir=jieba_cache)
    tk.warm()
    return tk


@pytest.fixture(scope="session")
def seed_retriever(tokenizer: Tokenizer, tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    """The bundled corpus, indexed once per test session."""
    return build([CORPUS], tmp_path_factory.mktemp("seed") / "docbot.db", tokenizer=tokenizer)


def build_reporting(
    paths: list[Path] | list[str], index: Path | str, **settings: Any
) -> tuple[Retriever, BuildReport]:
    """Build an index and open it: the retriever and the build's report."""
    report = build_index(paths, index, **settings)
    return _open(index, settings), report


def build(paths: list[Path] | list[str], index: Path | str, **settings: Any) -> Retriever:
    """Build an index and open it."""
    return build_reporting(paths, index, **settings)[0]


def update(index: Path | str, **settings: Any) -> tuple[Retriever, BuildReport]:
    """Update an index and open it again: the retriever and the update's report."""
    report = update_index(index, **settings)
    return _open(index, settings), report


def _open(index: Path | str, settings: dict[str, Any]) -> Retriever:
    return Retriever.open(index, tokenizer=settings.get("tokenizer"), bm25=settings.get("bm25"))


MIXED_PASSAGES = [
    {
        "id": "trad-1",
        "title": "範例文件",
        "text": "後來幹部們在會議上討論了範圍和標準，於是決定推廣。",
    },
    {
        "id": "simp-1",
        "title": "范例文件",
        "text": "后来干部们在会议上讨论了范围和标准，于是决定推广。",
    },
    {"id": "other", "title": "天气", "text": "明天广州有雷阵雨，气温二十八度。"},
]
