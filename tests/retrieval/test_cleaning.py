"""Each cleaning rule on its own, the metadata, and that no gold text is lost."""

from __future__ import annotations

import json

import pytest

from retrieval import to_simplified
from retrieval.cleaning import (
    clean_document,
    fix_punctuation,
    is_boilerplate,
    restore_middle_dot,
    strip_page_jumps,
    strip_pinyin,
)
from tests.conftest import CORPUS, SEED_QUESTIONS, needs_eval


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("加強(qiáng)", "加強"),
        ("會(huì)议", "會议"),
        ("全面貫徹(chè)落實(shí)", "全面貫徹落實"),
        ("綠(lǜ)色", "綠色"),
        ("區（qū）直", "區直"),
    ],
)
def test_pinyin_annotation_after_han_is_removed(raw: str, clean: str) -> None:
    assert strip_pinyin(raw) == clean


@pytest.mark.parametrize(
    "kept",
    [
        "計劃(2021-2023)",  # numbers in brackets
        "各級黨委(黨組)",  # Chinese in brackets
        "咖啡(café)",  # not a pinyin syllable
        "會議(zzz)",  # Latin without a tone mark
        "Python (lǐ)",  # not right after a Han character
    ],
)
def test_brackets_that_are_not_pinyin_stay(kept: str) -> None:
    assert strip_pinyin(kept) == kept


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("4月1日,,全省", "4月1日，全省"),
        ("張碩輔,、宋福龍", "張碩輔、宋福龍"),
        ("葉貞琴、,陳建文", "葉貞琴、陳建文"),
        ("工作,。省委", "工作。省委"),
        ("工作，。", "工作。"),
        ("落實黨的二十大精神,辦好", "落實黨的二十大精神，辦好"),
        ("1,800 and 2,000", "1,800 and 2,000"),
    ],
)
def test_doubled_and_stray_punctuation(raw: str, clean: str) -> None:
    assert fix_punctuation(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("總書記“7?9”重要講話", "總書記“7·9”重要講話"),
        ("喜迎二十大?建功新時代", "喜迎二十大·建功新時代"),
        ("你們今天吃什么?我們", "你們今天吃什么？我們"),
    ],
)
def test_question_mark_standing_for_middle_dot(raw: str, clean: str) -> None:
    assert restore_middle_dot(raw) == clean


@pytest.mark.parametrize(
    "line",
    [
        "首页 > 黨建工作 > 黨建工作",
        "分享到",
        "微信",
        "微博",
        "X",
        "0",
        "分享到-微信",
        "黨員在“初心堂”重溫入黨誓詞。 西江日報通訊員供圖",
        "扶綏縣宣傳文化系統組織黨員在紅色教育基地張報故居開展主題黨日活動。盧文斐 攝",
        "南寧市舉辦活動周系列活動。圖為青少年在社區活動中心學習",
        "新聞發布會現場",
        "联系人:罗小姐、陈先生(电话:0758—2722284)",
        "粤ICP备09102757号| 网络出版服务许可证",
        "本网站由某集团有限公司所有 Powered by CmsTop",
        "相关推荐",
        "关于我们| 广告服务| 版权声明| 联系我们| 友情链接",
        "2.",
    ],
)
def test_web_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "突出抓好黨的政治建設",
        "深圳出台史上首批党内法规，集中聚焦基层党建和作风建设。",
        "全省1139個鄉鎮近2萬個行政村得到組團式幫扶。",
        "往深里走、往实里抓。",
    ],
)
def test_article_text_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_page_jump_markers_are_removed() -> None:
    assert strip_page_jumps("下转03版▲▲上接01版") == ""
    assert strip_page_jumps("建成一批模范机关(下转2版)") == "建成一批模范机关()"


def test_copyright_block_and_its_numbered_items_are_dropped() -> None:
    body = [f"第{n}段正文。" for n in range(1, 12)]
    footer = [
        "某报、某网版权与免责声明",
        "1.",
        "凡本网所有文字版权均属本网所有。",
        "2.",
        "转载须注明来源。",
    ]
    doc = clean_document("\n".join(["某某新闻标题在这里很长一点", *body, *footer]))
    assert doc.paragraphs == body
    assert any("版权" in line for line in doc.removed)


def _corpus_doc(prefix: str):  # type: ignore[no-untyped-def]
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    return clean_document(path.read_text(encoding="utf-8"))


def test_metadata_from_fields_and_bylines() -> None:
    d000 = _corpus_doc("000")
    assert d000.title == "新征程上砥礪奮進，廣東高品質黨建推動高品質發展"
    assert d000.date == "2023-02-10"
    assert d000.source == "南方雜誌"
    d001 = _corpus_doc("001")
    assert d001.title.startswith("推动党的组织优势转化为高质量发展优势")
    assert d001.source == "西江日报"
    assert d001.author is not None and "陆志锋" in d001.author
    assert _corpus_doc("003").title == "论深圳高质量党建工作的重要性"


def test_documents_without_a_date_have_none() -> None:
    assert _corpus_doc("002").date is None
    assert _corpus_doc("004").date is None


def test_no_boilerplate_survives_in_the_corpus() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        text = "\n".join(clean_document(path.read_text(encoding="utf-8")).paragraphs)
        for junk in (
            "分享到",
            "ICP",
            "Powered",
            "版权声明",
            "相关推荐",
            "下转",
            "(qiáng)",
            "(zhì)",
        ):
            assert junk not in text, (path.name, junk)


@needs_eval
def test_cleaning_keeps_every_gold_and_answer_string() -> None:
    cleaned = "\n".join(
        to_simplified("\n".join(clean_document(p.read_text(encoding="utf-8")).paragraphs))
        for p in sorted(CORPUS.glob("*.txt"))
    )
    cleaned_flat = cleaned.replace(",", "，")
    missing = []
    with open(SEED_QUESTIONS, encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            for text in [q["gold_passage_contains"], *q["answer_contains"]]:
                if (
                    text
                    and to_simplified(strip_pinyin(text)).replace(",", "，") not in cleaned_flat
                ):
                    missing.append((q["id"], text))
    assert missing == []


def test_the_publication_lines_are_kept_as_a_card() -> None:
    """发布时间 | 信息来源 and a byline leave the body (they are not article text) but are
    kept as a card, indexed as the document's last passage, for 哪天发的 / 记者是谁."""
    raw = "标题在这里的文章\n发布时间:2023-02-10 | 信息来源:南方杂志\n正文第一段讲了事。\n"
    doc = clean_document(raw)
    assert doc.card == "发布时间:2023-02-10 | 信息来源:南方杂志"
    assert all("发布时间" not in p for p in doc.paragraphs)
    d001 = _corpus_doc("001")
    assert d001.card is not None and "陆志锋" in d001.card
    assert clean_document("一篇没有发布信息的文章\n只有正文。\n").card is None
