"""What the best passage must hold for the kind of answer a question asks: a count in the
unit asked and next to what it counts, a year or a day, a place where something was held, a
person's name. Each check gives what is missing (empty when nothing is)."""

from __future__ import annotations

import re

from .answer_type import (
    HELD_VERB,
    MEASURE,
    NAME_ASKED,
    PEOPLE_NOUN,
    PEOPLE_WORD,
    counted_unit,
    people_in,
)
from .normalization import to_simplified
from .schema import Hit, Question
from .search import Retriever


def answer_missing(retriever: Retriever, question: Question, hit: Hit) -> tuple[str, ...]:
    """What ``question`` asks that ``hit`` (or its whole paragraph) does not give: a count
    in the asked unit and of the asked thing, a year or a day, where something was held, a
    person's name. Empty when it gives what is asked, or asks none of these."""
    text = to_simplified(hit.text)
    missing = _count_missing(retriever, question, text) or _amount_missing(question, text)
    answer = question.answer
    listed = answer is not None and _LIST_NOUN.fullmatch(answer.noun or answer.subject)
    if missing and listed and _enumerates(to_simplified(retriever.whole_paragraph(hit).text)):
        return ()  # 要做几件事: 一要…二要…四要 counts them
    if missing or answer is None:
        return missing
    if answer.kind in _WHEN:
        return _when_missing(question, retriever.whole_paragraph(hit).text, bool(hit.date))
    if answer.kind == "place":
        paragraph = to_simplified(retriever.whole_paragraph(hit).text)
        held = answer.spans(paragraph) or HELD_VERB.search(paragraph)
        return () if held else ("举办地点",)  # 在广州召开 (or 1911年还举行了: there)
    if _name_asked(question):
        paragraph = to_simplified(retriever.whole_paragraph(hit).text)
        return () if _names_a_person(retriever, question, paragraph) else ("姓名",)
    return ()


ATTACHED = 8  # characters between a count and the noun it counts

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


_DIMENSION_NAMES = (("面积", "面积"), ("平方", "面积"), ("亩", "面积"), ("占地", "面积"),
                    ("久", "时长"), ("时间", "时长"), ("耐", "时长"), ("岁", "年龄"),
                    ("年纪", "年龄"), ("年龄", "年龄"), ("次", "次数"))  # fmt: skip


def _what_is_counted(unit: str, noun: str) -> str:
    """How a near-miss reply names what was asked: 队员人数, 临时党支部数量, 长度, 时长."""
    if len(unit) > 1:  # a dimension (多长, 多久, 多少平方) or occurrences (人次)
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
    return () if _beside(text, words, spans) else (asked,)


# What a list of points counts (几件事, 几点要求, 哪几个方面): not a thing one can count
# otherwise (临时党支部). By us.
_LIST_NOUN = re.compile(
    r"事|事情|要求|措施|举措|任务|方面|原因|理由|目标|意见|建议|部署|重点|做法|经验|举动"
)
_ITEM_MARK = re.compile(
    r"(?:^|(?<=[。；;，,：:\s]))(?:([一二三四五六七八九十])[是要]|第([一二三四五六七八九十])|[（(]([一二三四五六七八九十])[）)])"
)


def _enumerates(text: str) -> bool:
    """Whether ``text`` lists items by number (一要…二要…, 一是…二是…, 第一…第二): how many
    there are is said by the list."""
    return len({"".join(m.groups(default="")) for m in _ITEM_MARK.finditer(text)}) >= 2


def _beside(text: str, words: list[str], spans: list[tuple[int, int]]) -> bool:
    """Whether one of ``words`` stands within ATTACHED characters of one of ``spans`` (a
    count or an amount) somewhere in ``text``: the figure is of that thing."""
    for word in words:
        at = text.find(word)
        while at >= 0:  # the word and the figure overlap a few characters' stretch
            if any(a - ATTACHED < at + len(word) and at < b + ATTACHED for a, b in spans):
                return True
            at = text.find(word, at + 1)
    return False


def _amount_missing(question: Question, text: str) -> tuple[str, ...]:
    """What a money question asks that ``text`` does not give: where ``text`` names the sum
    asked about (党内关爱资金), an amount next to it; the amounts of other sums in the same
    passage (300万元 of 办公经费) are not its amount."""
    answer = question.answer
    if answer is None or answer.kind != "money" or len(answer.subject) < 3:
        return ()
    named = [w for w in dict.fromkeys((answer.subject, answer.subject[-4:])) if w in text]
    if not named:
        return ()  # (a sum named otherwise: taken as paraphrased)
    return () if _beside(text, named, answer.spans(text)) else (answer.subject + "金额",)


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
    if noun in text[max(a - len(noun) - 4, 0) : b + len(noun) + 4]:
        return False  # 局级干部33人 for 多少个局级: its own
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
