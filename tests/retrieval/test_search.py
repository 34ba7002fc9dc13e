"""Search: parity with rank_bm25 on the corpus, ordering rules, edge cases, citations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rank_bm25

from retrieval import BM25Settings, Retriever, Tokenizer
from tests.conftest import MIXED_PASSAGES, build

QUESTIONS = [
    "肇庆一共建成了多少个初心堂？",
    "深圳建了多少個暖蜂驛站",
    "廣東駐鎮幫扶到底幫了幾個鄉鎮啊",
    "基层党建三年行动计划",
    "党",
]


@pytest.mark.parametrize(
    "settings",
    [
        BM25Settings(),
        BM25Settings("okapi", k1=1.5, b=0.75, epsilon=0.25),
        BM25Settings("l", k1=1.2, b=0.6, delta=0.5),
        BM25Settings("plus", k1=0.9, b=0.4, delta=1.0),
    ],
)
def test_scores_equal_rank_bm25_called_directly(
    seed_retriever: Retriever, settings: BM25Settings
) -> None:
    r = Retriever(
        seed_retriever.path,
        seed_retriever.documents,
        seed_retriever.passages,
        seed_retriever.tokenizer,
        settings,
    )
    corpus = [p.tokens for p in r.passages]
    if settings.variant == "okapi":
        ref = rank_bm25.BM25Okapi(corpus, k1=settings.k1, b=settings.b, epsilon=settings.epsilon)
    elif settings.variant == "l":
        ref = rank_bm25.BM25L(corpus, k1=settings.k1, b=settings.b, delta=settings.delta)
    else:
        ref = rank_bm25.BM25Plus(corpus, k1=settings.k1, b=settings.b, delta=settings.delta)
    for q in QUESTIONS:
        tokens = r.analyze(q).tokens
        expected = np.asarray(ref.get_scores(list(tokens)))
        assert np.allclose(r.scores(tokens), expected, rtol=1e-9, atol=0)
        hits = r.search(q, k=10, rerank=False)
        order = sorted(range(len(expected)), key=lambda i: (-expected[i], i))
        want = [r.passages[i].id for i in order if expected[i] > 0][:10]
        assert [h.passage_id for h in hits] == want
        assert all(h.score == pytest.approx(h.bm25) for h in hits)


def test_ties_are_broken_by_passage_order(tokenizer: Tokenizer, tmp_path: Path) -> None:
    rows = [{"id": f"p{i}", "title": "同题", "text": "初心堂建设"} for i in range(5)]
    rows.append({"id": "other", "title": "别的", "text": "完全无关的内容在这里"})
    src = tmp_path / "p.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    r = build([src], tmp_path / "i.db", tokenizer=tokenizer)
    hits = r.search("初心堂", k=5)
    assert [h.doc for h in hits] == ["p0", "p1", "p2", "p3", "p4"]
    assert len({h.score for h in hits}) == 1


def test_non_positive_scores_are_never_returned(tokenizer: Tokenizer, tmp_path: Path) -> None:
    src = tmp_path / "p.jsonl"
    src.write_text(
        "\n".join(json.dumps(p, ensure_ascii=False) for p in MIXED_PASSAGES), encoding="utf-8"
    )
    r = build([src], tmp_path / "i.db", tokenizer=tokenizer)
    # "干部" is in two of three passages: Okapi floors its IDF, so some scores are <= 0.
    for hit in r.search("干部", k=10) + r.search("明天广州", k=10):
        assert hit.score > 0


def test_empty_corpus_and_empty_query_are_clear_outcomes(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    (tmp_path / "corpus").mkdir()
    r = build([tmp_path / "corpus"], tmp_path / "i.db", tokenizer=tokenizer)
    assert len(r) == 0
    assert r.search("初心堂") == []
    r2 = Retriever.open(tmp_path / "i.db", tokenizer=tokenizer)
    assert r2.search("") == []


def test_query_of_only_stopwords_finds_nothing(seed_retriever: Retriever) -> None:
    assert seed_retriever.analyze("什么 多少 吗").tokens == ()
    assert seed_retriever.search("什么 多少 吗") == []


def test_hits_carry_their_citation(seed_retriever: Retriever) -> None:
    hit = seed_retriever.search("肇庆一共建成了多少个初心堂？", k=1)[0]
    assert hit.doc == "001_9633f197b07a2f19.txt"
    assert hit.title.startswith("推动党的组织优势转化为高质量发展优势")
    assert hit.source == "西江日报"
    assert "1552" in hit.text
    assert hit.passage_id == f"{hit.doc}#{hit.paragraph}"
    assert hit.rank == 1


def test_answer_type_preference_only_reorders_bm25_candidates(seed_retriever: Retriever) -> None:
    q = "肇庆给在镇里工作的干部盖了多少套宿舍？"
    plain = seed_retriever.search(q, k=20, rerank=False)
    reranked = seed_retriever.search(q, k=20)
    assert {h.passage_id for h in plain} == {h.passage_id for h in reranked}
    assert "2622套" in reranked[0].text


def test_a_passage_about_the_place_asked_for_is_preferred(seed_retriever: Retriever) -> None:
    """肇庆's service centres stand in a passage of the Zhaoqing article that never names the
    city (its title does); Shenzhen's passage repeats the topical words and wins plain BM25."""
    from dataclasses import replace

    question = seed_retriever.analyze("肇慶建成咗幾多個村（社區）黨群服務中心？")
    assert question.constraints == ("肇庆",)
    plain = seed_retriever.search(replace(question, constraints=()), k=1)
    assert plain[0].doc == "003_62f9692f69b22526.txt"  # Shenzhen
    best = seed_retriever.search(question, k=1)[0]
    assert best.doc == "001_9633f197b07a2f19.txt" and "肇庆" in best.title


@pytest.mark.parametrize(
    ("colloquial", "standard"),
    [
        ("肇慶嗰啲鎮街黨校建咗幾多間？", "肇庆那些镇街党校建了多少间？"),  # Cantonese, Traditional
        ("深圳市委書記係邊個？", "深圳市委书记是谁？"),  # 係 alone is 是
        ("深圳有冇建暖蜂驛站？", "深圳有没有建暖蜂驿站？"),
        ("肇庆初心堂建了啥规模？", "肇庆初心堂建了什么规模？"),  # Mandarin colloquial 啥
    ],
)
def test_colloquial_wording_asks_what_standard_wording_asks(
    seed_retriever: Retriever, colloquial: str, standard: str
) -> None:
    a, b = seed_retriever.analyze(colloquial), seed_retriever.analyze(standard)
    assert (a.known, a.unknown) == (b.known, b.unknown)
    assert (a.answer and a.answer.kind) == (b.answer and b.answer.kind)


def test_系_inside_a_word_is_kept(seed_retriever: Retriever) -> None:
    assert "联系" in seed_retriever.analyze("党群联系怎样？").known
    assert "体系" in seed_retriever.analyze("党建工作體系係點樣嘅？").known


def test_an_everyday_word_the_collection_lacks_takes_its_formal_word(
    seed_retriever: Retriever, tokenizer: Tokenizer, tmp_path: Path
) -> None:
    question = seed_retriever.analyze("深圳今年查处了多少名官员？")  # the documents say 干部
    assert "干部" in question.known and "官员" not in question.unknown
    hits = seed_retriever.search(question, k=1)
    assert "局级干部33人" in hits[0].text
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("某市\n\n今年查处官员12人，干部30人。\n", encoding="utf-8")
    own = build([folder], tmp_path / "i.db", tokenizer=tokenizer)
    assert "官员" in own.analyze("今年查处了多少名官员？").known  # its own word is kept


def test_a_passage_about_the_named_place_wins_over_one_counting_in_the_same_word(
    seed_retriever: Retriever,
) -> None:
    # Guangdong's 1600多所 uses the asked measure word; Zhaoqing's 104个 is about the place
    hits = seed_retriever.search("肇庆一共有多少所镇街党校？", k=1)
    assert "104个镇街党校" in hits[0].text


def test_a_later_part_of_a_paragraph_is_matched_with_its_opening(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    """A long paragraph is cut into parts; its later parts lose the sentence saying who
    speaks (王小明强调…). They are matched with it, as with their document's title, so a
    question naming the speaker finds his fourth point before another document's."""
    points = "".join(
        f"{n}要{what}，各级各部门要认真抓好落实，把责任压实到每一个岗位和每一名干部身上。"
        for n, what in zip("一二三", ("压实工作责任", "加强统筹协调", "强化督促检查"), strict=True)
    )
    speech = "王小明强调，要切实加强组织领导。" + points * 3 + "四要整治安全隐患，不留死角。"
    (tmp_path / "speech.txt").write_text(f"讲话\n\n{speech}\n", encoding="utf-8")
    other = "本市开展整治安全隐患专项行动，共查出问题三百多处。"
    (tmp_path / "news.txt").write_text(f"新闻\n\n{other}\n", encoding="utf-8")
    for n, topic in enumerate(
        ("植树", "图书馆开放", "公交调整", "运动会", "义诊", "招聘会", "读书节", "音乐会")
    ):
        (tmp_path / f"filler{n}.txt").write_text(f"短讯\n\n今天举行{topic}。\n", encoding="utf-8")
    retriever = build([tmp_path], tmp_path / "index.db", tokenizer=tokenizer)
    top = retriever.search("王小明讲整治安全隐患要怎么做", k=1)[0]
    assert top.bm25 > 0  # (BM25's own scores, not the small-collection ranking)
    assert top.part > 1 and "四要整治安全隐患" in top.text
    assert "王小明" not in top.text and "王小明" in retriever.passage_tokens(top.passage_id)


def test_only_a_later_part_going_on_with_a_list_takes_the_opening(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    """A later part that does not start a numbered item (an encyclopedia paragraph going on)
    is matched with its own words and the title only: the opening would make it compete with
    the part that answers."""
    story = "李小红是一位作家。" + "她写了很多关于乡村生活的小说和散文，深受读者喜爱。" * 20
    (tmp_path / "bio.txt").write_text(f"人物\n\n{story}\n", encoding="utf-8")
    retriever = build([tmp_path], tmp_path / "index.db", tokenizer=tokenizer)
    later = [p for p in retriever.passages if p.part > 1]
    assert later and all("李小红" not in p.tokens for p in later)
