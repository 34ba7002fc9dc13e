"""Scrape artifacts out, metadata in: general rules for scraped Chinese news pages.

Every rule here is written for the next scraped article too: nothing refers to a particular
file. The entry point is :func:`clean_document`; each rule is also a function of its own so
that it can be tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PLAIN_OF = str.maketrans(
    _TONED + "ü", "aaaaeeeeiiiioooouuuu" + "vvvv" + "v"
)  # tone-marked vowel -> plain letter, ü -> v
_PINYIN_SYLLABLE = re.compile(
    r"^(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn"
    r"|ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v)$"
)
_PINYIN_ANNOTATION = re.compile(rf"(?<=[^\sA-Za-z0-9(（])[(（]\s*([a-z{_TONED}ü]{{1,7}})\s*[)）]")


def is_pinyin_syllable(word: str) -> bool:
    """True for one tone-marked pinyin syllable such as ``qiáng`` or ``lǜ``."""
    if not any(ch in _TONED for ch in word):
        return False
    return bool(_PINYIN_SYLLABLE.match(word.translate(_PLAIN_OF)))


def strip_pinyin(text: str) -> str:
    """Drop inline pinyin annotations: 加強(qiáng) -> 加強, 會(huì)議 -> 會議.

    Only a tone-marked syllable in round brackets right after a Han character counts, so
    ``(2021-2023)``, ``(黨組)`` or ``(café)`` stay.
    """

    def keep_or_drop(m: re.Match[str]) -> str:
        return "" if is_pinyin_syllable(m.group(1)) else m.group(0)

    return _PINYIN_ANNOTATION.sub(keep_or_drop, text)


_CJK_CONTEXT = rf"[{HAN}\u3000-\u303f\uff00-\uffef“”‘’「」『』《》]"
_PAUSE = "，,、"
_STOPS = "。！？；：!?;"


def fix_punctuation(text: str) -> str:
    """Repair doubled or stray punctuation left by the scrape.

    ",," -> one comma; ",、" and "、," -> "、"; a comma right before a stop ("，。") goes;
    an ASCII comma between Chinese text becomes a full-width one.
    """
    text = re.sub(r"([,，])(?:\s*[,，])+", r"\1", text)
    text = re.sub(r"[,，]\s*、|、\s*[,，]", "、", text)
    text = re.sub(rf"[{_PAUSE}]+\s*(?=[{_STOPS}])", "", text)
    text = re.sub(r"、{2,}", "、", text)
    text = re.sub(rf"(?<={_CJK_CONTEXT}),|,(?={_CJK_CONTEXT})", "，", text)
    return text


_QUESTION_CUES = "吗嗎呢么麼谁誰哪几幾何怎啥"


def restore_middle_dot(text: str) -> str:
    """Put back a middle dot that the scrape turned into "?".

    ``7?9`` -> ``7·9``; ``喜迎二十大?建功新時代`` -> ``喜迎二十大·建功新時代``. A "?" after a
    question word (吗, 呢, 什么, 哪 ...) is a real question mark and becomes "？".
    """
    text = re.sub(r"(?<=\d)\?(?=\d)", "·", text)

    def between_han(m: re.Match[str]) -> str:
        before = text[max(0, m.start() - 4) : m.start()]
        return "？" if any(cue in before for cue in _QUESTION_CUES) else "·"

    return re.sub(rf"(?<=[{HAN}])\?(?=[{HAN}])", between_han, text)


def clean_line(text: str) -> str:
    """Apply the in-line rules: pinyin, middle dots, punctuation, stray whitespace."""
    text = text.replace("\u00a0", " ").replace("\u3000", " ").strip()
    text = strip_pinyin(text)
    text = restore_middle_dot(text)
    text = fix_punctuation(text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


# --- line classification -------------------------------------------------------------------

_SHARE_WIDGET = re.compile(
    r"^(?:分享到?(?:\s*[-:：]?\s*(?:微信|微博|QQ空间|QQ空間|QQ|朋友圈))?|微信|微博|QQ空间|QQ空間|QQ"
    r"|朋友圈|[Xx×✕]|\d{1,3}|打印|關閉|关闭|收藏|返回顶部|返回頂部|【?字号.*|【?字號.*)$"
)
_BREADCRUMB = re.compile(r"^(?:[^\s>›»]{1,12}\s*[>›»]\s*)+[^\s>›»]{1,20}$")
_PAGE_JUMP = re.compile(r"(?:下转|下轉|转下|轉下|上接|接上)\s*(?:第\s*)?\d{1,3}\s*版|[▲▼△▽]+")
_PHOTO_CREDIT = re.compile(
    r"(?:\s(?:摄|攝)|(?:供图|供圖|摄影|攝影|资料图|資料圖|图片来源|圖片來源)[)）]?)$"
)
_CAPTION_CUE = re.compile(r"^(?:图为|圖為|图：|圖：|上图|下图|上圖|下圖)|(?:图为|圖為)")
_SCENE_CAPTION = re.compile(r"^[^。，,；！？]{2,24}(?:现场|現場|合影|剪影)$")
_COPYRIGHT = re.compile(
    r"版权声明|版權聲明|免责声明|免責聲明|版权与免责|版權與免責|版权所有|版權所有"
)
_CONTACT = re.compile(
    r"^(?:联系人|聯繫人|聯系人|联系电话|聯繫電話|电话|電話|邮箱|郵箱|e-?mail|地址)\s*[:：]"
    r"|(?:联系人|聯繫人)\s*[:：].{0,40}(?:电话|電話)",
    re.IGNORECASE,
)
_ICP = re.compile(r"ICP\s*(?:备|備|证|證)|公网安备|公網安備", re.IGNORECASE)
_POWERED = re.compile(r"powered\s+by", re.IGNORECASE)
_RELATED = re.compile(
    r"^(?:相关推荐|相關推薦|相关阅读|相關閱讀|热门推荐|熱門推薦|延伸阅读|延伸閱讀|责任编辑|責任編輯"
    r"|上一篇|下一篇|上一條|下一條|上一条|下一条)"
)
# An editor's credit standing alone: "（责任编辑：李娜）", "(編輯：趙敏)".
_EDITOR_CREDIT = re.compile(r"^[（(]\s*(?:责任编辑|責任編輯|编辑|編輯)\s*[:：]\s*\S{1,12}\s*[)）]$")
_NAV_BAR = re.compile(r"^(?:[^|｜]{1,12}[|｜]\s*){3,}[^|｜]{0,12}$")
_NUMBERED_MARKER = re.compile(r"^\(?\d{1,2}[.、．)）]$")


def is_boilerplate(line: str) -> bool:
    """True for a whole line that is page furniture rather than article text."""
    if not line:
        return True
    if _SHARE_WIDGET.match(line) or _NUMBERED_MARKER.match(line):
        return True
    if len(line) <= 60 and _BREADCRUMB.match(line):
        return True
    if _ICP.search(line) or _POWERED.search(line) or _NAV_BAR.match(line):
        return True
    if _RELATED.match(line) or _CONTACT.search(line) or _EDITOR_CREDIT.match(line):
        return True
    return is_caption(line)


def is_caption(line: str) -> bool:
    """True for a photo caption or credit ("…。盧文斐 攝", "图为…", "新聞發布會現場")."""
    if len(line) > 160:
        return False
    return bool(
        _PHOTO_CREDIT.search(line) or _CAPTION_CUE.search(line) or _SCENE_CAPTION.match(line)
    )


def strip_page_jumps(line: str) -> str:
    """Remove print-edition jump markers such as 下转03版▲▲上接01版."""
    return _PAGE_JUMP.sub("", line).strip()


# --- metadata ------------------------------------------------------------------------------

_DATE_FIELD = re.compile(
    r"(?:发布时间|發佈時間|發布時間|发布日期|發布日期|發佈日期|时间|時間|日期)\s*[:：]\s*"
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})"
)
_DATELINE = re.compile(r"^\D{0,20}?(\d{4})年(\d{1,2})月(\d{1,2})日")
_SOURCE_FIELD = re.compile(
    r"(?:信息来源|信息來源|来源|來源|出处|出處)\s*[:：]\s*([^|｜\s“”\"'、，,。]{2,30}?)"
    r"(?=作者|记者|記者|编辑|編輯|责任|責任|$|[|｜\s“”\"'、，,。])"
)
_META_LINE = re.compile(
    r"(?:发布时间|發佈時間|發布時間|发布日期|發布日期|信息来源|信息來源)\s*[:：]"
)
_SOURCE_AUTHOR = re.compile(r"(?:来源|來源)\s*[:：].{0,30}(?:作者|记者|記者)\s*[:：]")
_AUTHOR_LINE = re.compile(
    r"^(?P<outlet>[^\s:：]{0,12}?)(?:记者|記者|通讯员|通訊員|作者|撰稿|编辑|編輯)\s*[:：]?\s*\S{2,4}"
)
_OUTLET = re.compile(
    r"^(.{2,10}?(?:日报|日報|晚报|晚報|报|報|杂志|雜誌|新闻网|新聞網|网|網|社|台))"
)


@dataclass
class CleanDocument:
    """A scraped document after cleaning: metadata and the article's paragraphs."""

    title: str
    paragraphs: list[str]
    date: str | None = None
    source: str | None = None
    author: str | None = None
    headings: set[int] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)  # the page furniture taken out
    # The lines that say when, where and by whom it was published (发布时间 | 信息来源, a
    # byline), kept as the article's last passage: "这篇文章哪天发的？ 记者是谁？"
    card: str | None = None


def find_date(lines: list[str]) -> str | None:
    """ISO date from a 发布时间 field, or from a dateline that carries a year."""
    for line in lines:
        m = _DATE_FIELD.search(line) or _DATELINE.match(line)
        if m:
            year, month, day = (int(g) for g in m.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def find_source(lines: list[str]) -> str | None:
    """The 信息来源 field, else the outlet named in an author line or a photo credit."""
    for line in lines:
        m = _SOURCE_FIELD.search(line)
        if m:
            return m.group(1)
    for line in lines:
        if len(line) <= 60 and (_AUTHOR_LINE.match(line) or _PHOTO_CREDIT.search(line)):
            m = _OUTLET.match(line.split()[-1] if _PHOTO_CREDIT.search(line) else line)
            if m:
                return m.group(1)
    return None


def is_meta_line(line: str) -> bool:
    """A 发布时间 / 信息来源 field line ("2023-12-18 10:05 来源：黑龙江日报 作者：刘冬")."""
    return len(line) <= 80 and bool(_META_LINE.search(line) or _SOURCE_AUTHOR.search(line))


def is_author_line(line: str) -> bool:
    """A byline such as "西江日报记者 陆志锋 通讯员 赵祖轩"."""
    return (
        len(line) <= 40 and not re.search(r"[。，,；！？]", line) and bool(_AUTHOR_LINE.match(line))
    )


def is_heading(line: str) -> bool:
    """A section heading: short, no sentence punctuation; or a short lead-in ending in a dash."""
    if len(line) > 40:
        return False
    if line.endswith(("—", "——")) and not line.endswith(("。—", "。——")):
        return True
    return not re.search(r"[。；！？!?;，,:：]", line)


def find_title(lines: list[str]) -> int | None:
    """Index of the headline: an early short line, before the first long paragraph."""
    for i, line in enumerate(lines[:6]):
        if len(line) >= 100:
            return None
        if 8 <= len(line) <= 100 and not line.endswith(("。", "；", "：", ":")):
            return i
    return None


def fallback_title(paragraph: str) -> str:
    """A title made from the first sentence when the page has no headline line."""
    first = re.split(r"[。！？!?]", paragraph, maxsplit=1)[0]
    first = re.sub(r"^\d{1,2}月\d{1,2}日[，,]?", "", first)
    return first if len(first) <= 40 else first[:39] + "…"


def footer_start(lines: list[str]) -> int:
    """Where a copyright/disclaimer block begins, if it sits in the last third of the page."""
    for i, line in enumerate(lines):
        if (
            _COPYRIGHT.search(line)
            and i >= len(lines) * 2 // 3
            and (len(line) <= 40 or line.startswith(("版权", "版權", "免责", "免責")))
        ):
            return i
    return len(lines)


def clean_document(raw: str) -> CleanDocument:
    """Turn a scraped page into a title, metadata and clean paragraphs."""
    lines = [strip_page_jumps(clean_line(line)) for line in raw.splitlines()]
    lines = [line for line in lines if line]
    date = find_date(lines[:12])
    footer = footer_start(lines)
    removed = lines[footer:]
    lines = lines[:footer]
    source = find_source(lines[:12])
    author = next((line for line in lines[:12] if is_author_line(line)), None)
    body = []
    for line in lines:
        if is_boilerplate(line) or _META_LINE.search(line) or line == author:
            removed.append(line)
        else:
            body.append(line)
    title_at = find_title(body)
    if title_at is not None:
        title, body = body[title_at], body[title_at + 1 :]
        body = [line for line in body if line != title]
    else:
        title = fallback_title(body[0]) if body else ""
    headings = {i for i, line in enumerate(body) if is_heading(line)}
    card = publication_card(lines[:12])
    return CleanDocument(title, body, date, source, author, headings, removed, card)


def publication_card(head: list[str]) -> str | None:
    """The publication lines among the first lines of a page (发布时间 / 信息来源 fields, a
    byline), joined, or None when it has none."""
    found = [  # (not an editor's credit at the foot of a short page: 责任编辑：李娜)
        line
        for line in head
        if is_meta_line(line) or (is_author_line(line) and not re.search("[编編]輯|编辑", line))
    ]
    return "\n".join(dict.fromkeys(found)) or None
