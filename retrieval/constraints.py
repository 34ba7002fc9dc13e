"""What a question names that an answer must be about, and whether a passage is about it.

A question that names a place, organisation, post or year (its ``Question.constraints``) is
answered by a passage about that, not about another: the search prefers such passages and the
verdict calls a best passage about something else a near miss.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from .answer_type import (
    COUNTRY,
    GENERIC_PLACES,
    PER_TIER,
    PERIOD,
    PERIOD_FAMILIES,
    POST,
    RANK,
    ROLE_WORD,
    SESSION,
    TIER_GROUP,
)
from .normalization import to_simplified
from .schema import Hit, Question

PLACE_SUFFIX = re.compile(r"(?:壮族自治区|自治区|特别行政区|省|市|县|区)$")


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:\s*[-—–~至到]\s*((?:19|20)?\d{2}))?(?!\d)")
ANY_YEAR = re.compile(_YEAR.pattern + r"\s*年")  # a year or a range named as such: 2018-2020年
_ASIDE = re.compile(r"[(（][^()（）]{1,8}[)）]")  # a short aside in brackets: (党委), (街道)
_DIGITS = "零一二三四五六七八九"
_HAN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=年)")


def arabic_years(text: str) -> str:
    """Years written in Chinese numerals as digits: 二〇二四年 -> 2024年."""
    digit = {**{c: str(i) for i, c in enumerate(_DIGITS)}, "〇": "0", "○": "0"}
    return _HAN_YEAR.sub(lambda m: "".join(digit[c] for c in m.group()), text)


def _names_year(text: str, year: int) -> bool:
    """Whether ``text`` names ``year``, alone or inside a range (2018-2020年)."""
    for m in _YEAR.finditer(text):
        start = int(m.group(1))
        end = m.group(2)
        last = int(end) if end and len(end) == 4 else start // 100 * 100 + int(end or start % 100)
        if start <= year <= max(start, last):
            return True
    return False


def _latest_period(text: str) -> int:
    """The first year of the latest period ``text`` names (2021 of 2018-2020年 and
    2021—2023年; 2023 of 2019年 and 2023年)."""
    latest = (0, 0)
    for m in _YEAR.finditer(text):
        start, end = int(m.group(1)), m.group(2)
        last = int(end) if end and len(end) == 4 else start // 100 * 100 + int(end or start % 100)
        latest = max(latest, (max(start, last), start))
    return latest[1]


def _ordinal_forms(word: str) -> tuple[str, ...]:
    """第二期 as it may be written: 第二期, 第2期, and 首期 for 第一期."""
    number, unit = word[1:-1], word[-1]
    if number.isdigit() and int(number) < 10:
        number = _DIGITS[int(number)]
    forms = [f"第{number}{unit}"]
    if number in _DIGITS:
        forms.append(f"第{_DIGITS.index(number)}{unit}")
    if number == "一":  # 首期, and 首个 / 首次 / 首届 for any first one
        forms += [f"首{unit}", "首个", "首次", "首届", "第一"]
    return tuple(forms)


def _post_of_place(word: str, context: str, named: Callable[[str], bool]) -> bool:
    """Whether ``context`` names the post ``word`` (广州市委书记) as the post of its place:
    the place ``named`` (in the passage or as what its document is about), and the post
    (市委书记) not right after the name of another place (深圳市委书记)."""
    post = POST.search(word)
    place = word[: post.start()] if post else ""
    if not post or not place or not named(place):
        return False
    if ROLE_WORD.fullmatch(post.group()):  # 武汉大学校长: the place and 校长 both named
        return post.group() in context
    level = _LEVEL_DEPARTMENT.match(post.group())
    if level:  # 省委组织部部长: 组织部部长 with 省委 just before it (省委常委、组织部部长)
        rest = post.group()[2:]
        at = context.find(rest)
        while at >= 0:
            if level.group(1) in context[max(0, at - 8) : at]:
                return True
            at = context.find(rest, at + 1)
        return False
    at = context.find(post.group())
    tier = post.group()[0] in _TIERS  # 镇党委书记 in 乡镇党委书记: the same tier, not a place
    while at >= 0:
        before = context[at - 1 : at]
        if not _HAN_BEFORE.search(before) or context.endswith(place, 0, at):
            return True
        if tier and before in _TIERS:
            return True
        at = context.find(post.group(), at + 1)
    return False


_LEVEL_DEPARTMENT = re.compile(r"([省市县区]委)(?:组织部|宣传部|统战部|政法委)")
_TIERS = "省市县区镇乡村"
_SPAN = re.compile(r"(\d{4})-(\d{4})")  # a span of years the question names
# A place inside a city (南山区, 广宁县, 某某镇, 某某街道; not 自治区, a province).
_SUB_PLACE = re.compile(r"(?<!自治)[区县镇乡村]$|街道$|社区$")
# A district or county by its name (龙岗区, 宝应县), not a kind of area (街道社区, 商业园区).
DISTRICT = re.compile(
    r"[\u4e00-\u9fff]{2,3}(?<![社小园城景片辖地山市郊厂校矿牧林灾新老特开全本])[区县]"
)
_TIER_CLASS = {  # the tier a figure per unit is of (每个乡镇(街道) is one tier)
    "乡": "镇", "镇": "镇", "乡镇": "镇", "街道": "镇", "镇街": "镇", "村": "村", "社区": "村",
    "县": "县", "区": "县", "市": "市", "省": "省",
}  # fmt: skip
_TIER_RUN = re.compile(r"([省市县区镇乡村]{2,})[两二三四五六\d]级")  # 市县镇村四级
# Provinces and regions by their one-character names, as they stand in runs (粤桂, 粤港澳).
PROVINCE_SHORT = {
    "广东": "粤", "广西": "桂", "湖南": "湘", "湖北": "鄂", "福建": "闽", "江西": "赣",
    "香港": "港", "澳门": "澳", "海南": "琼", "北京": "京", "天津": "津", "河北": "冀",
    "云南": "滇", "贵州": "黔", "四川": "川", "重庆": "渝", "上海": "沪", "江苏": "苏",
    "浙江": "浙", "安徽": "皖", "山东": "鲁", "河南": "豫", "山西": "晋", "陕西": "陕",
    "甘肃": "陇", "台湾": "台", "西藏": "藏",
}  # fmt: skip
_SHORT_RUN = re.compile(f"[{''.join(PROVINCE_SHORT.values())}]{{2,}}")


def _short_runs(text: str) -> list[str]:
    """Runs of two or more one-character province names (粤桂, 粤港澳, 京津冀 less 冀)."""
    return _SHORT_RUN.findall(text)


_WHICH = re.compile(r"哪|边")
_HAN_BEFORE = re.compile(r"[\u4e00-\u9fff]$")


def _same_tier(asked: str, named: Iterable[str | None]) -> bool:
    """Whether the tiers ``named`` (None for no tier) include ``asked``'s (乡镇 for 镇,
    街道), or are none at all."""
    tiers = {_TIER_CLASS[t] for t in named if t}
    return not tiers or _TIER_CLASS[asked] in tiers


def _same_group(asked: re.Match[str], context: str) -> bool:
    """Whether ``context`` names the tiered group ``asked`` (村干部: 村干部 or 社区干部;
    市直: 市直), or no group of its kind at all."""
    if asked.group(1):  # cadres of a tier: 乡镇 and 街道 are one tier
        return _same_tier(asked.group(1), (m.group(1) for m in TIER_GROUP.finditer(context)))
    runs = "".join(m.group(2) for m in TIER_GROUP.finditer(context) if m.group(2))  # 省市直
    return not runs or any(tier in runs for tier in asked.group(2))


def place_forms(word: str) -> tuple[str, ...]:
    """How a text may name the place ``word``: itself, and without 省/市/县 when two or more
    characters stay (广东 for 广东省)."""
    stem = PLACE_SUFFIX.sub("", word)
    return (word, stem) if len(stem) >= 2 else (word,)


_NUMERALS = "一二三四五"


def _ranked_noun(wording: str, rank: str) -> str:
    """A pattern for the first character of what the question ranks (三级指标 -> 指), or ""
    when nothing follows the rank (二级呢): 区、市、县三级机关 is not a 三级指标."""
    m = re.search(re.escape(rank) + r"[“”「」『』\"'\s]*([\u4e00-\u9fff])", wording)
    if m is None or m.group(1) in "的呢吗啊呀吧了是有":
        return ""
    return r"[“”「」『』\"'\s]*" + re.escape(m.group(1))  # (四级“初心堂”)


def setting(word: str) -> bool:
    """A word that names a kind of place (城市), or a country: the setting, not a constraint."""
    return word in GENERIC_PLACES or COUNTRY.fullmatch(word) is not None


def unmet(
    question: Question,
    hit: Hit,
    about: frozenset[str] = frozenset(),
    rivals: frozenset[str] = frozenset(),
    document: str = "",
    places: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """The question's constraints that ``hit`` does not satisfy: it is about something else.

    A place, organisation or post is satisfied when the passage, its document's title or
    source, or what the document is about (``about``) names it (a compound such as 广东省委
    by its parts), or when its document is not about another place or organisation
    (``rivals``: what its title names and what several of its passages name, less the
    question's own words and settings); a district or county named with its city (深圳南山区)
    must be named itself. A year is satisfied when the passage or title names
    it or the document is dated in it; in an undated document, unless the document names
    other years and never this one (``document``: its whole text), or the passage names no
    year and this one is before the document's latest period (2018 where it recalls
    2018-2020 and reports on 2021-2023), or the question asks for a count or an amount and
    the passage names another year and not this one (its figures are another year's; a
    range counts for every year in it). A span of years the question names (2018-2020) is met
    as any year of it is. A place in a series (第二期) is
    satisfied only where it is named (首期 for 第一期); so are a rank of cadres (处级), a
    numbered rank where it ranks what the question's does (三级指标, not 三级机关) and a
    session (十三届三次全会). A period (去年, 上半年) is satisfied where named, or where the
    passage names no other period of its kind. A figure per unit of a tier (每个村) and a
    tier's group (村干部, 市直) are satisfied where the passage names that tier's, or none of
    any tier (每个乡镇(街道) and 乡镇干部 are another tier's)."""
    context = arabic_years(
        to_simplified(" ".join(x for x in (hit.text, hit.title, hit.source) if x))
    )
    context += " " + _ASIDE.sub("", context)  # 党组(党委)书记 names 党组书记 too
    words = set(question.known) | set(question.unknown)
    table = places or {}
    provinces = {  # the one-character names of the provinces the question names, or of its cities
        PROVINCE_SHORT.get(table.get(w) or w, "") for w in words if w in table
    } - {""}
    other_names = any(r not in words and not setting(r) for r in rivals)
    long = [w for w in question.known if len(w) >= 2 and not RANK.fullmatch(w)]
    tiers = [c for c in question.constraints if RANK.fullmatch(c) and c[0] in _TIERS]
    within = [c for c in question.constraints if c in table]  # the cities and provinces named

    def named(word: str) -> bool:
        stem = PLACE_SUFFIX.sub("", word)
        if any(form in context or form in about for form in place_forms(word)):
            return True
        short = PROVINCE_SHORT.get(stem)  # 粤桂合作 names 广西 when the question names 广东
        return short is not None and any(  # (or 肇庆) too: a pair that is about both
            short in run and set(run) - {short} <= provinces for run in _short_runs(context)
        )

    def satisfied(word: str) -> bool:
        span = _SPAN.fullmatch(word)
        if span:  # 2018-2020: any year of it
            first, last = int(span.group(1)), int(span.group(2))
            return any(satisfied(str(y)) for y in range(first, min(last, first + 20) + 1))
        if word.isdigit():  # a year: this one named or dated, or none other named
            if _names_year(context, int(word)):
                return True
            if hit.date:
                return word in context or hit.date.startswith(word)
            if document and _YEAR.search(document) and not _names_year(document, int(word)):
                return False  # a document of other years: it says nothing of this one
            yearless = document and not _YEAR.search(arabic_years(hit.text))
            if yearless and int(word) < _latest_period(document):  # a passage naming no year
                return False  # is about the document's latest period, not one it recalls
            counted = question.answer is not None and question.answer.kind in ("number", "money")
            return (
                not counted
                or _names_year(context, int(word))
                or not _YEAR.search(arabic_years(hit.text))
            )
        if word.startswith("第"):  # a place in a series: this one (首期 is 第一期)
            return any(form in context for form in _ordinal_forms(word))
        if RANK.fullmatch(word) and word[0] in _TIERS:  # 村级: named, or the tier right
            # before what the question asks about (村(社区)党群服务中心, 市县领导干部), or, for a
            # question spanning tiers (从市一级到村一级), a run of them (市县镇村四级), or,
            # for a question asking which one is of the tier, one named (连樟村党总支部)
            if word in context or any(word[0] + w in context for w in long):
                return True
            if any(re.search(f"{word[0]}[{_TIERS}街]{re.escape(w)}", context) for w in long):
                return True  # 镇街党校 for 镇一级的党校: the tier in a pair of tiers
            if _WHICH.search(question.wording) and re.search(
                rf"[\u4e00-\u9fff]{{2,4}}{word[0]}(?=党|委|[，、。,])", context
            ):
                return True
            return len(tiers) >= 2 and any(
                all(t[0] in m.group(1) for t in tiers) for m in _TIER_RUN.finditer(context)
            )
        group = TIER_GROUP.fullmatch(word)
        if group:  # 村干部 is not 乡镇干部, nor 市直 区直, where the passage names such a group
            return _same_group(group, context)
        if word.startswith("每个") and word[2:] in _TIER_CLASS:  # a figure per 村 is not one
            # per 乡镇, where the passage gives one
            return _same_tier(
                word[2:], (m.group(1) or m.group(2) for m in PER_TIER.finditer(context))
            )
        if RANK.fullmatch(word) and word[0] in _NUMERALS:  # 三级指标: of the noun it ranks
            return (
                re.search(re.escape(word) + _ranked_noun(question.wording, word), context)
                is not None
            )
        if RANK.fullmatch(word) or SESSION.fullmatch(word):  # this rank, this session, named
            return word in context
        if PERIOD.fullmatch(word):  # this period named, or none other of its kind
            family = next(f for f in PERIOD_FAMILIES if any(p in word for p in f))
            return word in context or not any(p in hit.text for p in family)
        if ROLE_WORD.search(word):  # a post: this one named (市委书记 is not 省委书记)
            return named(word) or _post_of_place(word, context, named)
        if named(word):
            return True
        if not other_names and not (_SUB_PLACE.search(word) and any(named(o) for o in within)):
            return True  # (深圳南山区: 南山区 is not met by a passage about all 深圳)
        halves = ((word[:i], word[i:]) for i in range(2, len(word) - 1))
        return any(named(a) and named(b) for a, b in halves)

    return tuple(word for word in question.constraints if not satisfied(word))
