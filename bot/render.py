"""Answer -> what people see: console text (colour or plain), Telegram HTML and JSON.

Every phrase shown to a person is here, and all conversion into the asker's script: the
service hands over passages as their documents write them, and the words to highlight.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import opencc

from retrieval import Document, DocumentInfo, Origin
from retrieval.normalization import Script, matching_form_with_map
from retrieval.normalization import to_script as to_script  # all display conversion goes here

from .service import MAX_QUESTION_CHARS, Answer, Citation, Source

# The OpenCC configs the installed package ships (its data folder).
OPENCC_CONFIGS = tuple(sorted(name.removesuffix(".json") for name in opencc.CONFIGS))


@dataclass(frozen=True)
class DisplaySettings:
    """The OpenCC configs that show text in an asker's script ([answer] traditional and
    simplified); text already in that script is shown exactly as written."""

    traditional: str = "s2tw"
    simplified: str = "t2s"

    def __post_init__(self) -> None:
        for name in ("traditional", "simplified"):
            value = getattr(self, name)
            if value not in OPENCC_CONFIGS:
                raise ValueError(
                    f"{name} must be one of the OpenCC configs {', '.join(OPENCC_CONFIGS)}, "
                    f"got {json.dumps(value, ensure_ascii=False)}"
                )

    def show(self, text: str, script: Script) -> str:
        """``text`` in ``script`` with this config (unchanged if already in it)."""
        return to_script(
            text, script, self.traditional if script == "traditional" else self.simplified
        )


DEFAULT_DISPLAY = DisplaySettings()

TELEGRAM_LIMIT = 4096

# Fixed phrases, written in Simplified; shown converted to the asker's script.
PHRASES = {
    "answer": "答：",
    "sources": "出处",
    "not_found": "文档中没有找到能回答这个问题的内容。",
    "no_such": "文档里没有关于{missing}的这项内容。",
    "nearest": "最接近的是另一回事（仅供参考）：",
    "covers": "现有文档讲的是：",
    "and_more": "……共 {n} 篇文档（/about 或 :docs 查看全部）。",
    "rephrase": "可以换个说法，或问得更具体些。",
    "near": "最接近的段落（仅供参考）：",
    "understood": "理解为：",
    "empty": "请输入一个问题。",
    "too_long": "问题太长了（最多 {limit} 个字），请精简后再问。",
    "not_chinese": "这些文档都是中文的，请用中文提问（简体、繁体都可以）。",
    "paragraph": "第{n}段",
    "page": "第{n}页",
    "also_in": "亦见",
    # Telegram
    "intro": "你好！我会从下面这些文档里找出回答你问题的句子和段落，并注明出处。",
    "how": "直接发送问题即可，简体、繁体都可以。在群组里请 @我、回复我，或用 /ask 问题。",
    "examples": "可以试试（点按即可复制）：",
    "commands": "/help 使用说明 · /about 文档列表 · /ask 问题 · /original 上一个回答的原文",
    "refused": "抱歉，这个机器人只对授权的用户开放。",
    "admin_only": "这个命令只有管理员可以使用。",
    "slow_down": "问得太快啦，请稍等一会儿再问。",
    "non_text": "我只能回答文字问题，请用文字提问。",
    "expired": "这个按钮已过期，请重新提问。",
    "no_more": "没有更多段落了。",
    "apology": "抱歉，出了点问题，请稍后再试。",
    "reindexing": "正在重建索引……",
    "reindexed": "索引已更新：{documents} 篇文档，{passages} 个段落。",
    "reindex_busy": "已经在重建索引了，请稍候。",
    "ask_usage": "用法：/ask 你的问题",
    "more": "更多",
    "original": "原文",
    "no_previous": "还没有可以显示原文的回答。",
    "upload_refused": "抱歉，你不能向这个机器人添加文档；可以直接提问。",
    "upload_too_big": "文件太大（{mb} MB）：Telegram 只允许机器人下载 20 MB 以内的文件。",
    "upload_reading": "正在读取《{name}》……",
    "upload_indexing": "正在建立索引……",
    "upload_skipped": "没能加入《{name}》：{why}",
    "upload_added": "已加入《{title}》",
    "upload_facts": "{date} · {format} · {passages} 个段落",
    "upload_try": "可以试着问：",
    "no_date": "无日期",
    "passages": "{n} 段",
    "page_of": "第 {page}/{pages} 页",
    "previous_page": "上一页",
    "next_page": "下一页",
    "remove_pick": "要删除哪篇文档？",
    "remove_confirm": "确定要删除《{title}》吗？",
    "remove_yes": "删除",
    "remove_no": "取消",
    "removed": "已删除《{title}》，现有 {documents} 篇文档。",
    "remove_cancelled": "已取消，没有删除任何文档。",
    "remove_unknown": "没有找到文档「{name}」。发送 /remove 可以从列表里选。",
}


MAX_LISTED = 8  # documents named in a "not found" reply; the rest are counted


def phrase(key: str, script: Script, **values: object) -> str:
    return to_script(PHRASES[key].format(**values), script)


@dataclass(frozen=True)
class Style:
    """How to mark highlighted words and escape text for one medium."""

    mark: Callable[[str], str]
    escape: Callable[[str], str]
    # (escaped text, url) -> a link; None where the medium has none: the address is written out
    link: Callable[[str, str], str] | None = None


PLAIN = Style(lambda s: f"«{s}»", lambda s: s)
ANSI = Style(lambda s: f"\033[1;33m{s}\033[0m", lambda s: s)
HTML = Style(
    lambda s: f"<b>{s}</b>",
    lambda s: html.escape(s, quote=False),
    lambda text, url: f'<a href="{html.escape(url, quote=True)}">{text}</a>',
)


def marked(text: str, spans: Iterable[tuple[int, int]], style: Style) -> str:
    """``text`` with ``spans`` marked, every piece escaped for the medium."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos or end > len(text):
            continue
        out.append(style.escape(text[pos:start]))
        out.append(style.mark(style.escape(text[start:end])))
        pos = end
    out.append(style.escape(text[pos:]))
    return "".join(out)


def cite(source: Source, script: Script, display: DisplaySettings = DEFAULT_DISPLAY) -> str:
    """《title》 · date · source · section · 第2页 ¶N (plain text, without the web address)"""
    parts = [f"《{display.show(source.title, script)}》"]
    if source.date:
        parts.append(source.date)
    if source.source:
        parts.append(display.show(source.source, script))
    if source.section and source.section != source.title:
        parts.append(display.show(source.section, script))
    where = f"¶{source.paragraph}"
    if source.page is not None:
        where = f"{phrase('page', script, n=source.page)} {where}"
    parts.append(where)
    return " · ".join(parts)


def cited(
    source: Source, script: Script, style: Style, display: DisplaySettings = DEFAULT_DISPLAY
) -> str:
    """:func:`cite` escaped for ``style``, the title a link to the web page it came from."""
    text = style.escape(cite(source, script, display))
    if not source.url:
        return text
    if style.link is None:
        return f"{text} · {source.url}"
    title = style.escape(f"《{display.show(source.title, script)}》")
    return text.replace(title, style.link(title, source.url), 1)


def citation_header(
    citation: Citation, script: Script, style: Style, display: DisplaySettings = DEFAULT_DISPLAY
) -> str:
    first, *others = citation.sources
    text = cited(first, script, style, display)
    if others:
        also = "；".join(
            # the same title again says nothing: the document's own name tells them apart
            style.escape(f"{s.doc} ¶{s.paragraph}") if s.title == first.title
            else cited(s, script, style, display)
            for s in others
        )  # fmt: skip
        text += style.escape(f"（{phrase('also_in', script)}：") + also + style.escape("）")
    return text


def document_line(
    document: Document, script: Script, display: DisplaySettings = DEFAULT_DISPLAY
) -> str:
    """《title》 · date · source"""
    source = document.source and display.show(document.source, script)
    parts = [f"《{display.show(document.title, script)}》"]
    return " · ".join(parts + [x for x in (document.date, source) if x])


def document_list(
    documents: Sequence[Document], script: Script, display: DisplaySettings = DEFAULT_DISPLAY
) -> list[str]:
    return [
        f"《{display.show(d.title, script)}》" + (f"（{d.date}）" if d.date else "")
        for d in documents
    ]


def document_json(doc: DocumentInfo, origins: Sequence[Origin]) -> dict[str, Any]:
    """One line of `docbot docs --json`."""
    origin = next((o for o in origins if o.key == doc.origin), None)
    return {
        "name": doc.name,
        "title": doc.title,
        "date": doc.date,
        "format": doc.format,
        "passages": doc.passages,
        "source": origin.label if origin else None,
        "source_location": origin.location if origin else None,
        "path": doc.path,
        "url": doc.url,
    }


def documents_text(origins: Sequence[Origin], documents: Sequence[DocumentInfo]) -> str:
    """`docbot docs`: each source, then its documents (title, date, format, passages, name)."""
    lines: list[str] = []
    groups = [(o.label, o.location, [d for d in documents if d.origin == o.key]) for o in origins]
    strays = [d for d in documents if d.origin not in {o.key for o in origins}]
    if strays:
        groups.append(("(no source)", "", strays))
    for label, location, docs in groups:
        where = f" ({location})" if location and location != label else ""
        lines.append(f"{label}{where}: {len(docs)} document{'' if len(docs) == 1 else 's'}")
        for d in docs:
            facts = [d.date or "no date", d.format or "?", f"{d.passages} passages", d.name]
            lines.append(f"  《{d.title}》 · " + " · ".join(facts))
    total = sum(d.passages for d in documents)
    plural = "" if len(documents) == 1 else "s"
    lines.append(f"{len(documents)} document{plural}, {total} passages in all.")
    return "\n".join(lines)


def shown(
    text: str,
    answer: Answer,
    display: DisplaySettings = DEFAULT_DISPLAY,
    original: bool = False,
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A passage or sentence as shown to the asker of ``answer`` (or as its document writes
    it, with ``original``), and the spans of the question words in it."""
    text = text if original else display.show(text, answer.script)
    return text, highlight_spans(text, answer.words)


def answer_blocks(
    answer: Answer,
    documents: Sequence[Document],
    style: Style,
    original: bool = False,
    first_number: int = 1,
    with_sentence: bool = True,
    display: DisplaySettings = DEFAULT_DISPLAY,
) -> list[str]:
    """The answer as blocks (best sentence, then one block per citation), never split inside."""
    s = answer.script
    if answer.problem == "empty":
        return [style.escape(phrase("empty", s))]
    if answer.problem == "too_long":
        return [style.escape(phrase("too_long", s, limit=MAX_QUESTION_CHARS))]
    if answer.problem == "not_chinese":
        return [style.escape(phrase("not_chinese", s))]
    blocks: list[str] = []
    if answer.understood_as:
        understood = phrase("understood", s) + display.show(answer.understood_as, s)
        blocks.append(style.escape(understood))
    if answer.nearest is not None:  # a near miss: say what the documents do have, as such
        missing = "、".join(display.show(m, s) for m in answer.missing)
        nearest = marked(*shown(answer.nearest.text, answer, display), style)
        cited_at = cited(answer.nearest.source, s, style, display)
        head = style.escape(phrase("no_such", s, missing=missing) + phrase("nearest", s))
        blocks.append(f"{head}\n{nearest}\n    —— {cited_at}")
        return blocks
    if not answer.answered:
        lines = [phrase("not_found", s), phrase("covers", s)]
        titles = document_list(documents, s, display)
        lines += [f"· {d}" for d in titles[:MAX_LISTED]]
        if len(titles) > MAX_LISTED:
            lines.append(phrase("and_more", s, n=len(titles)))
        lines.append(phrase("rephrase", s))
        blocks.append("\n".join(style.escape(line) for line in lines))
        return blocks
    if answer.sentence is not None and with_sentence:
        sentence = answer.sentence
        cited_at = cited(sentence.source, s, style, display)
        text = marked(*shown(sentence.text, answer, display), style)
        blocks.append(f"{style.escape(phrase('answer', s))}{text}\n    —— {cited_at}")
    for n, citation in enumerate(answer.citations, start=first_number):
        header = citation_header(citation, s, style, display)
        text = marked(*shown(citation.text, answer, display, original), style)
        blocks.append(f"[{n}] {header}\n    {text}")
    return blocks


def console_text(
    answer: Answer,
    documents: Sequence[Document],
    colour: bool,
    original: bool = False,
    display: DisplaySettings = DEFAULT_DISPLAY,
) -> str:
    style = ANSI if colour else PLAIN
    return "\n\n".join(answer_blocks(answer, documents, style, original, display=display))


def answer_json(answer: Answer, display: DisplaySettings = DEFAULT_DISPLAY) -> dict[str, Any]:
    """The answer as `docbot ask --json` prints it: passages in their documents' own script,
    the answering sentence in the asker's."""

    def passage(c: Citation) -> dict[str, Any]:
        first = c.sources[0]
        return {
            "doc": first.doc,
            "title": first.title,
            "date": first.date,
            "source": first.source,
            "paragraph": first.paragraph,
            "page": first.page,
            "section": first.section,
            "url": first.url,
            "passage_id": first.passage_id,
            "score": round(c.score, 6),
            "text": c.text,
            "also_in": [s.doc for s in c.sources[1:]],
        }

    sentence = answer.sentence
    return {
        "question": answer.question,
        "answered": answer.answered,
        "script": answer.script,
        "answer": (
            {
                "sentence": display.show(sentence.text, answer.script),
                "doc": sentence.source.doc,
                "paragraph": sentence.source.paragraph,
            }
            if sentence
            else None
        ),
        "passages": [passage(c) for c in answer.citations],
        "near_misses": [passage(c) for c in answer.near_misses],
        "coverage": round(answer.coverage, 4),
        "understood_as": answer.understood_as,
        "problem": answer.problem,
        "reason": answer.reason,
        "nearest": (
            {
                "sentence": display.show(nearest.text, answer.script),
                "doc": nearest.source.doc,
                "paragraph": nearest.source.paragraph,
                "missing": list(answer.missing),
            }
            if (nearest := answer.nearest)
            else None
        ),
    }


def split_messages(blocks: Sequence[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pack blocks into messages of at most ``limit`` characters, splitting only between blocks.

    A single block longer than the limit is cut at a line or sentence end outside any tag.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        for piece in _fit(block, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages


def _fit(block: str, limit: int) -> list[str]:
    """Cut an over-long HTML block at safe points (outside tags and entities)."""
    if len(block) <= limit:
        return [block]
    pieces: list[str] = []
    while len(block) > limit:
        cut = _safe_cut(block, limit)
        pieces.append(block[:cut])
        block = block[cut:]
    if block:
        pieces.append(block)
    return pieces


def _safe_cut(text: str, limit: int) -> int:
    """Where to cut ``text`` at or before ``limit``: outside any tag, entity or <b> element,
    preferably right after a sentence end or a line break."""
    safe = sentence = 0
    depth = 0
    in_tag = in_entity = False
    for i, ch in enumerate(text[: limit + 1]):
        if not in_tag and not in_entity and depth == 0:
            if i < limit:
                safe = i
            if i > 0 and text[i - 1] in "。！？；\n":
                sentence = i
        if ch == "<":
            in_tag = True
            depth += -1 if text.startswith("</", i) else 1
        elif ch == ">":
            in_tag = False
        elif ch == "&":
            in_entity = True
        elif ch == ";":
            in_entity = False
    return max(sentence or safe, 1)


def highlight_spans(text: str, words: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Spans of ``text`` to mark, found on its matching form and mapped back.

    Matching is done on the folded Simplified form; an offset map carries each match to the
    characters of ``text`` it came from, also where the conversion changed the length.
    """
    norm, mapping = matching_form_with_map(text)
    spans: list[tuple[int, int]] = []
    for word in words:
        start = norm.find(word)
        while start >= 0:
            spans.append(mapping.span(start, start + len(word)))
            start = norm.find(word, start + len(word))
    return tuple(_merge(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- Telegram ------------------------------------------------------------------------------

TELEGRAM_EXAMPLES = (
    "肇庆一共建成了多少个初心堂？",
    "深圳建了多少個暖蜂驛站？",
    "廣東駐鎮幫扶幫了幾個鄉鎮？",
)
# The menu Telegram shows beside the message box (setMyCommands): (command, description).
TELEGRAM_COMMANDS = (
    ("start", "开始：能问什么、怎么问"),
    ("help", "使用说明"),
    ("about", "文档列表"),
    ("ask", "提问（在群组里用：/ask 问题）"),
    ("original", "上一个回答的原文"),
)
TELEGRAM_ADMIN_COMMANDS = (
    ("stats", "每天的提问和未找到统计（管理员）"),
    ("reindex", "重新读取文档、更新索引（管理员）"),
    ("remove", "删除一篇文档（管理员）"),
)


@dataclass(frozen=True)
class InlineResult:
    """One result of an inline query: what the list shows, and the HTML it inserts."""

    title: str
    description: str
    html: str


def telegram_welcome(
    documents: Sequence[Document], script: Script, display: DisplaySettings = DEFAULT_DISPLAY
) -> str:
    """/start and /help: what the bot knows, how to ask, examples to copy, the commands."""
    titles = document_list(documents, script, display)
    lines = [phrase("intro", script)] + [f"· {d}" for d in titles]
    lines += ["", phrase("how", script), phrase("examples", script)]
    escaped = [HTML.escape(line) for line in lines]
    escaped += [f"<code>{HTML.escape(to_script(e, script))}</code>" for e in TELEGRAM_EXAMPLES]
    return "\n".join([*escaped, "", HTML.escape(phrase("commands", script))])


def telegram_document_list(
    documents: Sequence[tuple[Document, int]],
    script: Script,
    display: DisplaySettings = DEFAULT_DISPLAY,
    page: int = 0,
    pages: int = 1,
) -> str:
    """/about: one line per document (title, date, source, format) with its passage count;
    which page this is when there are several."""
    lines = [
        HTML.escape(" · ".join(filter(None, [document_line(d, script, display), d.format])))
        + f"（{phrase('passages', script, n=n)}）"
        for d, n in documents
    ]
    if pages > 1:
        lines.append(HTML.escape(phrase("page_of", script, page=page + 1, pages=pages)))
    return "\n".join(lines) or "—"


def telegram_upload_added(
    doc: Document, passages: int, examples: Sequence[str], script: Script,
    display: DisplaySettings = DEFAULT_DISPLAY,
) -> str:  # fmt: skip
    """What the bot says when a document sent to it is indexed: its title, date, format and
    passage count, and (when there are) that the buttons below are questions to try."""
    facts = phrase(
        "upload_facts", script, date=doc.date or phrase("no_date", script),
        format=doc.format or "?", passages=passages,
    )  # fmt: skip
    lines = [phrase("upload_added", script, title=display.show(doc.title, script)), facts]
    lines += [phrase("upload_try", script)] if examples else []
    return "\n".join(HTML.escape(line) for line in lines)


def telegram_answer(
    answer: Answer,
    documents: Sequence[Document],
    original: bool = False,
    first_number: int = 1,
    with_sentence: bool = True,
    display: DisplaySettings = DEFAULT_DISPLAY,
) -> list[str]:
    """The answer as Telegram HTML messages, each within Telegram's length limit."""
    blocks = answer_blocks(answer, documents, HTML, original, first_number, with_sentence, display)
    return split_messages(blocks)


def telegram_inline_results(
    answer: Answer, display: DisplaySettings = DEFAULT_DISPLAY
) -> list[InlineResult]:
    """An answered question's citations as inline results, the first carrying the best sentence."""
    results = []
    for n, citation in enumerate(answer.citations if answer.answered else ()):
        source = cite(citation.sources[0], answer.script, display)
        best = answer.sentence.text if (answer.sentence and n == 0) else citation.text
        best, text = display.show(best, answer.script), display.show(citation.text, answer.script)
        # Cut before escaping, so that no entity is cut in half (a message holds 4096 characters).
        body = f"{HTML.escape(best[:3800])}\n—— {HTML.escape(source)}"
        results.append(InlineResult(source[:100], text[:120], body))
    return results


def telegram_preformatted(text: str) -> str:
    """Text whose columns must line up (/stats), in a fixed-width block."""
    return f"<pre>{HTML.escape(text)}</pre>"
