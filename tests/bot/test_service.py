"""The answer service: best sentence, highlights, script, "not found", follow-ups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.render import highlight_spans, shown
from bot.service import Conversation, Service
from retrieval import Retriever, Tokenizer, to_simplified
from retrieval.normalization import convert_with_map
from tests.conftest import MIXED_PASSAGES, REPO, build

FOLLOWUPS = REPO / "tests" / "data" / "followups.jsonl"


@pytest.fixture(scope="module")
def service(seed_retriever: Retriever) -> Service:
    return Service(seed_retriever)


def test_best_sentence_is_a_sentence_of_the_text_and_carries_the_answer(service: Service) -> None:
    answer = service.ask("肇庆一共建成了多少个初心堂？")
    assert answer.answered and answer.sentence is not None
    assert "1552" in answer.sentence.text
    passage = next(c for c in answer.citations if c.sources[0] == answer.sentence.source)
    assert to_simplified(answer.sentence.text) in to_simplified(passage.text)
    assert len(answer.sentence.text) < len(passage.text)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("肇慶鄉鎮黨委書記隊伍平均年齡降了幾歲？", "3歲"),
        ("深圳是哪一年率先建立第一議題學習制度的？", "2018年"),
        ("今年上半年深圳查处了多少名局级干部？", "33人"),
    ],
)
def test_number_and_date_questions_prefer_sentences_with_the_quantity(
    service: Service, question: str, expected: str
) -> None:
    answer = service.ask(question)
    assert answer.sentence is not None
    assert to_simplified(expected) in to_simplified(answer.sentence.text)


def test_answer_is_in_the_askers_script(service: Service) -> None:
    trad = service.ask("深圳建了多少個暖蜂驛站？")
    simp = service.ask("深圳建了多少个暖蜂驿站？")
    assert trad.script == "traditional" and simp.script == "simplified"
    assert "驛站" in shown(trad.citations[0].text, trad)[0]
    assert "驿站" in shown(simp.citations[0].text, simp)[0]
    assert trad.sentence and "個" in shown(trad.sentence.text, trad)[0]
    # the service hands over the documents' own text: the same passage for both askers
    assert trad.citations[0].text == simp.citations[0].text


def test_script_neutral_question_follows_the_conversation(service: Service) -> None:
    conv = Conversation()
    service.ask("肇慶黨員有多少人？", conv)
    assert service.ask("1552", conv).script == "traditional"
    assert service.ask("1552").script == "simplified"


def test_highlights_mark_the_question_words_in_the_displayed_text(service: Service) -> None:
    answer = service.ask("深圳建了多少個暖蜂驛站？")
    text, spans = shown(answer.citations[0].text, answer)
    marked = {text[a:b] for a, b in spans}
    assert "暖蜂驛站" in marked and "深圳" in marked
    # in the document's own script too (:original keeps the highlights)
    text, spans = shown(answer.citations[0].text, answer, original=True)
    assert {"暖蜂驿站", "深圳"} <= {text[a:b] for a, b in spans}


def test_highlight_lands_right_after_a_length_changing_conversion() -> None:
    # s2twp converts phrases: 内存 -> 記憶體 (2 -> 3 characters) before the highlighted word.
    source = "查看内存里的初心堂资料"
    display, mapping = convert_with_map(source, "s2twp")
    assert "記憶體" in display and len(display) == len(source) + 1
    spans = highlight_spans(display, ["初心堂"])
    assert [display[a:b] for a, b in spans] == ["初心堂"]
    a, b = spans[0]
    assert source[mapping.span(a, b)[0] : mapping.span(a, b)[1]] == "初心堂"
    start = display.index("記憶體")
    a, b = mapping.span(start, start + 3)
    assert source[a:b] == "内存"


def test_not_found_instead_of_the_least_bad_passage(service: Service) -> None:
    for question in [
        "红烧肉怎么做才好吃？",
        "Python怎麼把列表由小到大排序？",
        "浙江省的基层党建三年计划有哪些重点？",
    ]:
        answer = service.ask(question)
        assert not answer.answered and answer.sentence is None and answer.citations == ()


def test_near_duplicate_passages_collapse_under_one_citation(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    filler = [
        {"id": f"f{i}", "title": "其他", "text": f"第{i}篇无关的文字，讲天气和交通。"}
        for i in range(12)
    ]
    rows = [
        *MIXED_PASSAGES,
        {"id": "copy", "title": "转载", "text": MIXED_PASSAGES[1]["text"]},
        *filler,
    ]
    src = tmp_path / "p.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    svc = Service(build([src], tmp_path / "i.db", tokenizer=tokenizer))
    answer = svc.ask("干部们在会议上讨论了什么范围？")
    ids = [s.doc for c in answer.citations for s in c.sources]
    assert len(ids) == len(set(ids))
    merged = [c for c in answer.citations if len(c.sources) > 1]
    assert merged and {s.doc for s in merged[0].sources} == {"trad-1", "simp-1", "copy"}


def test_followups_from_the_issue(service: Service) -> None:
    conv = Conversation()
    service.ask("深圳建了多少个暖蜂驿站?", conv)
    answer = service.ask("那司机之家呢?", conv)
    assert (
        answer.understood_as
        and "司机之家" in answer.understood_as
        and "深圳" in answer.understood_as
    )
    assert answer.sentence and "61" in answer.sentence.text
    conv = Conversation()
    service.ask("肇庆建了多少个党群服务中心?", conv)
    answer = service.ask("深圳呢?", conv)
    assert answer.sentence and "1800多个" in answer.sentence.text


def test_without_a_conversation_each_question_stands_alone(service: Service) -> None:
    service.ask("深圳建了多少个暖蜂驿站?")
    answer = service.ask("那司机之家呢?")
    assert answer.understood_as is None


def test_multi_turn_set(service: Service) -> None:
    rows = [json.loads(line) for line in FOLLOWUPS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 15
    right = 0
    for row in rows:
        conv = Conversation()
        service.ask(row["first"], conv)
        answer = service.ask(row["followup"], conv)
        right += bool(
            answer.sentence and to_simplified(row["expect"]) in to_simplified(answer.sentence.text)
        )
    assert right >= len(rows) - 2, f"{right}/{len(rows)}"


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200e", "\x00\x01"])
def test_empty_questions_are_a_clear_outcome(service: Service, question: str) -> None:
    answer = service.ask(question)
    assert answer.problem == "empty" and not answer.answered


def test_overlong_question_is_refused_quickly(service: Service) -> None:
    answer = service.ask("党建" * 100_000)
    assert answer.problem == "too_long"


def test_an_unrelated_question_is_not_taken_for_a_followup(service: Service) -> None:
    conv = Conversation()
    service.ask("深圳建了多少个暖蜂驿站?", conv)
    answer = service.ask("红烧肉怎么做才好吃？", conv)
    assert answer.understood_as is None and not answer.answered
    answer = service.ask("明天呢？", conv)
    assert answer.understood_as is None


def test_a_question_with_no_chinese_is_told_the_documents_are_chinese(service: Service) -> None:
    answer = service.ask("How many service stations did Shenzhen build?")
    assert not answer.answered and answer.problem == "not_chinese"
    assert service.ask("1178").answered  # unless its own (Latin or digit) words match a passage
    assert service.ask("深圳建了多少个暖蜂驿站？").problem is None


def test_a_detail_followup_carries_the_previous_subject(service: Service) -> None:
    conv = Conversation()
    service.ask("肇庆邻里先锋工作队有几支？", conv)
    answer = service.ask("队员一共多少人？", conv)  # a detail of the same teams
    assert answer.answered and answer.understood_as is not None
    assert "邻里先锋" in answer.understood_as
    assert "1.5万多人" in to_simplified(answer.citations[0].text)


def test_a_province_wide_followup_replaces_the_city(service: Service) -> None:
    """咁广东全省呢: 广东全省 is a place put for 肇庆, not a thing put for 镇街党校."""
    conv = Conversation()
    service.ask("肇庆有几多个镇街党校", conv)
    answer = service.ask("咁广东全省呢？", conv)
    assert answer.understood_as is not None and "镇街党校" in answer.understood_as
    assert answer.answered and "1600多所鎮街黨校" in answer.citations[0].text


def test_a_near_miss_is_what_the_next_followup_is_about(service: Service) -> None:
    """A question the documents answer only for something else, or without the figure
    asked (a near miss of either kind), is still what the next 那…呢 is about."""
    conv = Conversation()
    service.ask("肇庆有几多个镇街党校", conv)
    first = service.ask("肇庆初心堂建了多少平方米", conv)
    assert not first.answered and first.reason == "answer_missing"
    assert conv.last_question == "肇庆初心堂建了多少平方米"
    other = service.ask("肇庆给村干部建了几多套周转房", conv)
    assert not other.answered and other.reason == "constraint_unmet"
    assert conv.last_question == "肇庆给村干部建了几多套周转房"


def test_a_followup_asking_a_part_finds_the_passage_that_splits_the_total(
    service: Service,
) -> None:
    """其中…占多少 asks about a part of what the previous question counted: the passage
    naming that part (其中区直机关45个) answers, not the first one giving the total."""
    conv = Conversation()
    first = service.ask("广西2022年一共命名了几多个模范机关示范单位？", conv)
    assert first.answered
    answer = service.ask("其中区直机关有多少个", conv)
    assert answer.answered and answer.understood_as is not None
    assert "模范机关示范单位" in answer.understood_as
    assert "區直機關45個" in answer.citations[0].text


def test_a_share_asked_is_a_part_of_the_total(service: Service) -> None:
    """区直占几个 (no 其中) asks a share of what was counted: it is completed with the
    previous subject, and 那市县的呢 then asks the other share."""
    conv = Conversation()
    assert service.ask("广西一共选树了几多个模范机关示范单位", conv).answered
    share = service.ask("区直机关占几个", conv)
    assert share.understood_as is not None and "模范机关示范单位" in share.understood_as
    assert "區直機關45個" in share.citations[0].text


@pytest.mark.parametrize(
    ("followup", "item"),
    [
        ("第三点呢", "三是加強機關黨建品牌"),
        ("那第2个方面是什么", "二是開展標準化"),
        ("第三条呢？", "三是加強"),
    ],
)
def test_an_item_of_a_list_asked_by_its_number(service: Service, followup: str, item: str) -> None:
    """第三点呢 after a question about the ways something was done (从哪几个方面): the
    passage of that document writing the third (三是…) comes first, not the lead-in."""
    conv = Conversation()
    first = service.ask("广西区直机关工委从哪几个方面加强基层组织建设", conv)
    assert first.answered and item not in first.citations[0].text
    answer = service.ask(followup, conv)
    assert answer.answered, answer
    assert item in answer.citations[0].text


@pytest.mark.parametrize("rest", ["剩下的呢", "其余的有几个？"])
def test_the_rest_after_a_part_is_the_passage_splitting_the_total(
    service: Service, rest: str
) -> None:
    """剩下的呢 after 区直机关占几个: the passage that splits the total into its parts
    (区直机关45个、市直(县直)机关28个) answers it; on its own it asks nothing."""
    conv = Conversation()
    assert service.ask("广西一共选树了几多个模范机关示范单位", conv).answered
    assert service.ask("区直机关占几个", conv).answered
    answer = service.ask(rest, conv)
    assert answer.answered and "縣直)機關28個" in answer.citations[0].text
    assert not service.ask(rest).answered


def test_another_part_after_a_part_is_a_part_too(service: Service) -> None:
    """其中区直的多少, then 那市县的呢: the second part stands in for the first (区直 is a
    noun, not the verb jieba's dictionary tags), and the passage writing it out (市直(县直)
    机关28个) answers, not the total's."""
    conv = Conversation()
    assert service.ask("广西选树了多少个模范机关示范单位？", conv).answered
    assert service.ask("其中区直的多少", conv).answered
    answer = service.ask("那市县的呢", conv)
    assert answer.answered and answer.understood_as is not None
    assert "市县" in answer.understood_as and "区直" not in answer.understood_as
    assert "縣直)機關28個" in answer.citations[0].text
    assert answer.sentence is not None and "28" in answer.sentence.text  # its sentence


def test_an_interviewers_question_is_never_the_answer_sentence(service: Service) -> None:
    """问：…采取了哪些措施？ is kept with its answer in one passage; the sentence shown is
    the answer's, not the question's."""
    answer = service.ask("区直机关工委加强基层组织建设采取了什么措施")
    assert answer.answered and answer.sentence is not None
    assert not answer.sentence.text.rstrip().endswith(("？", "?"))
    assert "清單化管理" in answer.sentence.text  # (as the document writes it)


@pytest.mark.parametrize(
    ("first", "followup", "names", "expected"),
    [
        # quotation marks inside the follow-up or the previous question
        ("深圳建了多少个暖蜂驿站？", "那“司机之家”呢？", "司机之家", "61"),
        ("深圳建了多少个「暖蜂驿站」？", "那「暖蜂一条街」呢？", "暖蜂一条街", "39"),
        # a word of the same length and head replaces its counterpart only
        ("今年上半年深圳立案查处的局级干部有多少人？", "那处级的呢？", "处级干部", "193"),
        # a bare noun replaces the counted noun, not a longer word that ends alike
        ("广东驻镇帮镇扶村工作覆盖多少个乡镇？", "行政村呢？", "驻镇帮镇扶村", "2萬"),
    ],
)
def test_followup_completion_classes(
    service: Service, first: str, followup: str, names: str, expected: str
) -> None:
    conv = Conversation()
    service.ask(first, conv)
    answer = service.ask(followup, conv)
    assert answer.understood_as and names in answer.understood_as
    assert answer.answered and expected in answer.citations[0].text


@pytest.mark.parametrize(
    ("first", "followup", "subject", "verb", "expected"),
    [
        ("肇庆乡镇干部周转房建了多少套？", "投入了多少钱？", "周转房", "建了", "3.3亿元"),
        ("深圳大讲堂第一期请的谁？", "辅导的什么内容？", "深圳大讲堂", "请的", "新质生产力"),
        # no word of its own in the answer (花掉, 钱): taken on its form alone
        ("肇庆的乡镇干部周转房一共多少套？", "花掉多少钱？", "周转房", "一共", "3.3亿元"),
    ],
)
def test_a_followup_starting_with_its_verb_is_about_the_previous_subject(
    service: Service, first: str, followup: str, subject: str, verb: str, expected: str
) -> None:
    conv = Conversation()
    service.ask(first, conv)
    answer = service.ask(followup, conv)
    assert answer.understood_as and subject in answer.understood_as
    assert verb not in answer.understood_as  # the subject, without the verb that asked
    assert answer.answered and expected in to_simplified(answer.citations[0].text)


def test_a_completed_followup_that_is_a_near_miss_is_kept(service: Service) -> None:
    conv = Conversation()
    service.ask("深圳有多少个“小个专”党组织？", conv)
    answer = service.ask("那肇庆呢？", conv)  # the documents give that count for Shenzhen only
    assert answer.understood_as and "肇庆" in answer.understood_as
    assert not answer.answered and "肇庆" in answer.missing and answer.nearest is not None


def test_a_pronoun_after_a_who_answer_is_that_person(service: Service) -> None:
    """他/她 after an answer that named a person (by the post the question named, not the
    first official in the sentence) is read as that person; with no such answer it is not."""
    conv = Conversation()
    first = service.ask("深圳市委书记是谁？", conv)
    assert first.answered and conv.last_person == "王伟中"
    answer = service.ask("他出席了什么会议？", conv)
    assert answer.understood_as is not None and answer.understood_as.startswith("王伟中")
    assert answer.answered and "王伟中" in to_simplified(answer.citations[0].text)
    other = Conversation()
    service.ask("肇庆建成了多少个初心堂？", other)
    assert other.last_person is None
    assert "王伟中" not in (service.ask("他出席了什么会议？", other).understood_as or "")


def test_a_followup_with_its_own_question_word_asks_a_detail(service: Service) -> None:
    """主题系咩？ (Cantonese: what is the theme?) after a question about an event asks the
    event's theme; its 系咩 is a question word, not a noun to put in the event's place."""
    conv = Conversation()
    service.ask("广西机关党建那场发布会是谁办的？", conv)
    answer = service.ask("主题系咩？", conv)
    assert answer.understood_as is not None
    assert "发布会" in answer.understood_as and "谁办" not in answer.understood_as


def test_a_followup_pointing_back_is_about_the_previous_subject(service: Service) -> None:
    """那个会是哪天开的？ points back at the meeting the previous question was about; its
    时候/哪天 are asking, not words the passage must hold."""
    conv = Conversation()
    assert service.ask("省委领导班子的民主生活会主题是啥", conv).answered
    answer = service.ask("那个会是什么时候开的", conv)
    assert answer.understood_as is not None and "民主生活会" in answer.understood_as
    assert answer.answered and "1月8日" in to_simplified(answer.citations[0].text)


def test_a_followup_naming_another_place_drops_the_old_one(service: Service) -> None:
    """那肇庆村里的党群服务中心呢 after a question about Shenzhen is about 肇庆 alone."""
    conv = Conversation()
    service.ask("深圳的党群服务站点一共多少个", conv)
    answer = service.ask("那肇庆村里的党群服务中心呢", conv)
    assert answer.understood_as is not None and "深圳" not in answer.understood_as
    assert answer.answered and "1554" in answer.citations[0].text


def test_a_detail_followup_keeps_what_the_previous_question_counted(service: Service) -> None:
    """具体是哪几次 after 搞过几次集中教育 is about those campaigns: the previous question's
    noun after its 几次 is kept, not only what came before it."""
    conv = Conversation()
    service.ask("肇庆有多少党员", conv)
    service.ask("开展过几次党内集中教育", conv)
    answer = service.ask("具体是哪几次", conv)
    assert answer.answered and "5次党内集中教育" in to_simplified(answer.citations[0].text)


def test_cantonese_pronoun_after_who_chaired_is_the_chair(service: Service) -> None:
    """佢 (Cantonese 他) after 谁主持 is the person named next to 主持, not the first
    official of the sentence (省委书记李希 attended; 省长马兴瑞 chaired)."""
    conv = Conversation()
    first = service.ask("全省基层党组织建设工作会议是边个主持的", conv)
    assert first.answered and conv.last_person == "马兴瑞"
    answer = service.ask("佢系咩职务？", conv)
    assert answer.understood_as is not None and answer.understood_as.startswith("马兴瑞")


def test_which_department_after_an_event_is_about_that_event(service: Service) -> None:
    """哪个部门办的 after a question about a press conference asks who held it; 部门 is what
    is asked (the passage names 宣传部), and 办 (开展) is too common to be required."""
    conv = Conversation()
    service.ask("广西那场机关党建新闻发布会几号开的", conv)
    answer = service.ask("哪个部门办的", conv)
    assert answer.understood_as is not None and "发布会" in answer.understood_as
    assert answer.answered and "宣传部" in to_simplified(answer.citations[0].text)


def test_an_english_what_about_is_a_followup(service: Service) -> None:
    """ "what about 司机之家?" is 那司机之家呢？: its English words are glue, not words the
    answer must hold."""
    conv = Conversation()
    service.ask("深圳建了多少个暖蜂驿站？", conv)
    answer = service.ask("what about 司机之家?", conv)
    assert answer.understood_as is not None and "司机之家" in answer.understood_as
    assert answer.answered and answer.sentence is not None and "61" in answer.sentence.text


def test_a_sector_followup_replaces_the_sector(service: Service) -> None:
    """那农村呢 after a question about 城市 基层党建: 农村 stands in for 城市 (jieba tags one a
    place and the other a noun), and 基层党建 stays."""
    conv = Conversation()
    service.ask("广东在城市里抓基层党建搞了什么行动", conv)
    answer = service.ask("农村呢？", conv)
    assert answer.understood_as is not None
    assert "农村" in answer.understood_as and "基层党建" in answer.understood_as
    assert "城市" not in answer.understood_as
    assert answer.answered and "農村" in answer.citations[0].text


def test_a_bare_head_followup_keeps_the_modifiers_in_the_passage_judged(
    service: Service,
) -> None:
    """示范点呢 after 机关党建品牌: the passage with 机关党建品牌933个、示范点113个 is judged
    first, not one with another kind of 示范点 (清廉示范点400多个) that BM25 prefers."""
    conv = Conversation()
    service.ask("广西的机关搞了几个党建品牌", conv)
    answer = service.ask("那示范点呢", conv)
    assert answer.answered and "示范點113個" in answer.citations[0].text


def test_at_the_meeting_points_back_to_the_previous_meeting(service: Service) -> None:
    """谁在会上讲话 after a question about a meeting: 会上 is that meeting, so the question
    is a detail of it and the meeting's own passage (李希出席并讲话) answers."""
    conv = Conversation()
    service.ask("全省加强基层党组织建设的那个会在哪里开的", conv)
    answer = service.ask("会上谁讲了话", conv)
    assert answer.answered and "李希出席會議并講話" in answer.citations[0].text


def test_a_numbered_item_of_things_to_do_after_how_many(service: Service) -> None:
    """几件事 is answered by the list (一要…四要), and 第三件係咩 then asks its third item."""
    conv = Conversation()
    first = service.ask("李希话加强组织领导要搞几件事", conv)
    assert first.answered
    answer = service.ask("第三件係咩", conv)
    assert answer.answered and "三要" in answer.citations[0].text


def test_the_last_passage_is_preferred_only_holding_the_followups_words(
    service: Service,
) -> None:
    """初心堂有多少个 after 党员: the last answer's passage (党员) does not hold 初心堂, so the
    passage that does (1552个) answers (a review finding)."""
    conv = Conversation()
    service.ask("肇庆有多少名党员", conv)
    answer = service.ask("初心堂有多少个", conv)
    assert answer.answered and "1552" in answer.citations[0].text


def test_a_sector_the_question_has_is_not_swapped(service: Service) -> None:
    """那机关呢 after a question about 区直机关 and 企业: 机关 is there already, so 企业 is not
    put out for it (a review finding)."""
    conv = Conversation()
    service.ask("广西区直机关帮企业解决了多少个急难愁盼问题", conv)
    answer = service.ask("那机关呢", conv)
    assert answer.understood_as is None or "企业" in answer.understood_as
