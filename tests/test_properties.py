"""Property-based tests: any Unicode string in, no exception out, well-formed results."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import HTML, answer_blocks, highlight_spans, split_messages
from bot.service import Service
from retrieval import Retriever, Tokenizer, to_simplified
from retrieval.chunking import split_paragraph
from retrieval.cleaning import clean_document, clean_line
from retrieval.normalization import convert_with_map, matching_form_with_map

from .botapi import check_html

# Any text, with Chinese, punctuation, markup and control characters well represented.
CHUNKS = st.sampled_from(
    [
        "深圳",
        "暖蜂驿站",
        "黨建",
        "初心堂",
        "多少",
        "？",
        "，,",
        "(qiáng)",
        "<b>",
        "&amp;",
        "&",
        "<",
        "\x00",
        "\u200b",
        "\ud800",
        "😀",
        "１２",
        "7?9",
        "。",
        "\n",
        " ",
        "版权声明",
        "分享到",
        "1552个",
    ]
)
TEXT = st.one_of(
    st.text(), st.lists(st.one_of(CHUNKS, st.text(max_size=3)), max_size=30).map("".join)
)
FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(TEXT)
def test_cleaning_never_raises(text: str) -> None:
    doc = clean_document(text)
    assert isinstance(doc.title, str) and all(isinstance(p, str) and p for p in doc.paragraphs)
    assert isinstance(clean_line(text), str)


@FAST
@given(TEXT)
def test_normalization_maps_stay_in_bounds(text: str) -> None:
    norm, mapping = matching_form_with_map(text)
    assert len(mapping.starts) == len(norm) == len(mapping.ends)
    assert all(0 <= a <= b <= len(text) for a, b in zip(mapping.starts, mapping.ends, strict=True))
    assert isinstance(to_simplified(text), str)
    converted, m2 = convert_with_map(text, "s2t")
    assert len(m2.starts) == len(converted)


@FAST
@given(TEXT)
def test_tokenization_never_raises(tokenizer: Tokenizer, text: str) -> None:
    tokens = tokenizer.tokenize(text)
    assert all(t and " " not in t for t in tokens)


@FAST
@given(TEXT)
def test_splitting_loses_nothing(text: str) -> None:
    assert "".join(split_paragraph(text, 50)) == text


@FAST
@given(TEXT)
def test_search_results_are_well_formed(seed_retriever: Retriever, text: str) -> None:
    hits = seed_retriever.search(text, k=5)
    scores = [h.score for h in hits]
    assert all(math.isfinite(s) and s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    texts = {p.text for p in seed_retriever.passages}
    assert all(h.text in texts for h in hits)


@FAST
@given(TEXT)
def test_telegram_rendering_parses_and_fits(seed_retriever: Retriever, text: str) -> None:
    service = Service(seed_retriever)
    answer = service.ask(text)
    blocks = answer_blocks(answer, list(seed_retriever.documents.values()), HTML)
    for message in split_messages(blocks):
        error, visible = check_html(message)
        assert error is None, (message, error)
        assert len(message) <= 4096 and visible <= 4096


@FAST
@given(TEXT, st.lists(st.sampled_from(["深圳", "党建", "初心堂", "驿站", "1552"]), max_size=4))
def test_highlight_spans_are_inside_the_text(text: str, words: list[str]) -> None:
    for a, b in highlight_spans(text, words):
        assert 0 <= a < b <= len(text)


@FAST
@given(st.lists(TEXT, min_size=1, max_size=6))
def test_message_splitting_keeps_html_whole(pieces: list[str]) -> None:
    import html

    blocks = [f"<b>{html.escape(p)}</b> " + html.escape(p) * 300 for p in pieces]
    for message in split_messages(blocks):
        assert len(message) <= 4096
        assert check_html(message)[0] is None


@FAST
@given(
    st.lists(st.sampled_from([0.0, -1.0, 0.5, 1.0, 1.0, 2.0, 3.5]), max_size=60),
    st.integers(min_value=1, max_value=70),
)
def test_top_indices_equals_a_full_sort(values: list[float], m: int) -> None:
    import numpy as np

    from retrieval.bm25 import top_indices

    scores = np.asarray(values, dtype=np.float64)
    full = [i for i in sorted(range(len(values)), key=lambda i: (-values[i], i)) if values[i] > 0]
    assert top_indices(scores, m).tolist() == full[:m]
