"""Passages: long paragraphs split at sentence ends, stable ids."""

from __future__ import annotations

from retrieval.chunking import chunk, split_paragraph, split_sentences


def test_sentences_keep_their_punctuation_and_lose_nothing() -> None:
    text = "第一句。第二句！“第三句？”第四句；没有句号的尾巴"
    parts = split_sentences(text)
    assert "".join(parts) == text
    assert parts[2] == "“第三句？”"


def test_long_paragraph_is_split_into_bounded_balanced_parts() -> None:
    text = "".join(f"这是第{i}个句子，讲一件事情，内容比较长一些。" for i in range(60))
    parts = split_paragraph(text, max_chars=300)
    assert "".join(parts) == text
    assert all(len(p) <= 300 for p in parts)
    assert min(len(p) for p in parts) >= 150


def test_short_paragraph_stays_whole() -> None:
    assert split_paragraph("短段落。", 300) == ["短段落。"]


def test_ids_are_file_paragraph_and_part() -> None:
    long = "".join("句子内容比较长一些一些一些一些。" for _ in range(40))
    passages = chunk("a.txt", ["第一段。", long])
    assert passages[0].id == "a.txt#1"
    assert passages[1].id == "a.txt#2.1" and passages[1].part == 1
    assert all(p.paragraph == 2 for p in passages[1:])
    assert chunk("a.txt", ["第一段。", long]) == passages  # stable
