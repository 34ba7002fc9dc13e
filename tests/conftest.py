"""Shared fixtures: a session tokenizer, the bundled-corpus index, mixed-script passages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retrieval import Retriever, Tokenizer

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED_EVAL = Path(os.environ.get("DOCBOT_EVAL_DIR", REPO.parent / "shared" / "eval"))
SEED_QUESTIONS = SHARED_EVAL / "seed_dev_questions.jsonl"

needs_eval = pytest.mark.skipif(
    not SEED_QUESTIONS.exists(), reason=f"evaluation data not found at {SHARED_EVAL}"
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
    return Retriever.build(
        [CORPUS], tmp_path_factory.mktemp("seed") / "docbot.db", tokenizer=tokenizer
    )


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
