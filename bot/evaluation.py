"""Retrieval quality on question sets in the format of shared/eval (Hit@k, MRR, rejection).

Three kinds of lines: DRCD/CMRC questions (``qid``, gold passage id), seed-format questions
(``id``, ``gold_passage_contains``; null for one the documents do not answer, with ``kind``
"near_miss" when it is close to what they say), and follow-up conversations (``turns``; the
gold is about the last turn, asked after the others in one conversation).
"""

from __future__ import annotations

import json
import unicodedata
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
    kind: str | None = None  # "near_miss", "unanswerable", "number", ... (seed format)
    before: tuple[str, ...] = ()  # a conversation's earlier turns

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
    turns = [str(t) for t in d["turns"]] if "turns" in d else [d["question"]]
    return Question(  # seed set: the gold is a string the answering passage contains
        d["id"],
        turns[-1],
        tuple(d.get("answer_contains") or []),
        gold_contains=d.get("gold_passage_contains"),
        kind=d.get("kind"),
        before=tuple(turns[:-1]),
    )


def _matching(text: str) -> str:
    """The form a gold string and a passage are compared in: pinyin removed, Simplified, and
    without punctuation or spaces (a gold copied from a raw file has its ",," where the
    cleaned passage has "，")."""
    text = to_simplified(strip_pinyin(text))
    return "".join(
        ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
    )


def is_gold(question: Question, hit: Hit) -> bool:
    if question.gold_doc is not None:
        return hit.doc == question.gold_doc
    if question.gold_contains is not None:
        return _matching(question.gold_contains) in _matching(hit.text)
    return False


@dataclass(frozen=True)
class Outcome:
    """What the system said to one question: its ranked passages, whether it answered, why."""

    hits: Sequence[Hit]
    answered: bool
    reason: str | None = None
    understood_as: str | None = None


@dataclass(frozen=True)
class Miss:
    """A question the system got wrong, with what is needed to see why."""

    id: str
    question: str
    kind: str | None
    rank: int | None  # of the gold passage in the top 10 (None: not there, or no gold)
    answered: bool
    reason: str | None
    top: str | None  # the first passage's id and the start of its text
    understood_as: str | None
    gold: str | None = None  # what the answering passage holds, or its id

    def line(self) -> str:
        said = "answered" if self.answered else f"not found ({self.reason})"
        gold = f"gold at {self.rank}" if self.rank else "gold not in top 10"
        if self.kind in ("near_miss", "unanswerable") or self.gold is None:
            gold = f"no gold ({self.kind or 'unanswerable'})"
        text = f"{self.id}\t{self.question}\t{gold}; {said}"
        if self.understood_as:
            text += f"; understood as {self.understood_as}"
        return text + (f"\n\ttop: {self.top}" if self.top else "")


@dataclass
class Report:
    """Figures over one question set."""

    answerable: int = 0
    unanswerable: int = 0
    near_misses: int = 0
    hit_at: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0, 5: 0})
    reciprocal_rank: float = 0.0
    answer_in_top1: int = 0
    right_first: int = 0  # answered, with the gold passage first (how users see it)
    rejected_unanswerable: int = 0
    rejected_near_misses: int = 0
    rejected_answerable: int = 0
    misses: list[Miss] = field(default_factory=list)

    def as_dict(self) -> dict[str, float | int]:
        n = max(self.answerable, 1)
        d: dict[str, float | int] = {
            "answerable": self.answerable,
            "unanswerable": self.unanswerable,
        }
        d.update({f"hit@{k}": round(v / n, 4) for k, v in self.hit_at.items()})
        d["mrr@10"] = round(self.reciprocal_rank / n, 4)
        d["answer_in_top1"] = round(self.answer_in_top1 / n, 4)
        d["right_first"] = round(self.right_first / n, 4)  # hit@1 less the rejected
        d["false_rejection"] = round(self.rejected_answerable / n, 4)
        if self.unanswerable:
            d["rejection_of_unanswerable"] = round(
                self.rejected_unanswerable / self.unanswerable, 4
            )
        if self.near_misses:
            d["near_misses"] = self.near_misses
            d["rejection_of_near_misses"] = round(self.rejected_near_misses / self.near_misses, 4)
        return d


# ask(question) -> what the system said (a conversation's earlier turns asked first)
Asker = Callable[[Question], Outcome]


def evaluate(questions: Iterable[Question], ask: Asker) -> Report:
    """Run every question through ``ask`` and score the ranked hits against the gold.

    Near misses (``kind`` "near_miss") count among the unanswerable questions and also on
    their own. A miss is an answerable question whose gold is not first or that was not
    answered, or a question nothing answers that was answered."""
    report = Report()
    for q in questions:
        outcome = ask(q)
        hits, answered = outcome.hits, outcome.answered
        rank = next((i for i, h in enumerate(hits[:10], start=1) if is_gold(q, h)), None)
        if not q.answerable:
            report.unanswerable += 1
            report.rejected_unanswerable += not answered
            if q.kind == "near_miss":
                report.near_misses += 1
                report.rejected_near_misses += not answered
            if answered:
                report.misses.append(_miss(q, outcome, None))
            continue
        report.answerable += 1
        report.rejected_answerable += not answered
        if rank != 1 or not answered:
            report.misses.append(_miss(q, outcome, rank))
        if rank is None:
            continue
        for k in report.hit_at:
            report.hit_at[k] += rank <= k
        report.reciprocal_rank += 1 / rank
        report.right_first += rank == 1 and answered
        if rank == 1 and all(_matching(a) in _matching(hits[0].text) for a in q.answers):
            report.answer_in_top1 += 1
    return report


def _miss(q: Question, outcome: Outcome, rank: int | None) -> Miss:
    top = outcome.hits[0] if outcome.hits else None
    shown = f"{top.passage_id} {top.text[:60]}" if top else None
    question = " / ".join((*q.before, q.text))
    gold = q.gold_doc or q.gold_contains
    return Miss(
        q.id, question, q.kind, rank, outcome.answered, outcome.reason, shown,
        outcome.understood_as, gold,
    )  # fmt: skip
