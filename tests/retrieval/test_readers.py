"""Readers on real files made by real tools, in both scripts: the text comes back in paragraphs
with its sections and pages, the metadata with it, and no markup or page furniture."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from retrieval.errors import CorpusError
from retrieval.readers import (
    ReadDocument,
    ReadError,
    UnsupportedFormatError,
    detect_format,
    read_document,
)
from retrieval.readers.pdf_layout import page_lines
from retrieval.readers.text import squash

from . import makefiles

SCRIPTS = ["simplified", "traditional"]
MARKUP = re.compile(r"<[a-z/!]|&[a-z]+;|\*\*|\]\(|^#|```|\|", re.M)


def spec(script: str) -> dict[str, object]:
    return makefiles.SCRIPTS[script]


def texts(doc: ReadDocument) -> list[str]:
    return [block.text for block in doc.blocks]


def assert_clean(doc: ReadDocument) -> None:
    for text in texts(doc):
        assert not MARKUP.search(text), text
        assert not re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", text), text


# -- choosing the reader ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "expected"),
    [
        (makefiles.pdf, "scan.txt", "pdf"),
        (makefiles.docx, "report.zip", "docx"),
        (makefiles.epub, "book.bin", "epub"),
        (makefiles.html, "page.txt", "html"),
        (makefiles.markdown, "notes.md", "markdown"),
    ],
)
def test_the_reader_is_chosen_by_content_where_the_format_has_a_signature(
    make: object, name: str, expected: str
) -> None:
    assert callable(make)
    assert detect_format(make(), name) == expected


@pytest.mark.parametrize(
    ("data", "name", "what"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old.doc", "old Office"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "photo.png", "image"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "photo.txt", "image"),
        (b"some slides", "deck.key", ".key file"),
        (b"no extension", "README", "without an extension"),
    ],
)
def test_unsupported_formats_say_so_and_list_what_is(data: bytes, name: str, what: str) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        read_document(data, name)
    message = str(caught.value)
    assert what in message and "not supported" in message
    assert ".txt, .md, .html, .pdf, .docx, .epub, .jsonl" in message
    assert isinstance(caught.value, CorpusError)


@pytest.mark.parametrize(
    ("member", "what"),
    [("content.xml", "OpenDocument"), ("ppt/presentation.xml", "PowerPoint")],
)
def test_other_zip_based_office_files_are_unsupported(member: str, what: str) -> None:
    mimetype = b"application/vnd.oasis.opendocument.text" if "content" in member else b"x"
    data = makefiles.zipped({"mimetype": mimetype, member: b"<x/>"})
    with pytest.raises(UnsupportedFormatError, match=what):
        read_document(data, "file.docx")


def test_a_pdf_name_on_other_content_is_a_clear_error() -> None:
    with pytest.raises(ReadError, match=r"not a \.pdf file"):
        read_document("就是一段文字。".encode(), "报告.pdf")


def test_plain_text_passes_through_as_one_decoded_block() -> None:
    doc = read_document("第一段。\n\n第二段。".encode("gb18030"), "notes.txt")
    assert doc.format == "text" and texts(doc) == ["第一段。\n\n第二段。"]


def test_importing_the_readers_loads_no_format_library() -> None:
    code = (
        "import sys, retrieval.readers\n"
        "heavy = ('pypdf', 'docx', 'trafilatura', 'markdown_it', 'defusedxml', 'httpx', 'lxml')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- PDF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_pdf_paragraphs_come_back_whole_with_their_page_and_chapter(script: str) -> None:
    doc = read_document(makefiles.pdf(script, pages=3), "doc.pdf")
    paras = list(spec(script)["paragraphs"])
    assert doc.format == "pdf"
    assert (doc.title, doc.author) == (spec(script)["title"], spec(script)["author"])
    for page in (1, 2, 3):
        on_page = [b for b in doc.blocks if b.page == page]
        turn = page - 1
        assert [b.text for b in on_page] == [*paras[turn:], *paras[:turn]]
        number = "一二三"[page - 1]
        section = squash(f"第{number}章 {spec(script)['sections'][turn % 2]}")
        assert {b.section for b in on_page} == {section}
    assert_clean(doc)


@pytest.mark.parametrize("script", SCRIPTS)
def test_pdf_running_headers_and_page_numbers_are_dropped(script: str) -> None:
    doc = read_document(makefiles.pdf(script, pages=4), "doc.pdf")
    header = squash(str(spec(script)["header"]))
    for text in texts(doc):
        assert header not in text and "页" not in text.replace("页面", "")


def test_pdf_lines_are_joined_by_layout_rules() -> None:
    """Indented first lines, a blank line, a short line ending a sentence, a lone heading,
    Latin words joined with a space, and a paragraph running over a page break."""
    text = "".join(makefiles.SIMPLIFIED["paragraphs"]).replace("。", "，")
    full = [text[i : i + 25] for i in range(0, 250, 25)]  # distinct full-width lines
    pages = [
        [
            (50, "一、基本情况"),
            (74, full[0]),
            (50, full[1]),
            (50, "各个乡镇。"),
            (74, full[2]),
            (50, "第二段在这里结束。"),
            (50, ""),
            (50, full[3]),
            (50, "空行之后是第三段。"),
            (50, "The reader joins these lines with a space between"),
            (50, "words, as English needs, and keeps them as one block."),
            (74, full[4]),
            (50, full[5]),
        ],
        [(50, full[6]), (50, "跨页的段落在这里结束。")],
    ]
    doc = read_document(makefiles.pdf_lines(pages), "lines.pdf")
    assert [(b.page, b.section) for b in doc.blocks] == [(1, "一、基本情况")] * 5
    assert texts(doc) == [
        full[0] + full[1] + "各个乡镇。",
        full[2] + "第二段在这里结束。",
        full[3] + "空行之后是第三段。",
        "The reader joins these lines with a space between words, as English needs, and "
        "keeps them as one block.",
        full[4] + full[5] + full[6] + "跨页的段落在这里结束。",
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Microsoft Word - 年度報告.docx", "年度報告"), ("untitled", None), ("年度报告", "年度报告")],
)
def test_pdf_titles_lose_converter_words_and_placeholders(title: str, expected: str | None) -> None:
    assert read_document(makefiles.pdf(pages=1, title=title), "a.pdf").title == expected


def test_furniture_detection_needs_the_line_on_most_pages() -> None:
    pages = ["页眉\n正文第一页的内容。\n1", "页眉\n正文第二页的内容。\n2", "别的\n第三页。\n- 3 -"]
    assert [line.text for line in page_lines(pages)] == [
        "正文第一页的内容。",
        "正文第二页的内容。",
        "别的",
        "第三页。",
    ]


# -- DOCX ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_docx_paragraphs_headings_tables_and_properties(script: str) -> None:
    doc = read_document(makefiles.docx(script), "doc.docx")
    paras = spec(script)["paragraphs"]
    sections = spec(script)["sections"]
    (h1, h2), *rows_ = spec(script)["table"]
    rows = [f"{h1}：{a} · {h2}：{b}" for a, b in rows_]  # each row says what its cells are
    assert (doc.format, doc.title, doc.author, doc.date) == (
        "docx", spec(script)["title"], spec(script)["author"], "2023-06-15",
    )  # fmt: skip
    assert texts(doc) == [*paras, *rows]
    assert [b.section for b in doc.blocks] == [sections[0]] * 2 + [sections[1]] * 4
    assert_clean(doc)


def test_docx_chinese_heading_style_names_are_sections() -> None:
    doc = read_document(makefiles.docx("simplified", heading_style="标题 2"), "doc.docx")
    assert doc.blocks[0].section == "建设过程" and doc.blocks[-1].section == "主要成效"


# -- EPUB ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_epub_chapters_in_spine_order_with_their_headings(script: str) -> None:
    doc = read_document(makefiles.epub(script), "book.epub")
    sections = spec(script)["sections"]
    assert (doc.format, doc.title, doc.author, doc.date) == (
        "epub", spec(script)["title"], spec(script)["author"], "2021-03-01",
    )  # fmt: skip
    assert texts(doc) == list(spec(script)["paragraphs"])
    assert [b.section for b in doc.blocks] == [sections[0]] * 2 + [sections[1]] * 2
    assert_clean(doc)


# -- HTML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_html_main_text_without_navigation_share_widget_or_entities(script: str) -> None:
    doc = read_document(makefiles.html(script), "page.html")
    s = spec(script)
    assert (doc.format, doc.title, doc.author, doc.source, doc.date) == (
        "html", s["title"], s["author"], s["site"], "2023-06-15",
    )  # fmt: skip
    joined = "\n".join(texts(doc))
    for furniture in ("首页", "新闻中心", "分享到", "微博", "版权所有", "ICP"):
        assert furniture not in joined
    paras = list(s["paragraphs"])
    body = [t.replace("“", "").replace("”", "") for t in texts(doc)[:4]]
    assert body == paras
    assert [b.section for b in doc.blocks[:4]] == [None, *[s["sections"][0]] * 2, s["sections"][1]]
    (h1, h2), *rows = s["table"]
    assert texts(doc)[4:] == [f"{h1}：{a} · {h2}：{b}" for a, b in rows]
    assert_clean(doc)


@pytest.mark.parametrize(("script", "codec"), [("simplified", "gbk"), ("traditional", "big5")])
def test_html_in_a_legacy_encoding_without_a_charset_is_read(script: str, codec: str) -> None:
    page = makefiles.html(script).decode().replace('<meta charset="utf-8">', "")
    doc = read_document(page.encode(codec, errors="replace"), "page.htm")
    assert doc.title == spec(script)["title"]
    assert texts(doc)[1].replace("“", "").replace("”", "") == spec(script)["paragraphs"][1]


def test_whitespace_between_chinese_characters_is_layout_not_words() -> None:
    assert squash("肇庆市\n 建成了\u3000一百个 初心堂") == "肇庆市建成了一百个初心堂"
    assert squash("the  reader\njoins\tlines") == "the reader joins lines"
    assert squash("使用 Python 语言") == "使用Python语言"


def test_html_without_main_text_is_a_clear_error() -> None:
    with pytest.raises(ReadError, match="no main text"):
        read_document("<!DOCTYPE html><html><body><nav>首页</nav></body></html>".encode(), "x.html")


# -- Markdown -----------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_markdown_markup_is_removed_and_headings_are_sections(script: str) -> None:
    doc = read_document(makefiles.markdown(script), "notes.md")
    s = spec(script)
    paras, sections = s["paragraphs"], s["sections"]
    assert (doc.format, doc.title) == ("markdown", s["title"])
    assert texts(doc) == [
        paras[0],
        paras[1] + "详见官方网站。",
        paras[2],
        paras[3],
        "{0}：{2} · {1}：{3}".format(*s["table"][0], *s["table"][1]),
        'print("code")',
    ]
    assert [b.section for b in doc.blocks] == [None] + [sections[0]] * 3 + [sections[1]] * 2
    assert "编辑备注" not in "".join(texts(doc)) and "现场照片" not in "".join(texts(doc))


def test_markdown_front_matter_gives_title_date_and_author() -> None:
    text = "---\ntitle: 年度报告\ndate: 2024-01-31T10:00:00\nauthor: 王芳\n---\n# 概述\n\n正文。\n"
    doc = read_document(text.encode(), "report.md")
    assert (doc.title, doc.date, doc.author) == ("年度报告", "2024-01-31", "王芳")
    assert [(b.section, b.text) for b in doc.blocks] == [("概述", "正文。")]
