"""The verdict: answered or not, why, and for a near miss what the documents have instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Retriever, Tokenizer, judge
from tests.conftest import build


def verdict(retriever: Retriever, text: str):  # type: ignore[no-untyped-def]
    question = retriever.analyze(text)
    return judge(retriever, question, retriever.search(question, k=3))


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("广州有多少个暖蜂驿站？", "广州"),  # Shenzhen has them: another city
        ("肇慶建了多少個司機之家？", "肇庆"),  # Traditional, a city the corpus does name
        ("深圳一共建成了多少个初心堂？", "深圳"),  # Zhaoqing's figure, asked for Shenzhen
        ("佛山建成了多少个镇街党校？", "佛山"),  # a city the corpus never names
    ],
)
def test_a_question_about_another_place_is_a_near_miss(
    seed_retriever: Retriever, question: str, missing: str
) -> None:
    v = verdict(seed_retriever, question)
    assert not v.answered and v.reason == "constraint_unmet", v
    assert v.missing == (missing,)
    assert v.nearest is not None  # what the documents do have, for the reply to name


@pytest.mark.parametrize(
    "question",
    [
        "深圳建了多少个暖蜂驿站？",
        "深圳建了多少個暖蜂驛站？",
        "肇庆一共建成了多少个初心堂？",
        "广东省委领导班子的年度民主生活会是哪天开的？",  # 广东 is what the document is about
        "廣東那場基層黨建工作會議是誰主持的？",  # named in other passages, not this one
        "哪一座城市建了暖蜂驿站？",  # 城市 is what is asked for, not a constraint
    ],
)
def test_the_place_may_stand_in_the_passage_its_title_or_what_its_document_is_about(
    seed_retriever: Retriever, question: str
) -> None:
    assert verdict(seed_retriever, question).answered


@pytest.mark.parametrize(
    "question",
    [
        "深圳建了多少个暖蜂驿站 lol",
        "深圳建了多少个暖蜂驿站？（我同事问的）",
        "深圳建了多少个暖蜂驿站🙂",
        "深圳建了多少个暖蜂驿站 2",
    ],
)
def test_noise_does_not_turn_an_answerable_question_into_not_found(
    seed_retriever: Retriever, question: str
) -> None:
    assert verdict(seed_retriever, question).answered


def test_a_capitalised_latin_name_the_documents_lack_is_not_found(
    seed_retriever: Retriever,
) -> None:
    v = verdict(seed_retriever, "深圳的GDP是多少？")
    assert not v.answered and v.reason == "unknown_name"


def test_a_collection_of_one_paragraph_answers_its_own_sentence(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "深圳暖蜂驿站\n\n深圳标准化建设暖蜂驿站1178个，服务快递员和外卖骑手。\n", encoding="utf-8"
    )
    r = build([folder], tmp_path / "i.db", tokenizer=tokenizer)
    # one passage: every Okapi IDF is floored and every score is <= 0 (rank_bm25's own rule)
    question = r.analyze("深圳标准化建设了多少个暖蜂驿站？")
    assert max(r.scores(question.tokens)) <= 0
    hits = r.search(question, k=3)
    assert [h.passage_id for h in hits] == ["a.txt#1"]
    assert judge(r, question, hits).answered
    assert r.search("红烧肉怎么做") == []


@pytest.mark.parametrize(
    ("question", "kind", "matches", "does_not_match"),
    [
        ("深圳一共投入了多少钱？", "money", "投入3.3亿元", "建成1178个"),
        ("花了多少资金", "money", "500万元", "500个"),
        ("广西有多少党员？", "number", "党员30万", None),  # 党 is not a measure word
        ("滚动实施了几轮计划", "number", "三轮", "三年"),
    ],
)
def test_answer_types_of_money_and_of_nouns_after_多少(
    question: str, kind: str, matches: str, does_not_match: str | None
) -> None:
    from retrieval.answer_type import expected_answer

    answer = expected_answer(question)
    assert answer is not None and answer.kind == kind
    assert answer.spans(matches)
    if does_not_match:
        assert not answer.spans(does_not_match)


def test_asking_how_much_money_is_not_answered_by_a_passage_with_no_amount(
    seed_retriever: Retriever,
) -> None:
    v = verdict(seed_retriever, "深圳建司机之家一共投入了多少钱？")
    assert not v.answered and v.reason == "attribute_missing"
