"""Whether the best passages answer a question: the verdict and its reason."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .answer_type import (
    KINDS_OF_PEOPLE,
    MEASURE,
    NAME_ASKED,
    PEOPLE_NOUN,
    PEOPLE_WORD,
    ROLE_WORD,
    WHO_ENDING,
    counted_unit,
    people_in,
)
from .errors import SettingsError
from .normalization import to_simplified
from .schema import Hit, Question
from .search import Retriever


@dataclass(frozen=True)
class JudgeSettings:
    """When a question counts as answered.

    ``min_coverage``: the share of the question's information (IDF mass) the best passage must
    hold, 0 to 1. ``furniture_share``: the share of it that may be the website's furniture
    (copyright, contact, reposting words) before the question counts as about the site.
    """

    min_coverage: float = 0.15
    furniture_share: float = 0.3

    def __post_init__(self) -> None:
        for name in ("min_coverage", "furniture_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise SettingsError(f"{name} must be between 0 and 1, got {value}")


@dataclass(frozen=True)
class Verdict:
    """Whether the best passages answer a question, why, and how much of it they cover.

    ``reason`` is one of: "answered"; "no_match" (no passage shares a word with it);
    "low_coverage" (the best passage holds too small a share of its information);
    "site_furniture" (it asks about the website: copyright, contact, reposting);
    "unknown_name" (it names a place, person, organisation or Latin-script term the
    documents never have); "constraint_unmet" (a near miss: the best passage is about
    something else than a place, organisation, post or year the question names, listed in
    ``missing``); "attribute_missing" (it asks how much an attribute is, and the best
    passage does not name that attribute, or asks how much money and it gives no amount, or
    asks who holds a post the documents never name: 特首是谁);
    "answer_missing" (a near miss: it asks for a count in a unit, or of a thing, and the best
    passage gives no number in that unit, or none next to that thing: it counts teams where
    people are asked for, or other members, or another thing listed; or it asks 哪一年 / 几月
    几号 and the paragraph names no year or day, or a person's name and it names no one, or
    where something was held and it holds nothing).
    "low_coverage" also covers a question that shares only its setting (a place or year)
    with a passage whose topic is elsewhere.

    ``nearest`` is the best passage when the verdict is a near miss (constraint_unmet,
    answer_missing): what the documents do
    have, to be shown as being about something else.

    ``best`` is the position in the hits of the passage judged: 0, or the first of the next
    ones that is about what the question names when the first is not and it shares nearly
    as much of the question (肇庆呢 after a question about 广东 keeps 广东's verb).
    """

    answered: bool
    reason: str
    coverage: float = 0.0
    missing: tuple[str, ...] = ()
    nearest: Hit | None = None
    best: int = 0


def judge(
    retriever: Retriever,
    question: Question,
    hits: Sequence[Hit],
    settings: JudgeSettings | None = None,
) -> Verdict:
    """The verdict on ``hits`` (best first) as an answer to ``question``: on the first, or,
    when the first is a near miss (about another place, or without the answer asked for), on
    the first of the next that answers and shares nearly as much of the question."""
    settings = settings or JudgeSettings()
    if not hits:
        return Verdict(False, "no_match")
    verdict = _judge_one(retriever, question, hits[0], settings)
    if verdict.reason in ("constraint_unmet", "answer_missing"):
        for i in _rivals(retriever, question, hits, verdict.coverage):
            other = _judge_one(retriever, question, hits[i], settings)
            if other.answered:
                return replace(other, best=i)
    return verdict


def _judge_one(
    retriever: Retriever, question: Question, hit: Hit, settings: JudgeSettings
) -> Verdict:
    """The verdict on ``hit`` alone as an answer to ``question``."""
    coverage = retriever.coverage(question, hit.passage_id)
    reason = _reason(retriever, question, hit, coverage, settings)
    if reason == "answered":
        missing = retriever.unmet(question, hit)
        if missing:
            return Verdict(False, "constraint_unmet", coverage, missing, hit)
        missing = _count_missing(retriever, question, to_simplified(hit.text))
        if not missing and question.answer is not None and question.answer.kind in _WHEN:
            paragraph = retriever.whole_paragraph(hit).text
            missing = _when_missing(question, paragraph, bool(hit.date))
        if not missing and question.answer is not None and question.answer.kind == "place":
            paragraph = to_simplified(retriever.whole_paragraph(hit).text)
            held = question.answer.spans(paragraph) or _HELD_VERB.search(paragraph)
            missing = () if held else ("地点",)  # 在广州召开 (or 1911年还举行了: there)
        if not missing and _name_asked(question):
            paragraph = to_simplified(retriever.whole_paragraph(hit).text)
            missing = () if _names_a_person(retriever, question, paragraph) else ("人名",)
        if missing:
            return Verdict(False, "answer_missing", coverage, missing, hit)
        topic = _topic_words(question)
        if topic and coverage < OFF_TOPIC_COVERAGE and _off_topic(retriever, topic, hit):
            return Verdict(False, "low_coverage", coverage)  # 明天广州会下雨吗: the place only
    return Verdict(reason == "answered", reason, coverage)


ATTACHED = 8  # characters between a count and the noun it counts
RIVALS = 3  # hits looked at when the first is a near miss
RIVAL_COVERAGE = 0.8  # the share of the first's coverage one of them must have


def _rivals(
    retriever: Retriever, question: Question, hits: Sequence[Hit], coverage: float
) -> list[int]:
    """The positions of the next hits that hold nearly as much of the question as the first
    and, for a question asking a kind of answer, have one next to a question word (104个镇街
    党校): those worth judging when the first is a near miss."""
    answer, words = question.answer, question.known
    found = []
    for i in range(1, min(RIVALS, len(hits))):
        if retriever.coverage(question, hits[i].passage_id) < RIVAL_COVERAGE * coverage:
            continue
        text = retriever.passage_norm(hits[i].passage_id)
        if answer is not None and answer.pattern is not None and answer.support(text, words) < 2:
            continue
        found.append(i)
    return found


OFF_TOPIC_COVERAGE = 0.35  # above it a question sharing only its setting is still judged on

_WHEN = ("year", "year_range", "date")
# 哪一年 / 几月几号 / 哪天 (not 什么时候, which a period such as 十八大以来 answers).
_DAY_ASKED = re.compile(r"几月|几[号日]|哪一?[天日]|哪个月")
_A_YEAR = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,4}\s*年(?!级)|[〇零○一二三四五六七八九十]{2,4}年|元年|[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年"
)
_A_DAY = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}\s*月|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}[日号]"
)
_RELATIVE_TIME = re.compile(
    r"今年|去年|前年|当年|同年|次年|翌年|本月|上月|近日|日前|当天|当日|昨天|今天"
)


def _when_missing(question: Question, paragraph: str, dated: bool = False) -> tuple[str, ...]:
    """What a 哪一年 / 几月几号 question asks that ``paragraph`` does not give: no year (or
    month and day) and no relative time (今年, 日前) in it. Empty when it gives one."""
    answer = question.answer
    if answer is None or answer.kind not in _WHEN:
        return ()
    text = to_simplified(paragraph)
    if _RELATIVE_TIME.search(text):
        return ()
    if answer.kind == "date":
        if not _DAY_ASKED.search(question.wording):
            return ()
        return () if _A_DAY.search(text) else ("日期",)
    if dated and _A_DAY.search(text):  # 1月8日 in a document dated 2023-02-10: that year
        return ()
    return () if _A_YEAR.search(text) else ("年份",)


def _name_asked(question: Question) -> bool:
    """Whether ``question`` asks for a person's name (那位领导叫什么名字): an answer names one."""
    answer = question.answer
    return (
        answer is not None and answer.kind == "person" and bool(NAME_ASKED.search(question.wording))
    )


_BODY_END = frozenset("部委会局厅办处司院所组队")  # 宣传部 is no person, whatever its tag


def _names_a_person(retriever: Retriever, question: Question, paragraph: str) -> bool:
    """Whether ``paragraph`` names a person: after a post (部长张义珍), or a word tagged as a
    person's name (由郑裕玲主持)."""
    if question.answer is not None and question.answer.spans(paragraph):
        return True
    return any(
        flag.startswith("nr") and 2 <= len(word) <= 4 and word[-1] not in _BODY_END
        for word, flag in retriever.tags(paragraph)
    )


_HELD_VERB = re.compile(r"召开|举行|举办|开幕")


_DIMENSION_NAMES = (("面积", "面积"), ("平方", "面积"), ("亩", "面积"), ("占地", "面积"),
                    ("久", "时长"), ("时间", "时长"), ("耐", "时长"), ("岁", "年龄"),
                    ("年纪", "年龄"), ("年龄", "年龄"))  # fmt: skip


def _what_is_counted(unit: str, noun: str) -> str:
    """How a near-miss reply names what was asked: 队员人数, 临时党支部数量, 长度, 时长."""
    if len(unit) > 1:  # a dimension: 多长, 多久, 多少平方
        return next((name for key, name in _DIMENSION_NAMES if key in unit), "长度")
    people = unit and unit in "人名位"
    return (noun or "") + ("人数" if people else "数量")


def _count_missing(retriever: Retriever, question: Question, text: str) -> tuple[str, ...]:
    """What a count question asks that ``text`` does not give: a number in the asked unit
    (多少名 wants people, not teams; 多长 a length), and, where ``text`` names the noun
    counted, a number next to it (多少个党支部: not 30个 beside 站点 in a passage that names
    党支部 elsewhere). A noun the passage does not name is taken as paraphrased (宿舍 for
    周转房). Empty when it gives it."""
    answer = question.answer
    if answer is None or answer.kind != "number":
        return ()
    spans = answer.counts(text, question.wording) if answer.unit else answer.spans(text)
    asked = _what_is_counted(answer.unit, answer.noun)
    if not spans:
        return (asked,) if answer.unit else ()
    noun = answer.noun or answer.subject  # (before 多少 only: 党员一共多少人)
    if people_in(noun):  # 多少名党员: not 1500名干部, not 队员1.5万多人
        spans = [s for s in spans if not _counts_other_people(text, s, noun)]
        if not spans:
            return (asked,)
    if answer.unit and not counted_unit(answer.unit):  # 几岁, 多长: what follows is not a
        return _of_other_people(question, text, spans, asked)  # noun counted; whose age?
    words = [w for w in retriever.tokenizer.tokenize(noun) if len(w) >= 2 and w[0] != "#"]
    if not any(noun.startswith(w) for w in words):
        return ()  # 几个属生存到中新世: a noun of one character, then what it does
    words = [w for w in words if w in text]
    if not words:
        return ()
    spans = [s for s in spans if not _counts_another_thing(text, s, noun, words)]
    if not answer.noun:  # named before the count: not necessarily next to it
        return () if spans else (asked,)
    for word in words:
        at = text.find(word)
        while at >= 0:  # the word and the count overlap a few characters' stretch
            if any(a - ATTACHED < at + len(word) and at < b + ATTACHED for a, b in spans):
                return ()
            at = text.find(word, at + 1)
    return (asked,)


_CLAUSE_END = re.compile(r"[，。；！？,;!?]")


def _of_other_people(
    question: Question, text: str, spans: list[tuple[int, int]], asked: str
) -> tuple[str, ...]:
    """``(asked,)`` when the measures at ``spans`` (平均年龄下降了3岁) are all of other people
    than the ones the question names (村两委干部): those named in the measure's clause, when
    the question's people are named elsewhere in ``text`` only. Empty when one is theirs."""
    people = [w for w in question.known if len(w) >= 2 and PEOPLE_NOUN.fullmatch(w) and w in text]
    if not people:
        return ()
    for a, b in spans:
        start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, a)), default=0)
        end = m.start() if (m := _CLAUSE_END.search(text, b)) else len(text)
        clause = text[start:end]
        if any(w in clause for w in people) or not PEOPLE_WORD.search(clause):
            return ()
    return (asked,)


_ITS_MEASURE = re.compile(rf"^[多余]?(?:万|亿)?[多余]?[{MEASURE}]?")
_NOT_A_NOUN = re.compile(r"[多余以左上之的次和与及、，。；：！？,.;:!?()（）\s]|$")


def _counts_another_thing(text: str, span: tuple[int, int], noun: str, words: list[str]) -> bool:
    """Whether the count at ``span`` counts another thing listed after ``noun`` (干部学院和
    1600多所镇街党校: the 1600 are 镇街党校): the noun, a conjunction, the count, and a
    thing named right after it that is not the noun."""
    a, b = span
    listed = rf"(?:{'|'.join(re.escape(w) for w in (noun, *words))})[和与及、]\s*$"
    if not re.search(listed, text[max(a - len(noun) - 2, 0) : a]):
        return False
    after = text[b : b + len(noun) + 8]
    after = _ITS_MEASURE.sub("", after, count=1)  # a bare number's 个 (7127个，)
    if noun in after or any(w in after for w in words):
        return False
    return _NOT_A_NOUN.match(after) is None


def _counts_other_people(text: str, span: tuple[int, int], noun: str) -> bool:
    """Whether the people count at ``span`` counts other people than ``noun`` (党员): those
    named right after it (1500名干部) or, with none there, right before (队员1.5万多人)."""
    a, b = span
    counted = people_in(text[b : b + 6])
    if not counted:
        before = text[max(a - 6, 0) : a]
        counted = next(
            (
                before[i:]
                for i in range(len(before) - 2, -1, -1)
                if PEOPLE_NOUN.fullmatch(before[i:])
            ),
            "",
        )
    return bool(counted) and counted not in noun and noun not in counted


def _reason(
    retriever: Retriever, question: Question, best: Hit, coverage: float, settings: JudgeSettings
) -> str:
    if coverage < settings.min_coverage:
        return "low_coverage"
    words = set(question.known) | set(question.unknown)
    total = sum(retriever.weight(w) for w in words) or 1.0
    have = retriever.passage_tokens(best.passage_id)
    furniture = sum(
        retriever.weight(w)
        for w in words - have
        if w in retriever.furniture_words and not retriever.document_frequency(w)
    )
    if furniture / total >= settings.furniture_share:
        return "site_furniture"
    tags = list(question.tags or ())
    if any(_is_unknown_entity(w, tags, retriever, question.text) for w in question.unknown):
        return "unknown_name"
    if _unknown_role(question, retriever):
        return "attribute_missing"  # 特首是谁: a post the documents never name
    focus = _focus_word(tags, retriever.tokenizer.stopwords)
    if focus is not None and focus not in to_simplified(best.text):
        return "attribute_missing"
    answer = question.answer
    if answer is not None and answer.kind == "money" and not answer.spans(to_simplified(best.text)):
        return "attribute_missing"  # asks how much money; the passage gives no amount
    return "answered"


def _topic_words(question: Question) -> set[str]:
    """The words of ``question`` that say what it is about, not where or when: less its
    places, organisations and years (the setting) and their parts. Empty when it names no
    setting (then coverage alone decides)."""
    setting = [c for c in question.constraints if not ROLE_WORD.search(c)]  # (a post is asked)
    if not setting:
        return set()
    return {
        w
        for w in {*question.known, *question.unknown}
        if len(w) >= 2
        and not w.isdigit()
        and w not in _VAGUE
        and not any(w in c or c in w for c in setting)
    }


def _off_topic(retriever: Retriever, topic: set[str], best: Hit) -> bool:
    """Whether the best passage holds none of the ``topic`` words and the collection lacks
    most of them (by weight): the question shares its setting only (明天广州会下雨吗)."""
    if topic & retriever.passage_tokens(best.passage_id):
        return False
    unknown = sum(retriever.weight(w) for w in topic if not retriever.document_frequency(w))
    return unknown >= 0.5 * sum(retriever.weight(w) for w in topic)


# Words that ask about any topic (以前, 样子, 情况, 当时): not what a question is about.
# Written by us from general usage, not from any question set.
_VAGUE = frozenset(
    [
        "以前", "以后", "之前", "之后", "当时", "那时", "现在", "目前", "如今", "过去", "后来",
        "最近", "近来", "今天", "明天", "昨天", "样子", "情况", "怎样", "怎么样", "东西", "事情",
        "方面", "内容", "时候", "时间", "地方", "情形", "状况", "具体", "详细", "介绍", "知道",
        "了解", "请问", "告诉", "一下", "主要", "一些", "有关", "相关", "关于", "哪些", "什么样",
        "名字", "叫做",
    ]
)  # fmt: skip


def _unknown_role(question: Question, retriever: Retriever) -> bool:
    """Whether ``question`` asks who holds a post the collection never names, nor any part
    of it: a word it lacks right before a final 是谁 (香港特首而家系边个; not 创造者, which
    a passage may name by 创造)."""
    if question.answer is None or question.answer.kind != "person":
        return False
    return any(
        len(w) >= 2
        and not w.isascii()
        and not w.endswith(tuple(KINDS_OF_PEOPLE))  # (特邀嘉宾: a kind, not a post)
        and not _names_a_part(retriever, w)
        and re.search(re.escape(w) + _WHO_LAST, question.wording) is not None
        for w in question.unknown
    )


_WHO_LAST = rf"(?:现在|目前|如今|当时)?{WHO_ENDING}[呢啊呀吗嘛哦啦]?\W*$"


_HOW_MUCH = re.compile(r"^(?:多少|几)")
_NOUN_FLAGS = ("n", "nz", "nt", "vn", "ng", "l")


def _focus_word(tags: list[tuple[str, str]], stopwords: frozenset[str]) -> str | None:
    """The attribute a "<X>是多少" question asks the amount of, when it ends the question."""
    for i, (word, _) in enumerate(tags):
        if not _HOW_MUCH.match(word) or (i and tags[i - 1][0] == "哪"):
            continue
        rest = [w for w, f in tags[i + 1 :] if f not in ("x", "y", "ul", "uj") and w.strip()]
        before = [w for w, _ in tags[max(0, i - 2) : i]]
        if rest or not any(w in ("是", "为", "為") for w in before):
            return None
        for word2, flag in reversed(tags[:i]):
            if word2 in stopwords or word2 in ("是", "为", "為"):
                continue
            return word2 if flag in _NOUN_FLAGS and len(word2) >= 2 else None
    return None


def _is_unknown_entity(
    word: str, tags: list[tuple[str, str]], retriever: Retriever, text: str
) -> bool:
    """An out-of-vocabulary name: a Latin-script term with a capital letter (GDP, APEC,
    iPhone; not a stray "lol" or "from"), or a place/person/organisation that shares no word
    with the corpus (浙江省, 福建省), unlike 镇里 or 广东省委."""
    if re.fullmatch(r"[a-z][a-z0-9.+-]*", word):  # as written: GDP, APEC, iPhone (capitals)
        written = re.search(re.escape(word), unicodedata.normalize("NFKC", text), re.IGNORECASE)
        return len(word) >= 2 and written is not None and not written.group().islower()
    flag = dict(tags).get(word, "")
    if flag[:2] not in ("ns", "nr", "nt", "nz"):
        return False
    if _names_a_part(retriever, word):
        return False
    return len(word) >= 3 or not any(retriever.document_frequency(ch) for ch in word)


def _names_a_part(retriever: Retriever, word: str) -> bool:
    """Whether the collection has ``word`` or a part of it of two or more characters (书记 of
    副书记, 广东 of 广东省委)."""
    known = retriever.document_frequency
    return any(known(word[i:j]) for i in range(len(word)) for j in range(i + 2, len(word) + 1))
