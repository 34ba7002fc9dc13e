"""docbot eval: the same path as ask, near misses and follow-up conversations scored."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

from bot.cli import ask_as_a_user
from bot.evaluation import Question, evaluate, is_gold, load_questions
from bot.service import Service
from retrieval import Retriever


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_near_misses_and_follow_ups_are_scored(seed_retriever: Retriever, tmp_path: Path) -> None:
    questions = write(
        tmp_path / "q.jsonl",
        [
            {"id": "a", "question": "深圳建了多少个暖蜂驿站？", "gold_passage_contains":
             "暖蜂驿站", "answer_contains": ["1178"]},
            {"id": "n", "question": "广州有多少个暖蜂驿站？", "gold_passage_contains": None,
             "kind": "near_miss"},
            {"id": "f", "turns": ["肇庆建了多少个党群服务中心？", "深圳呢？"],
             "gold_passage_contains": "1800多个站点", "answer_contains": ["1800多个"]},
            {"id": "x", "question": "广东有多少个暖蜂驿站？", "gold_passage_contains": "暖蜂驿站"},
        ],
    )  # fmt: skip
    report = evaluate(load_questions(questions), partial(ask_as_a_user, Service(seed_retriever)))
    figures = report.as_dict()
    assert figures["answerable"] == 3 and figures["near_misses"] == 1
    assert figures["rejection_of_near_misses"] == 1.0
    assert figures["hit@1"] == 1.0  # the follow-up's last turn found Shenzhen's figure
    assert figures["right_first"] == round(2 / 3, 4)  # x has its gold first, but rejected
    (miss,) = report.misses  # x: answerable by its gold, but rejected as being about Shenzhen
    assert miss.id == "x" and miss.rank == 1 and not miss.answered
    assert miss.reason == "constraint_unmet" and (miss.top or "").startswith("003_")
    assert "gold at 1; not found (constraint_unmet)" in miss.line()


def test_a_gold_copied_from_the_raw_file_matches_the_cleaned_passage(
    seed_retriever: Retriever,
) -> None:
    """A gold copied from a corpus file keeps its pinyin and ASCII commas (4月1日,,全省加強
    (qiáng)); the passage is cleaned (4月1日，全省加強). They are the same passage."""
    hit = seed_retriever.search("全省加强基层党组织建设工作会议几月几号开的", k=1)[0]
    raw = Question("g", "…", (), gold_contains="4月1日,,全省加強(qiáng)基層")
    assert is_gold(raw, hit)
    assert not is_gold(Question("g", "…", (), gold_contains="4月2日,,全省加強"), hit)
