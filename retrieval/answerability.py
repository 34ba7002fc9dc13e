"""Whether the best passages answer a question: the verdict and its reason."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .answer_checks import answer_missing
from .answer_type import KINDS_OF_PEOPLE, NAMED_ATTRIBUTE, ROLE_WORD, WHO_ENDING
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
    documents never have; not a Latin word in an aside of its own, nor a two-character word
    jieba takes for a name that begins with no surname); "constraint_unmet" (a near miss:
    the best passage is about something else than a place, organisation, post or year the
    question names, listed in ``missing``); "attribute_missing" (it asks how much an
    attribute is, or what a 主题 is, and the best passage does not name that attribute, or
    asks how much money and it gives no amount, or asks who holds a post the documents never
    name: 特首是谁);
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

    ``best`` is the position in the hits of the passage judged: 0, or, when the first is a
    near miss, the first of the next two that answers, shares nearly as much of the question
    and has an answer of the asked kind next to its words (肇庆呢 after a question about 广东
    keeps 广东's verb, and the first hit is 广东's), or shares less of it but has the count
    asked for attached to what it counts (党建品牌933个); and, for a question asking which N
    things, when the first answers in prose, the first of the next two that lists N of what
    is asked (横琴、前海、南沙三个重大合作平台).
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
    the first of the next that answers and shares nearly as much of the question (or less,
    with the count asked for attached to what it counts); for which N things, a next one
    listing them, after a first that answers in prose."""
    settings = settings or JudgeSettings()
    if not hits:
        return Verdict(False, "no_match")
    verdict = _judge_one(retriever, question, hits[0], settings)
    if verdict.reason in ("constraint_unmet", "answer_missing"):
        for i in _rivals(retriever, question, hits, verdict.coverage):
            other = _judge_one(retriever, question, hits[i], settings)
            if other.answered:
                return replace(other, best=i)
    if verdict.answered and _unlisted(retriever, question, hits[0]):
        for i in _rivals(retriever, question, hits, verdict.coverage, listed=True):
            same = hits[i].doc == hits[0].doc  # (a place the first meets is its document's)
            other = _judge_one(retriever, question, hits[i], settings, met=same)
            if other.answered:
                return replace(other, best=i)
    return verdict


def _unlisted(retriever: Retriever, question: Question, hit: Hit) -> bool:
    """Whether ``question`` asks which N things and ``hit`` does not list N of them before
    a question word (it may tell of them in prose: 横琴岛…前海…南沙)."""
    answer = question.answer
    if answer is None or answer.kind != "list":
        return False
    return answer.support(retriever.passage_norm(hit.passage_id), question.known) < 3


def _judge_one(
    retriever: Retriever,
    question: Question,
    hit: Hit,
    settings: JudgeSettings,
    met: bool = False,
) -> Verdict:
    """The verdict on ``hit`` alone as an answer to ``question``; with ``met``, its
    constraints are taken as met (by another passage of its document)."""
    coverage = retriever.coverage(question, hit.passage_id)
    reason = _reason(retriever, question, hit, coverage, settings)
    if reason == "answered":
        missing = () if met else retriever.unmet(question, hit)
        if missing:
            return Verdict(False, "constraint_unmet", coverage, missing, hit)
        missing = answer_missing(retriever, question, hit)
        if missing:
            return Verdict(False, "answer_missing", coverage, missing, hit)
        topic = _topic_words(question)
        if topic and coverage < OFF_TOPIC_COVERAGE and _off_topic(retriever, topic, hit):
            return Verdict(False, "low_coverage", coverage)  # 明天广州会下雨吗: the place only
        if topic and _elsewhere(retriever, question, topic, hit):
            return Verdict(False, "low_coverage", coverage)  # 广宁县…初心堂: the place only
    return Verdict(reason == "answered", reason, coverage)


RIVALS = 3  # hits looked at when the first is a near miss
RIVAL_COVERAGE = 0.8  # the share of the first's coverage one of them must have
ATTACHED_RIVAL_COVERAGE = 0.6  # or, with the count attached to what it counts (品牌933个)
LIST_RIVAL_COVERAGE = 0.4  # or, after a first that answers in prose, with the list asked for


def _rivals(
    retriever: Retriever,
    question: Question,
    hits: Sequence[Hit],
    coverage: float,
    listed: bool = False,
) -> list[int]:
    """The positions of the next hits that hold nearly as much of the question as the first
    and, for a question asking a kind of answer, have one next to a question word (104个镇街
    党校), or hold less of it but a count attached to what it counts (党建品牌933个): those
    worth judging when the first is a near miss. With ``listed``, only those listing what
    is asked for (support 3), at the lowest share."""
    answer, words = question.answer, question.known
    found = []
    for i in range(1, min(RIVALS, len(hits))):
        text = retriever.passage_norm(hits[i].passage_id)
        support = answer.support(text, words) if answer is not None and answer.pattern else 2
        share = ATTACHED_RIVAL_COVERAGE if support == 3 else RIVAL_COVERAGE
        share = LIST_RIVAL_COVERAGE if listed else share
        least = 3 if listed else 2
        if support < least or retriever.coverage(question, hits[i].passage_id) < share * coverage:
            continue
        found.append(i)
    return found


OFF_TOPIC_COVERAGE = 0.35  # above it a question sharing only its setting is still judged on
_LATIN = re.compile(r"[a-z][a-z0-9.+-]*")  # a Latin-script word, in the matching form
LATIN_ASIDE = 0.5  # the share of the Chinese words' weight the passage holds for a Latin
# word the documents lack to be an aside rather than what is asked


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
        if len(w) >= 2 and w in retriever.furniture_words and not retriever.document_frequency(w)
    )
    if furniture / total >= settings.furniture_share:
        return "site_furniture"
    tags = list(question.tags or ())
    unknown = question.unknown
    if any(
        _is_unknown_entity(w, tags, retriever, question.text)
        for w in unknown
        if not (_LATIN.fullmatch(w) and _latin_aside(retriever, question, have))
    ):
        return "unknown_name"

    if _unknown_role(question, retriever):
        return "attribute_missing"  # 特首是谁: a post the documents never name
    focus = _focus_word(tags, retriever.tokenizer.stopwords)
    if focus is not None and focus not in to_simplified(best.text):
        return "attribute_missing"
    named = NAMED_ATTRIBUTE.search(question.wording)  # 主题是什么: a passage giving one names it
    if named and named.group(1) not in to_simplified(retriever.whole_paragraph(best).text):
        return "attribute_missing"
    answer = question.answer
    if answer is not None and answer.kind == "money" and not answer.spans(to_simplified(best.text)):
        return "attribute_missing"  # asks how much money; the passage gives no amount
    return "answered"


_CLAUSE = re.compile(r"[，。？！；：,.?!;:\s]+")
ASIDE_HAN = 4  # at most this many Chinese characters in a Latin word's clause for an aside


def _in_own_clause(question: Question) -> bool:
    """Whether each Latin word of ``question`` stands in a short clause of its own (写report
    要用, 要做PPT), not in the clause that asks (深圳党群服务中心有WiFi吗)."""
    text = unicodedata.normalize("NFKC", question.text).lower()
    latin = [w for w in question.unknown if _LATIN.fullmatch(w)]
    clauses = [c for c in _CLAUSE.split(text) if c]
    return all(any(w in c and len(_HAN.findall(c)) <= ASIDE_HAN for c in clauses) for w in latin)


_HAN = re.compile(r"[\u4e00-\u9fff]")


def _latin_aside(retriever: Retriever, question: Question, have: frozenset[str]) -> bool:
    """Whether the question's Latin words are an aside (…？我做PPT要用): each stands in a
    short clause of its own, what the question asks about is in Chinese, beyond the place or
    year it names, and the passage holds most of that (by weight) and more than the Latin
    words weigh. Not so for 深圳的GDP是多少, iPhone 15 Pro几钱 or 有WiFi吗, where the Latin
    words are what is asked."""
    topic = {
        w
        for w in (*question.known, *question.unknown)
        if len(w) >= 2
        and not _LATIN.fullmatch(w)
        and not w.isdigit()
        and w not in _VAGUE
        and not any(w in c for c in question.constraints)  # (nor 港澳 of 粤港澳)
    }
    total = sum(retriever.weight(w) for w in topic)
    held = sum(retriever.weight(w) for w in topic & have)
    latin = sum(retriever.weight(w) for w in question.unknown if _LATIN.fullmatch(w))
    if not (total > 0 and held >= max(LATIN_ASIDE * total, latin)):
        return False
    return _in_own_clause(question) or _counts_a_chinese_noun(question, have)


def _counts_a_chinese_noun(question: Question, have: frozenset[str]) -> bool:
    """Whether ``question`` counts a thing named in Chinese that the passage names, so a
    Latin word in its clause glosses rather than asks (KPI一共设了几个一级指标)."""
    answer = question.answer
    if answer is None or answer.kind != "number":
        return False
    noun = answer.noun or answer.subject
    pairs = {"#" + noun[i : i + 2] for i in range(len(noun) - 1)}
    if not pairs or _LATIN.search(noun) or not pairs <= have:
        return False
    text = unicodedata.normalize("NFKC", question.text).lower()
    latin = [w for w in question.unknown if _LATIN.fullmatch(w)]
    return all(re.search(re.escape(w) + _GLOSS_NEXT, text) for w in latin)


# What follows a Latin word that glosses (KPI设了几个, KPI一共, KPI里): a verb or a mark, not
# a noun it restricts (OA系统, ChatGPT在广西).
_GLOSS_NEXT = r"(?:[设有是共里中，,。？?、\s]|一共|总共|$)"


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


def _elsewhere(retriever: Retriever, question: Question, topic: set[str], best: Hit) -> bool:
    """Whether ``question`` counts a thing the collection names, and the best passage holds
    none of the ``topic`` words: it shares the question's setting only, and the thing
    counted is in other passages (广宁县有多少个初心堂: a passage naming 广宁县's 红色村).
    (Holding none of the counted noun's words alone was too strict: paraphrased counts.)"""
    answer = question.answer
    if answer is None or answer.kind != "number" or len(answer.noun) < 2:
        return False
    have = retriever.passage_tokens(best.passage_id)
    return (
        not topic & have
        and answer.noun in topic
        and all(retriever.document_frequency(w) for w in topic)
    )


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
    if _LATIN.fullmatch(word):  # as written: GDP, APEC, iPhone (capitals)
        written = re.search(re.escape(word), unicodedata.normalize("NFKC", text), re.IGNORECASE)
        return len(word) >= 2 and written is not None and not written.group().islower()
    flag = dict(tags).get(word, "")
    if flag[:2] not in _NAME_FLAGS:
        return False
    if flag in ("nr", "nrfg") and (len(word) < 2 or (len(word) == 2 and word[0] not in SURNAMES)):
        return False  # 列明, a lone 唐: jieba's guess at a name; no name is so
    if (
        flag == "nr"
        and len(word) == 3
        and word[0] not in SURNAMES
        and _common_head(retriever, word)
    ):
        return False  # 香蕉林: a common word (香蕉) and one more character, not 诸葛亮 or 特朗普
    if _names_a_part(retriever, word):
        return False
    return len(word) >= 3 or not any(retriever.document_frequency(ch) for ch in word)


# The common Chinese surnames (about 150 cover nearly every person): a two-character word
# jieba tags as a person's name that begins with none of them is most likely a word it did
# not know (列明). Longer names (诸葛亮, 特朗普) are names whatever they begin with.
# Written by us from general knowledge of Chinese names, in the matching form (Simplified).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝习萧楼栗冼丘鄂"
    "阙仝"
)


def _common_head(retriever: Retriever, word: str) -> bool:
    """Whether the first two characters of ``word`` are one common noun (香蕉 n), as a
    compound surname (诸葛, 欧阳), a transliteration (特朗) or a verb (进贤) is not, its
    last is no place's or facility's ending (宝应县, 幼儿园), and the dictionary counts the
    whole seldom (花木兰 is a name)."""
    if word[-1] in _PLACE_ENDS or retriever.tokenizer.frequency(word) >= RARE_NAME:
        return False  # 宝应县, 幼儿园: a place or a facility; 花木兰: a well-known name
    tags = retriever.tags(word[:2])
    return len(tags) == 1 and tags[0] == (word[:2], "n")


_NAME_FLAGS = ("nr", "ns", "nt", "nz")
RARE_NAME = 20  # jieba's dictionary counts a real name (花木兰 272) more often than a compound
# it lists as one (香蕉林 5)
_PLACE_ENDS = frozenset("省市县区镇乡村屯庄湖河江山峡岛园馆港湾")


def _names_a_part(retriever: Retriever, word: str) -> bool:
    """Whether the collection has ``word`` or a part of it of two or more characters (书记 of
    副书记, 广东 of 广东省委)."""
    known = retriever.document_frequency
    return any(known(word[i:j]) for i in range(len(word)) for j in range(i + 2, len(word) + 1))
