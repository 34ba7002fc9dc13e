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


def test_a_lead_in_is_kept_with_what_it_introduces() -> None:
    """A short paragraph ending in a colon (主要做了三件事：) answers nothing alone: it is one
    passage with the next paragraph, numbered as the lead-in, and the numbers after keep
    their places."""
    passages = chunk("a.txt", ["开头一段。", "主要做了三件事：", "一是修路。", "二是建桥。"])
    assert [p.id for p in passages] == ["a.txt#1", "a.txt#2", "a.txt#4"]
    assert passages[1].text == "主要做了三件事：一是修路。"
    assert passages[1].paragraph == 2


def test_an_interview_question_goes_with_its_answer() -> None:
    """问：…？ then 答：…从以下方面：then the first item: one passage (a question alone is
    never an answer); a run of questions with no answer between does not grow without end."""
    passages = chunk("a.txt", ["问：做了哪些事？", "答：主要有以下几件：", "一是修路。"])
    assert [p.text for p in passages] == ["问：做了哪些事？答：主要有以下几件：一是修路。"]
    questions = ["这是一个相当长的问题" * 9 + "？"] * 4  # 91 characters each
    assert len(chunk("a.txt", questions, max_chars=300)) == 2  # never a part over the limit
    assert chunk("a.txt", ["结尾是冒号："])[0].text == "结尾是冒号："  # kept at the end


def test_a_long_lead_in_stands_alone() -> None:
    long = "这一段很长，" * 30 + "如下："
    passages = chunk("a.txt", [long, "下一段。"])
    assert [p.text for p in passages] == [long, "下一段。"]
