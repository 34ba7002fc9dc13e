"""Display in the asker's script: text already in it is shown as written; converted text uses
the forms Traditional writers use (no 羣衆爲, no 新徵程)."""

from __future__ import annotations

import pytest

from bot.render import (
    PHRASES,
    PLAIN,
    DisplaySettings,
    answer_blocks,
    answer_json,
    cite,
    document_list,
    phrase,
    shown,
    to_script,
)
from bot.service import Answer, Citation, Conversation, Service, Source
from retrieval import Document, Retriever, detect_script

# Sentences of the bundled corpus, cleaned, as the documents write them.
TRADITIONAL_TITLE = "新征程上砥礪奮進，廣東高品質黨建推動高品質發展"  # 000
TRADITIONAL_000 = (  # 000 writes 爲 and 群衆 (OpenCC's forms): shown as written all the same
    "廣東把學習宣傳貫徹黨的二十大精神作爲當前和今後一個時期的首要政治任務和全部工作重心。"
    "團結帶領黨員幹部群衆以奮發有爲的精神貫徹落實黨的二十大作出的重大決策部署。"
)
TRADITIONAL_004 = (  # 004 writes 群眾, and 模范 (a Simplified leftover)
    "問:建設讓黨中央放心、讓人民群眾滿意的模范機關是習近平總書記賦予機關黨建的重要任務，"
    "自治區黨委區直機關工委是如何推進和深化模范機關創建的?"
)
# CMRC passages hold a few Traditional characters (舖, 於) that t2s would change.
SIMPLIFIED_CMRC = "也住在拉面舖的二楼。2009年於伦敦创立翰你设计（Haniboi），其创作领域涵盖插画。"


def source(title: str, origin: str | None = None) -> Source:
    return Source("doc.txt", title, "2023-02-10", origin, 3, "doc.txt#3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("迈上全面建设社会主义现代化国家新征程", "邁上全面建設社會主義現代化國家新征程"),
        ("踏上新征程", "踏上新征程"),
        ("为人民群众办实事", "為人民群眾辦實事"),
        ("新闻发布会上宣布了扎实推进的措施", "新聞發布會上宣布了扎實推進的措施"),
    ],
)
def test_simplified_text_for_a_traditional_reader_uses_the_collections_forms(
    text: str, expected: str
) -> None:
    assert to_script(text, "traditional") == expected


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk"])
def test_every_traditional_config_gets_the_corrections(config: str) -> None:
    shown = to_script("踏上新征程，为人民群众办实事", "traditional", config)
    assert "新征程" in shown and "群眾" in shown and "為" in shown
    assert not set("羣衆爲徵") & set(shown)


@pytest.mark.parametrize("text", [TRADITIONAL_TITLE, TRADITIONAL_000, TRADITIONAL_004])
def test_traditional_text_for_a_traditional_reader_is_shown_as_written(text: str) -> None:
    assert to_script(text, "traditional") == text
    assert to_script(text, "traditional", "s2t") == text


def test_simplified_text_for_a_simplified_reader_is_shown_as_written() -> None:
    assert to_script(SIMPLIFIED_CMRC, "simplified") == SIMPLIFIED_CMRC


def test_text_without_han_is_shown_as_written() -> None:
    assert to_script("ω-force 2009 (Haniboi)", "traditional") == "ω-force 2009 (Haniboi)"


def test_mixed_text_is_converted_by_its_majority_script() -> None:
    # mostly Simplified: converted, its Traditional words kept in the forms they had
    assert to_script("黨建工作：为群众办实事，做好新征程上的服务", "traditional") == (
        "黨建工作：為群眾辦實事，做好新征程上的服務"
    )
    # mostly Traditional with a Simplified leftover (模范): already the reader's script
    assert to_script(TRADITIONAL_004, "traditional") == TRADITIONAL_004
    assert to_script(TRADITIONAL_004, "simplified").startswith(
        "问:建设让党中央放心、让人民群众满意的模范机关是习近平总书记赋予机关党建的重要任务，"
    )


def test_citations_show_titles_and_sources_by_the_same_rule() -> None:
    trad = source(TRADITIONAL_TITLE, "南方雜誌")
    assert cite(trad, "traditional") == f"《{TRADITIONAL_TITLE}》 · 2023-02-10 · 南方雜誌 · ¶3"
    assert cite(trad, "simplified").startswith("《新征程上砥砺奋进，广东高品质党建")
    simp = source("新征程上为群众办实事", "西江日报")
    assert cite(simp, "traditional") == "《新征程上為群眾辦實事》 · 2023-02-10 · 西江日報 · ¶3"
    assert cite(simp, "simplified") == "《新征程上为群众办实事》 · 2023-02-10 · 西江日报 · ¶3"


def test_document_list_shows_titles_by_the_same_rule() -> None:
    documents = [Document("a.txt", TRADITIONAL_TITLE), Document("b.txt", "新征程上的群众工作")]
    assert document_list(documents, "traditional") == [
        f"《{TRADITIONAL_TITLE}》",
        "《新征程上的群眾工作》",
    ]


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_phrases_for_a_traditional_reader_use_the_collections_forms(key: str) -> None:
    values = {"limit": 500, "n": 2, "documents": 5, "passages": 80, "missing": "廣州", "mb": 25}
    values |= {"name": "報告.pdf", "why": "?", "title": "總統府", "page": 1, "pages": 2}
    shown = phrase(key, "traditional", **values, date="2024-01-01", format="pdf")
    assert detect_script(shown) in ("traditional", None)
    assert not set("羣衆爲") & set(shown)


def test_how_to_ask_says_群組_to_a_traditional_reader() -> None:
    assert "在群組裡" in phrase("how", "traditional")
    assert phrase("how", "simplified") == PHRASES["how"]


def test_understood_as_and_titles_in_a_rendered_answer() -> None:
    answer = Answer(
        "呢？", "traditional", False, None, (), understood_as="新征程上的群众工作有哪些？"
    )
    text = "\n\n".join(answer_blocks(answer, [Document("a.txt", TRADITIONAL_TITLE)], PLAIN))
    assert "理解為：新征程上的群眾工作有哪些？" in text
    assert f"《{TRADITIONAL_TITLE}》" in text


def test_a_cited_passage_in_the_readers_script_is_shown_as_written() -> None:
    cited = Citation(TRADITIONAL_000, (source(TRADITIONAL_TITLE),), 1.0)
    answer = Answer("問", "traditional", True, None, (cited,))
    assert TRADITIONAL_000 in "\n".join(answer_blocks(answer, [], PLAIN))


@pytest.fixture(scope="module")
def service(seed_retriever: Retriever) -> Service:
    return Service(seed_retriever)


def test_traditional_passages_reach_a_traditional_asker_as_written(service: Service) -> None:
    answer = service.ask("怎樣建設讓人民群眾滿意的模範機關？", Conversation())
    assert answer.script == "traditional" and answer.citations
    traditional = [c for c in answer.citations if detect_script(c.text) == "traditional"]
    assert any("群眾" in c.text for c in traditional)
    for citation in traditional:
        assert shown(citation.text, answer)[0] == citation.text


def test_configured_display_config_keeps_the_corrections(seed_retriever: Retriever) -> None:
    display = DisplaySettings("s2t", "t2s")
    assert display.show("踏上新征程，为人民群众办实事", "traditional") == (
        "踏上新征程，為人民群眾辦實事"
    )
    assert display.show(TRADITIONAL_000, "traditional") == TRADITIONAL_000


def test_a_near_miss_names_what_the_documents_have_instead(service: Service) -> None:
    answer = service.ask("广州有多少个暖蜂驿站？")
    assert not answer.answered and answer.missing == ("广州",)
    text = "\n".join(answer_blocks(answer, service.documents, PLAIN))
    assert "文档里没有关于广州的这项内容" in text
    assert "1178" in text and "《论深圳高质量党建工作的重要性》" in text  # the nearest fact, cited
    as_json = answer_json(answer)
    assert as_json["answered"] is False and as_json["reason"] == "constraint_unmet"
    assert as_json["nearest"]["missing"] == ["广州"] and "1178" in as_json["nearest"]["sentence"]
    traditional = "\n".join(answer_blocks(service.ask("廣州有多少個暖蜂驛站？"), [], PLAIN))
    assert "文檔裡沒有關於廣州的這項內容" in traditional and "1178個" in traditional


def test_a_not_found_reply_names_a_few_documents_and_counts_the_rest() -> None:
    from bot.render import MAX_LISTED, PLAIN, answer_blocks

    documents = [Document(f"d{i}.txt", f"第{i}号文件的标题") for i in range(30)]
    answer = Answer("红烧肉怎么做？", "simplified", answered=False, sentence=None, citations=())
    (block,) = answer_blocks(answer, documents, PLAIN)
    assert block.count("·") == MAX_LISTED and "共 30 篇文档" in block
    few = answer_blocks(answer, documents[:3], PLAIN)[0]
    assert few.count("·") == 3 and "共" not in few


def test_the_same_passage_in_two_documents_of_one_title_names_the_other_file() -> None:
    from bot.render import PLAIN, citation_header

    first = Source("a/notes.md", "同一标题", None, None, 2, "a/notes.md#2")
    copy = Source("b/notes.md", "同一标题", None, None, 2, "b/notes.md#2")
    other = Source("c.txt", "另一标题", None, None, 5, "c.txt#5")
    header = citation_header(Citation("正文", (first, copy, other), 1.0), "simplified", PLAIN)
    assert header == "《同一标题》 · ¶2（亦见：b/notes.md ¶2；《另一标题》 · ¶5）"
