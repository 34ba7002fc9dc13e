"""Answer -> text for people: the console (colour or plain) and Telegram HTML."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from retrieval import Document
from retrieval.normalization import Script, convert

from .service import Answer, Citation, Source

TELEGRAM_LIMIT = 4096

# Fixed phrases, written in Simplified; shown converted to the asker's script.
PHRASES = {
    "answer": "答：",
    "sources": "出处",
    "not_found": "文档中没有找到能回答这个问题的内容。",
    "covers": "现有文档讲的是：",
    "rephrase": "可以换个说法，或问得更具体些。",
    "near": "最接近的段落（仅供参考）：",
    "understood": "理解为：",
    "empty": "请输入一个问题。",
    "too_long": "问题太长了（最多 {limit} 个字），请精简后再问。",
    "paragraph": "第{n}段",
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
}


def phrase(key: str, script: Script, **values: object) -> str:
    text = PHRASES[key].format(**values)
    return convert(text, "s2t") if script == "traditional" else text


@dataclass(frozen=True)
class Style:
    """How to mark highlighted words and escape text for one medium."""

    mark: Callable[[str], str]
    escape: Callable[[str], str]


PLAIN = Style(lambda s: f"«{s}»", lambda s: s)
ANSI = Style(lambda s: f"\033[1;33m{s}\033[0m", lambda s: s)
HTML = Style(lambda s: f"<b>{s}</b>", lambda s: html.escape(s, quote=False))


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


def cite(source: Source, script: Script) -> str:
    """《title》 · date · source · ¶N"""
    title = convert(source.title, "s2t" if script == "traditional" else "t2s")
    parts = [f"《{title}》"]
    if source.date:
        parts.append(source.date)
    if source.source:
        parts.append(convert(source.source, "s2t" if script == "traditional" else "t2s"))
    parts.append(f"¶{source.paragraph}")
    return " · ".join(parts)


def citation_header(citation: Citation, script: Script) -> str:
    first, *others = citation.sources
    text = cite(first, script)
    if others:
        text += (
            f"（{phrase('also_in', script)}：" + "；".join(cite(s, script) for s in others) + "）"
        )
    return text


def document_line(document: Document, script: Script) -> str:
    """《title》 · date · source"""
    conv = "s2t" if script == "traditional" else "t2s"
    parts = [f"《{convert(document.title, conv)}》"]
    parts += [x for x in (document.date, document.source and convert(document.source, conv)) if x]
    return " · ".join(parts)


def document_list(documents: Sequence[Document], script: Script) -> list[str]:
    conv = "s2t" if script == "traditional" else "t2s"
    return [
        f"《{convert(d.title, conv)}》" + (f"（{d.date}）" if d.date else "") for d in documents
    ]


def answer_blocks(
    answer: Answer,
    documents: Sequence[Document],
    style: Style,
    original: bool = False,
    first_number: int = 1,
    with_sentence: bool = True,
) -> list[str]:
    """The answer as blocks (best sentence, then one block per citation), never split inside."""
    s = answer.script
    if answer.problem == "empty":
        return [style.escape(phrase("empty", s))]
    if answer.problem == "too_long":
        from .service import MAX_QUESTION_CHARS

        return [style.escape(phrase("too_long", s, limit=MAX_QUESTION_CHARS))]
    blocks: list[str] = []
    if answer.understood_as:
        blocks.append(
            style.escape(
                phrase("understood", s)
                + convert(answer.understood_as, "s2t" if s == "traditional" else "t2s")
            )
        )
    if not answer.answered:
        lines = [phrase("not_found", s), phrase("covers", s)]
        lines += [f"· {d}" for d in document_list(documents, s)]
        lines.append(phrase("rephrase", s))
        blocks.append("\n".join(style.escape(line) for line in lines))
        return blocks
    if answer.sentence is not None and with_sentence:
        sent = answer.sentence
        blocks.append(
            style.escape(phrase("answer", s))
            + marked(sent.text, sent.highlights, style)
            + "\n    —— "
            + style.escape(cite(sent.source, s))
        )
    for n, citation in enumerate(answer.citations, start=first_number):
        text = citation.original if original else citation.text
        spans = () if original else citation.highlights
        blocks.append(
            f"[{n}] "
            + style.escape(citation_header(citation, s))
            + "\n    "
            + marked(text, spans, style)
        )
    return blocks


def console_text(
    answer: Answer, documents: Sequence[Document], colour: bool, original: bool = False
) -> str:
    return "\n\n".join(answer_blocks(answer, documents, ANSI if colour else PLAIN, original))


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
)


@dataclass(frozen=True)
class InlineResult:
    """One result of an inline query: what the list shows, and the HTML it inserts."""

    title: str
    description: str
    html: str


def telegram_welcome(documents: Sequence[Document], script: Script) -> str:
    """/start and /help: what the bot knows, how to ask, examples to copy, the commands."""
    conv = "s2t" if script == "traditional" else "t2s"
    lines = [phrase("intro", script)] + [f"· {d}" for d in document_list(documents, script)]
    lines += ["", phrase("how", script), phrase("examples", script)]
    escaped = [HTML.escape(line) for line in lines]
    escaped += [f"<code>{HTML.escape(convert(e, conv))}</code>" for e in TELEGRAM_EXAMPLES]
    return "\n".join([*escaped, "", HTML.escape(phrase("commands", script))])


def telegram_document_list(documents: Sequence[tuple[Document, int]], script: Script) -> str:
    """/about: one line per document (title, date, source) with its passage count."""
    lines = [HTML.escape(document_line(d, script)) + f"（{n} 段）" for d, n in documents]
    return "\n".join(lines) or "—"


def telegram_answer(
    answer: Answer,
    documents: Sequence[Document],
    original: bool = False,
    first_number: int = 1,
    with_sentence: bool = True,
) -> list[str]:
    """The answer as Telegram HTML messages, each within Telegram's length limit."""
    blocks = answer_blocks(answer, documents, HTML, original, first_number, with_sentence)
    return split_messages(blocks)


def telegram_inline_results(answer: Answer) -> list[InlineResult]:
    """An answered question's citations as inline results, the first carrying the best sentence."""
    results = []
    for n, citation in enumerate(answer.citations if answer.answered else ()):
        source = cite(citation.sources[0], answer.script)
        best = answer.sentence.text if (answer.sentence and n == 0) else citation.text
        # Cut before escaping, so that no entity is cut in half (a message holds 4096 characters).
        body = f"{HTML.escape(best[:3800])}\n—— {HTML.escape(source)}"
        results.append(InlineResult(source[:100], citation.text[:120], body))
    return results


def telegram_preformatted(text: str) -> str:
    """Text whose columns must line up (/stats), in a fixed-width block."""
    return f"<pre>{HTML.escape(text)}</pre>"
