"""What kind of answer a question asks for, and whether a text carries one.

A question asking 多少所 wants "<number>所" in the answer, 哪一年 wants a year, 什么奖 wants a
word ending in 奖. This is used to prefer, among passages BM25 already found, those that can
answer, and to pick the best sentence. All matching is on the Simplified matching form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NEAR = 6  # characters between an answer and a question word for them to count as together

_NUM = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万零〇]+)"
_UNIT_CLASSES = ("人名位", "个个只支座", "万亿")

_HOW_MANY = re.compile(r"(?:多少|几多|几|多大|多长|多久|多高)([\u4e00-\u9fff]?)")
# Measure words that may follow 多少/几 (多少所, 几支); another character after 多少 is the
# start of a noun (多少资金, 多少党员), which says nothing about the unit.
_MEASURE_WORDS = frozenset(
    "个所名位人只支座条项件次场家户套篇部本张台辆期批届级种类处栋间层吨岁倍股团组队万亿元"
    "年月天周日号平米公轮回遍趟代"
)
_MONEY_Q = re.compile(r"多少钱|多少资金|多少经费|多少元|多少万元|多少亿元|花了多少|投入了?多少")
_MONEY = re.compile(r"\d+(?:\.\d+)?\s*[多余]?\s*(?:万|亿)?元")
_YEAR_RANGE_Q = re.compile(r"哪几年|哪些年|几年到几年|从哪年")
_YEAR_Q = re.compile(r"哪一?年|何年|哪年")
_DATE_Q = re.compile(r"哪一?天|哪日|几月几[日号]|什么时候|何时|什么时间|哪个月")
_WHAT_X = re.compile(r"(?:什么|哪个|哪一?种|哪类|何种)([\u4e00-\u9fff])")
_WHO_Q = re.compile(r"谁|哪位|哪些人")

_YEAR_RANGE = re.compile(r"\d{4}\s*[-—–~至到]\s*\d{2,4}")
_YEAR = re.compile(r"\d{4}年")
_DATE = re.compile(r"\d{1,2}月\d{1,2}[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月")
_ROLE = (
    r"(?:书记|部长|省长|市长|县长|区长|镇长|主任|局长|主席|院长|厅长|处长|校长|教授|研究员|记者"
    r"|通讯员|主持人|负责人|经理|董事长|总裁|总统|总理|首相|导演|作者)"
)
_PERSON = re.compile(rf"{_ROLE}[\u4e00-\u9fff]{{2,3}}|[\u4e00-\u9fff]{{2,3}}(?:同志|先生|女士)")
_NON_UNITS = set("的了是在和与年月日天号")
# A post the question names (副部长, 书记): an answer about another post answers something else.
ROLE_WORD = re.compile(
    r"副?(?:书记|部长|省长|市长|县长|区长|镇长|主任|局长|主席|院长|厅长|处长|校长)"
)
# Words jieba's dictionary tags as places or organisations that name a kind of place, not a
# place (written by us from that dictionary's tags, not from any question set).
GENERIC_PLACES = frozenset(
    [
        "东西",
        "城市",
        "地方",
        "地区",
        "国家",
        "全国",
        "全省",
        "全市",
        "全区",
        "全县",
        "世界",
        "各地",
        "本地",
        "当地",
        "外地",
        "基层",
        "农村",
        "城乡",
        "乡村",
        "社区",
        "中央",
        "地方政府",
        "政府",
        "首都",
        "省会",
        "边疆",
        "内地",
        "海外",
        "国内",
        "国外",
        "境内",
        "境外",
    ]
)
# A country is the wide setting of most of what a document says, which seldom names it.
COUNTRY = re.compile(r"[\u4e00-\u9fff]{1,6}国|中华人民共和国|台湾|中共")
_INTERROGATIVE = r"(?:什么|哪一|哪个|哪些|哪|那一|何)"


def asked_for(word: str, question: str) -> bool:
    """Whether ``word`` names what ``question`` asks for (哪一座城市, 什么东西) rather than
    what the answer must be about."""
    return re.search(rf"{_INTERROGATIVE}[\u4e00-\u9fff]?{re.escape(word)}", question) is not None


YEAR_NAMED = re.compile(r"((?:19|20)\d{2})\s*年(?!代)")


@dataclass(frozen=True)
class AnswerType:
    """The answer a question expects: a pattern an answering text must contain."""

    kind: str  # "number", "year", "year_range", "date", "thing", "person"
    pattern: re.Pattern[str] | None

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in self.pattern.finditer(text)] if self.pattern else []

    def support(self, text: str, words: Iterable[str], window: int = NEAR) -> int:
        """0 if ``text`` has no answer of this type; 1 if it has one; 2 if one stands within
        ``window`` characters of a question word (the answer is about what was asked)."""
        spans = self.spans(text)
        if not spans:
            return 0
        for word in words:
            if len(word) < 2:
                continue
            at = text.find(word)
            while at >= 0:
                if any(
                    start - window <= at + len(word) and at <= end + window for start, end in spans
                ):
                    return 2
                at = text.find(word, at + 1)
        return 1


def _unit_pattern(unit: str) -> str:
    for cls in _UNIT_CLASSES:
        if unit in cls:
            return f"[{cls}]"
    return re.escape(unit)


def expected_answer(question: str) -> AnswerType | None:
    """The answer type of ``question`` (in the matching form), or None if it does not tell."""
    if _YEAR_RANGE_Q.search(question):
        return AnswerType("year_range", _YEAR_RANGE)
    if _YEAR_Q.search(question):
        return AnswerType("year", _YEAR)
    if _DATE_Q.search(question):
        return AnswerType("date", _DATE)
    if _MONEY_Q.search(question):
        return AnswerType("money", _MONEY)
    m = _HOW_MANY.search(question)
    if m:
        unit = m.group(1)
        if unit and unit in _MEASURE_WORDS:
            return AnswerType(
                "number", re.compile(rf"{_NUM}\s*[多余]?\s*(?:万|亿)?{_unit_pattern(unit)}")
            )
        return AnswerType("number", re.compile(r"\d+(?:\.\d+)?\s*[多余]?\s*[万亿%]?"))
    m = _WHAT_X.search(question)
    if m and m.group(1) not in _NON_UNITS:
        return AnswerType("thing", re.compile(rf"[\u4e00-\u9fff]{re.escape(m.group(1))}"))
    if _WHO_Q.search(question):
        return AnswerType("person", _PERSON)
    return None
