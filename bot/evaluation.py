"""Retrieval quality on question sets in the format of shared/eval (Hit@k, MRR, rejection)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval import Hit, to_simplified
from retrieval.cleaning import strip_pinyin


@dataclass(frozen=True)
class Question:
    """One evaluation question; ``gold`` is None for a question nothing answers."""

    id: str
    text: str
    answers: tuple[str, ...]
    gold_doc: str | None = None  # DRCD/CMRC: the passage id that answers
    gold_contains: str | None = None  # seed set: a string the answering passage contains

    @property
    def answerable(self) -> bool:
        return self.gold_doc is not None or self.gold_contains is not None


class QuestionFileError(ValueError):
    """A question file line is not in the shared/eval format."""


def load_questions(path: str | Path) -> list[Question]:
    """Questions from a .jsonl file in either of the shared/eval formats."""
    out: list[Question] = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                out.append(_question(json.loads(line)))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise QuestionFileError(
                    f"{path}:{lineno}: not a question in the shared/eval format ({exc!r})"
                ) from exc
    return out


def _question(d: dict[str, Any]) -> Question:
    if "qid" in d:  # DRCD/CMRC: the gold is a passage id
        return Question(d["qid"], d["question"], tuple(d.get("answers", [])), gold_doc=d["gold"])
    return Question(  # seed set: the gold is a string the answering passage contains
        d["id"],
        d["question"],
        tuple(d.get("answer_contains") or []),
        gold_contains=d.get("gold_passage_contains"),
    )


def _matching(text: str) -> str:
    return to_simplified(strip_pinyin(text))


def is_gold(question: Question, hit: Hit) -> bool:
    if question.gold_doc is not None:
        return hit.doc == question.gold_doc
    if question.gold_contains is not None:
        return _matching(question.gold_contains) in _matching(hit.text)
    return False


@dataclass
class Report:
    """Figures over one question set."""

    answerable: int = 0
    unanswerable: int = 0
    hit_at: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0, 5: 0})
    reciprocal_rank: float = 0.0
    answer_in_top1: int = 0
    rejected_unanswerable: int = 0
    rejected_answerable: int = 0
    misses: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        n = max(self.answerable, 1)
        d: dict[str, float | int] = {
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
        }
        d.update({f"hit@{k}": round(v / n, 4) for k, v in self.hit_at.items()})
        d["mrr@10"] = round(self.reciprocal_rank / n, 4)
        d["answer_in_top1"] = round(self.answer_in_top1 / n, 4)
        d["false_rejection"] = round(self.rejected_answerable / n, 4)
        if self.unanswerable:
            d["rejection_of_unanswerable"] = round(
                self.rejected_unanswerable / self.unanswerable, 4
            )
        return d


# ask(question) -> (hits best first, answered?)
Asker = Callable[[str], tuple[Sequence[Hit], bool]]


def evaluate(questions: Iterable[Question], ask: Asker) -> Report:
    """Run every question through ``ask`` and score the ranked hits against the gold."""
    report = Report()
    for q in questions:
        hits, answered = ask(q.text)
        if not q.answerable:
            report.unanswerable += 1
            report.rejected_unanswerable += not answered
            continue
        report.answerable += 1
        report.rejected_answerable += not answered
        rank = next((i for i, h in enumerate(hits[:10], start=1) if is_gold(q, h)), None)
        if rank is None:
            report.misses.append(q.id)
            continue
        for k in report.hit_at:
            report.hit_at[k] += rank <= k
        report.reciprocal_rank += 1 / rank
        if rank == 1 and all(_matching(a) in _matching(hits[0].text) for a in q.answers):
            report.answer_in_top1 += 1
    return report
