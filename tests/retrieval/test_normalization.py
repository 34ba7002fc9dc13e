"""Script-blind matching: Traditional and Simplified questions give identical tokens."""

from __future__ import annotations

import pytest

from retrieval import Tokenizer, detect_script, to_simplified
from retrieval.normalization import align, convert, fold, matching_form_with_map

PAIRS = [
    (
        "廣東靠多少所鎮街黨校把二十大精神傳達到基層？",
        "广东靠多少所镇街党校把二十大精神传达到基层？",
    ),
    ("肇慶鄉鎮黨委書記隊伍平均年齡降了幾歲？", "肇庆乡镇党委书记队伍平均年龄降了几岁？"),
    ("模範機關的評價體系", "模范机关的评价体系"),  # 範 / 范
    ("於是他們決定", "于是他们决定"),  # 於 / 于
    ("幹部隊伍的乾淨作風", "干部队伍的干净作风"),  # 幹 / 乾 / 干
    ("後來的皇后", "后来的皇后"),  # 後 / 后
    ("發展和頭髮", "发展和头发"),  # 發 / 髮 / 发
    ("深圳建了多少個暖蜂驛站", "深圳建了多少个暖蜂驿站"),
    ("黨群服務中心體系", "党群服务中心体系"),
    ("２０２２年ＧＤＰ", "2022年GDP"),  # full width
]


@pytest.mark.parametrize(("traditional", "simplified"), PAIRS)
def test_both_scripts_give_identical_tokens(
    tokenizer: Tokenizer, traditional: str, simplified: str
) -> None:
    assert tokenizer.tokenize(traditional) == tokenizer.tokenize(simplified)
    assert tokenizer.tokenize(traditional)


def test_fold_handles_width_and_compatibility_forms() -> None:
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("㈠") == "(一)"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("廣東靠多少所鎮街黨校", "traditional"),
        ("广东靠多少所镇街党校", "simplified"),
        ("深圳是哪一年率先建立第一議題學習制度的？", "traditional"),
        ("今天天气", "simplified"),
        ("一二三", None),
        ("hello", None),
        ("", None),
    ],
)
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script


def test_offset_map_is_identity_for_equal_length() -> None:
    m = align("黨建工作", "党建工作")
    assert m.span(0, 2) == (0, 2)


def test_offset_map_through_a_length_changing_conversion() -> None:
    # OpenCC's phrase table can change length; align() must keep spans on the right characters.
    source = "我們在計算機上看了電影"
    derived = (
        "我们在电脑上看了电影"  # 計算機 (3) -> 电脑 (2): a phrase-level, length-changing change
    )
    m = align(source, derived)
    start = derived.index("电脑")
    a, b = m.span(start, start + 2)
    assert source[a:b] == "計算機"
    start = derived.index("电影")
    a, b = m.span(start, start + 2)
    assert source[a:b] == "電影"


def test_matching_form_map_covers_folding() -> None:
    text = "ＡＢ黨建１２"
    norm, m = matching_form_with_map(text)
    assert norm == "ab党建12"
    a, b = m.span(norm.index("党建"), norm.index("党建") + 2)
    assert text[a:b] == "黨建"


def test_opencc_conversion_round_trip_on_corpus_terms() -> None:
    assert to_simplified("區直機關") == "区直机关"
    assert convert("区直机关", "s2t") == "區直機關"
