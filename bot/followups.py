"""Completing follow-up questions ("那深圳呢？") from the previous question of a conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval import Question, Retriever
from retrieval.answer_type import asked_for, item_marks
from retrieval.normalization import to_simplified

# A question word of its own makes a question complete, not a follow-up (怎么做, 是谁, 吗).
_OWN_QUESTION = re.compile(r"什么|怎么|怎样|如何|多少|几|谁|哪|吗|为什么|是否")
_FOLLOWUP_FORM = re.compile(
    r"^(?:那|那么|那麼|还有|還有|再问|再問)?\s*(.{1,16}?)\s*呢\s*[?？!！。.]*$"
    r"|^(?:what|how)\s+about\s+(.{1,16}?)\s*[?？!！。.]*$",  # English: what about 小个专？
    re.IGNORECASE,
)
# Quotation marks carry no meaning for completion, and split a noun run in two (“邻里先锋”工作队).
_QUOTES = re.compile(r"[“”‘’「」『』\"'《》〈〉]")
_CLASS = {"ns": "place", "nr": "person", "t": "time", "m": "number"}
_NO_CLASS = ("x", "y", "r", "uj", "ul", "c", "p", "d", "eng")
Tags = list[tuple[str, str]]
_WHOLE_PLACE = re.compile(r"全[国省市区县镇村]|本[省市区县]")


# Sectors and kinds of place a question sets side by side (城市 and 农村, 机关 and 企业): one
# stands in for another, whatever jieba tags them (城市 ns, 农村 n). By us.
SECTORS = frozenset(
    ["城市", "农村", "城镇", "乡村", "城区", "郊区", "社区", "园区", "街道", "乡镇", "机关",
     "企业", "国企", "民企", "学校", "高校", "中小学", "中小学校", "医院", "事业单位"]
)  # fmt: skip


def _pos_class(word: str, flag: str) -> str | None:
    if flag in _NO_CLASS:
        return None
    if _WHOLE_PLACE.fullmatch(word):  # 全省, 全市: a place (广东全省 for 肇庆), not a thing
        return "place"
    if flag in ("zg", "g", "ng", "j") or (flag.startswith("n") and flag[:2] not in _CLASS):
        return "noun" if re.search(r"[\u4e00-\u9fff]", word) else None  # 村 zg, 党建 j
    return _CLASS.get(flag[:2]) or _CLASS.get(flag[:1]) or flag[:1]


def is_followup_form(question: Question) -> bool:
    """那…呢 / …呢？, or a question of at most one content word."""
    if _FOLLOWUP_FORM.match(question.text):
        return True
    return len(question.known) + len(question.unknown) <= 1


# Where a question's own asking starts (Simplified matching form; Cantonese 咩, 边个, 几多).
_ASKING = re.compile(
    r"什么|啥|咩|怎么|怎样|点样|如何|多少|多久|多长|多大|几|谁|边|哪|何时|为什么|是否|吗|时候"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A question that starts by pointing back (那个会, 这次, 嗰场): about the previous subject.
_POINTING = re.compile(r"^(?:那|这|該|该|嗰|呢)(?:个|個|次|场|場|些|位|项|項|件|份)?")
DETAIL_MAX_CHARS = 14
# Words that lead a follow-up on (具体是哪几次, 其中有多少): they say how, not what, it asks.
_DISCOURSE = frozenset(["具体", "详细", "其中", "另外", "分别", "主要", "大概", "一共", "总共"])
_AMONG = re.compile(r"^(?:这|那)?(?:其中|当中|里面|里头|之中)")
# A share of a total asked (区直占几个, 占多少, 占比): a part, wherever it stands.
_SHARE = re.compile(r"占了?(?:几|多少|几多|百分之|比|几成)|占比")
_NOT_SUBJECT = ("x", "y", "uj", "ul", "m", "q", "r", "e")  # marks, particles, numbers, pronouns


# Words pointing back to what the previous question was about (谁在会上讲话: at that
# meeting): where in it, not a thing of the follow-up's own to find. By us.
_BACK = frozenset(["会上", "会中", "会后", "会议上", "席间", "现场", "当天", "当时", "期间"])


def asked_words(question: Question) -> set[str]:
    """The words of ``question`` an answer to it should hold: not its question words."""
    words = {*question.known, *question.unknown}
    standard = question.wording
    return {  # nor what it asks for (哪个部门, 什么职务): the answer names one, not the word
        w
        for w in words
        if not _ASKING.fullmatch(w)
        and w not in _DISCOURSE
        and w not in _BACK
        and not asked_for(w, standard)
        and not (w.isascii() and w.isalpha() and _HAN.search(question.text))  # "what about"
    }


def names_a_part(text: str) -> bool:
    """Whether a completed question asks a part of a total (…单位其中区直的多少, …区直占几
    个), wherever it says so."""
    text = to_simplified(text)
    return "其中" in text or _SHARE.search(text) is not None


def asks_a_part(question: Question) -> bool:
    """Whether ``question`` asks about a part of what was asked before (其中区直机关有多少,
    区直占几个)."""
    text = to_simplified(question.text)
    return _AMONG.match(text) is not None or _SHARE.search(text) is not None


def without_subject(question: Question, retriever: Retriever) -> bool:
    """Whether ``question`` starts with its predicate (讲的什么主题？, 花了多少钱？): Chinese
    leaves out a subject the conversation already gave, so it is about the previous one."""
    text = to_simplified(question.text)
    pointing = _POINTING.match(text)
    if pointing:  # 那个会什么时候开的 (not 那两条睦邻廊道在哪: a subject of its own)
        asking = _ASKING.search(text, pointing.end())
        if asking and asking.start() - pointing.end() <= 2:
            return True
    tags = [(w, f) for w, f in retriever.tags(_QUOTES.sub("", question.text)) if w.strip()]
    return bool(tags) and tags[0][1][:1] == "v"


def detail_followup(question: Question, previous: str, retriever: Retriever) -> str | None:
    """A short question that names no place, organisation, post or year of its own and asks
    about a detail (队员一共多少人？, 讲的什么主题？, 开了多久？) of what the previous question
    was about: the previous question's subject (what it said before its own asking, less the
    verb that asked it) put in front. None when it is not such a question."""
    text = to_simplified(question.text)
    if len(text) > DETAIL_MAX_CHARS or not _ASKING.search(text):
        return None
    if question.constraints and not asks_a_part(question):  # (其中区直机关: a part, named)
        return None
    words = [  # the previous question less its asking: 搞过几次党内集中教育 -> 搞过党内集中教育
        (w, f)
        for w, f in retriever.tags(_QUOTES.sub("", to_simplified(previous)))
        if not _ASKING.search(w) and f not in _NOT_SUBJECT
    ]
    while words and words[-1][1][:1] not in ("n", "t") and words[-1][1] != "vn":  # a subject
        words.pop()  # ends with a noun or a time: 深圳大讲堂首期请了 -> 深圳大讲堂首期
    subject = "".join(w for w, _ in words)
    return subject + text if len(subject) >= 2 else None


@dataclass(frozen=True)
class Completion:
    """A follow-up put into the previous question; ``kept`` are the previous question's
    words it keeps beside the follow-up's own (the modifiers of a replaced head), which the
    answer must hold too; ``item`` the marks of the item of a list a follow-up asks for."""

    text: str
    kept: tuple[str, ...] = ()
    item: tuple[str, ...] = ()  # the marks of an item asked (四要, 四是, 第四), the first
    # passage holding one of them is judged first


def complete_followup(
    question: Question, previous: str, answered: bool, retriever: Retriever
) -> list[Completion]:
    """The previous question with this one put in (best guess first), or none if this is not
    a follow-up.

    A question counts as a follow-up by its form (那…呢, …呢？), or when it is short and
    fails on its own (``answered`` is False). What it names replaces, in the previous
    question, a word of the same length and last character (处级 for 局级), or else the last
    run of words of the same kind (a place for a place, a thing for a thing): a bare head of
    at most three characters replaces the run's head alone, keeping its modifiers (示范点 for
    品牌 in 机关党建品牌), and then the whole run. With no counterpart it is put in front.
    """
    text = question.text
    asks = _OWN_QUESTION.search(question.wording) is not None
    elliptical = len(text) <= 12 and not asks
    if not (is_followup_form(question) or (elliptical and not answered)):
        return []
    if asks and not _FOLLOWUP_FORM.match(text):  # 主题是什么？: a detail, not a replacement
        return []
    m = _FOLLOWUP_FORM.match(text)
    core = (m.group(1) or m.group(2)) if m else text
    core_tags = _content(retriever.tags(_QUOTES.sub("", core)), retriever)
    if not core_tags:
        return []
    old = retriever.tags(_QUOTES.sub("", to_simplified(previous)))
    own = _QUOTES.sub("", to_simplified(previous))
    found = [c for c in _replacements(core_tags, old) if c.text != own]
    return list({c.text: c for c in reversed(found)}.values())[::-1]  # first of each text


def _content(tags: Tags, retriever: Retriever) -> Tags:
    """``tags`` from their first content word to their last (那, 呢 and punctuation off)."""
    stopwords = retriever.stopwords
    content = [i for i, (w, f) in enumerate(tags) if _pos_class(w, f) and w not in stopwords]
    return tags[content[0] : content[-1] + 1] if content else []


def _replacements(core_tags: Tags, old: Tags) -> list[Completion]:
    """Ways of putting the follow-up's words into the previous question ``old``."""
    core = "".join(w for w, _ in core_tags)
    if _pos_class(*core_tags[-1]) != "place" and any(_pos_class(*t) == "place" for t in core_tags):
        old = [t for t in old if _pos_class(*t) != "place"]  # 那肇庆村的党群服务中心呢 after
        # a question about 深圳: the new place stands in for the old one as well

    def joined(start: int, end: int, kept: tuple[str, ...] = ()) -> Completion:
        words = [w for w, _ in old[:start]] + [core] + [w for w, _ in old[end + 1 :]]
        return Completion("".join(words), kept)

    out = [
        joined(i, i)
        for i, (w, f) in enumerate(old)
        if len(w) == len(core) >= 2 and w[-1] == core[-1] and w != core and f != "x"
    ][-1:]
    if core in SECTORS and core not in "".join(w for w, _ in old):  # 那农村呢 after 城市…: the
        # sector it stands beside (not when the question has it already: 机关 in 区直机关)
        out += [joined(i, i) for i, (w, _) in enumerate(old) if w in SECTORS and w != core][-1:]
    word, flag = core_tags[-1]
    kind = _pos_class(word, flag)
    same = [i for i, (w, f) in enumerate(old) if _pos_class(w, f) == kind]
    if not same:
        return out or [Completion(core + "".join(w for w, _ in old))]
    last = first = same[-1]
    while first - 1 in same:
        first -= 1
    if len(core_tags) == 1 and len(core) <= 3 and last > first:  # a bare head for a run's
        out.append(joined(last, last, tuple(w for w, _ in old[first:last])))
    out.append(joined(first, last))
    return out


_PRONOUN = re.compile(r"他们|她们|它们|佢哋|他|她|它|佢|此人|这个人|这位|该人")


def pronoun_followup(question: Question, person: str | None) -> Completion | None:
    """他是什么职务？ after an answer that named a person: the pronoun read as that person,
    whose name the answer must then hold. None when there is no such person or pronoun."""
    text = to_simplified(question.text)
    if not person or question.constraints or not _PRONOUN.search(text):
        return None
    return Completion(_PRONOUN.sub(person, text, count=1), kept=(person,))


# 第四点呢, 第二条是什么: an item of the list the previous answer gave (一要…四要…).
_ITEM = re.compile(r"^(?:那|那么|咁)?第([一二三四五六七八九十]|[1-9])")


def item_followup(question: Question, previous: str) -> Completion | None:
    """第四点呢 / 第二条是什么 after a question about a list (几点要求): the previous question,
    whose passages are searched for the one writing that item (四要, 四是, 第四, （四）).
    None when ``question`` asks no such item."""
    text = to_simplified(question.text)
    m = _ITEM.match(text)
    if m is None or len(text) > DETAIL_MAX_CHARS or question.constraints:
        return None
    return Completion(previous, item=item_marks(m.group(1)))


# 剩下的呢, 其余的有几个: the rest of a total after a part of it was asked.
_REST = re.compile(
    r"^(?:那|咁|那么)?(?:剩下|剩余|其余|其他|余下)(?:的|嘅)?(?:呢|是多少|有多少|有几个|几多|多少)?"
    r"[？?。!！]*$"
)


def rest_followup(question: Question, previous: str) -> Completion | None:
    """剩下的呢 after a question asking a part of a total (其中区直的多少): the previous
    question again, whose passage splits the total into its parts. None otherwise."""
    text = to_simplified(question.text).strip()
    if not _REST.match(text) or not names_a_part(previous):
        return None
    return Completion(previous)
