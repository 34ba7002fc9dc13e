"""Bad input of every kind: clear outcomes, the process keeps working, no mojibake indexed."""

from __future__ import annotations

import codecs
import os
import random
import time
from pathlib import Path

import opencc
import pytest

from bot.service import Service
from retrieval import Retriever, Tokenizer
from retrieval.decoding import UndecodableError, decode

from .conftest import build_reporting

SIMPLIFIED = "肇庆一共建成了多少个初心堂？党员在初心堂重温入党誓词，参加学习教育活动。" * 3
TRADITIONAL = opencc.OpenCC("s2t.json").convert(SIMPLIFIED)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SIMPLIFIED.encode("utf-8"), SIMPLIFIED),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), SIMPLIFIED),
        (SIMPLIFIED.encode("utf-16"), SIMPLIFIED),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED),
        (TRADITIONAL.encode("big5"), TRADITIONAL),
    ],
)
def test_encodings_are_decoded_correctly(tokenizer: Tokenizer, data: bytes, expected: str) -> None:
    assert decode(data, tokenizer.word_share) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02binary\x00" * 100,
        bytes(range(256)) * 20,
        codecs.BOM_UTF16_LE + random.Random(7).randbytes(4000),  # a UTF-16 mark, then noise
        "正常的文字".encode() + b"\xff\xfe\xfa\x80" * 50,  # UTF-8 with invalid bytes
    ],
)
def test_undecodable_bytes_are_refused_not_indexed_as_mojibake(
    tokenizer: Tokenizer, data: bytes
) -> None:
    with pytest.raises(UndecodableError):
        decode(data, tokenizer.word_share)


def test_bad_corpus_files_are_reported_and_the_rest_indexed(
    tokenizer: Tokenizer, tmp_path: Path
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (corpus / "gbk.txt").write_bytes(
        "深圳建了多少个暖蜂驿站。暖蜂驿站是给快递小哥歇脚的地方。".encode("gbk") * 3
    )
    (corpus / "big5.txt").write_bytes(
        "廣西區直機關評出了模範機關示範單位，共有七十三個。".encode("big5") * 3
    )
    (corpus / "utf16.txt").write_bytes(
        "司机之家一共有六十一个，分布在全市各区。".encode("utf-16") * 1
    )
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "copy.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (corpus / "big.txt").write_bytes(b"x")
    os.truncate(corpus / "big.txt", 25_000_000)
    r, report = build_reporting([corpus], tmp_path / "i.db", tokenizer=tokenizer)
    skipped = dict(report.skipped)
    assert set(r.documents) == {"copy.txt", "gbk.txt", "big5.txt", "utf16.txt"}
    assert skipped["empty.txt"] == "empty"
    assert skipped["good.txt"] == "same content as copy.txt"  # the first in name order stays
    assert "binary" in skipped["binary.txt"]
    assert "larger than" in skipped["big.txt"]
    assert r.search("暖蜂驿站")[0].doc == "gbk.txt"
    assert r.search("模范机关示范单位")[0].doc == "big5.txt"


QUESTIONS = [
    "",
    "党",
    "？？？！！！。。。",
    "😀🎉🚀",
    "1552",
    "深圳 Shenzhen の党群服务中心 당원 는",
    "深圳\x00建了\x07多少个\x1b[31m暖蜂驿站",
    "深\u200b圳\u200d建了多少个\u2060暖蜂驿站",
    "深圳\ud800建了多少个暖蜂驿站",
    "\u202e深圳建了多少个暖蜂驿站\u202c",
    "ＳＨＥＮＺＨＥＮ深圳建了多少个暖蜂驿站？",
    "<b>深圳</b> &amp; <script>alert(1)</script>",
    "_*[]()~`>#+-=|{}.! 深圳",
    "党建" * 5_000,
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_any_question_gets_a_clear_outcome(seed_retriever: Retriever, question: str) -> None:
    service = Service(seed_retriever)
    started = time.monotonic()
    answer = service.ask(question)
    assert answer.problem in (None, "empty", "too_long", "not_chinese")
    assert answer.answered or answer.sentence is None
    assert (
        time.monotonic() - started < 30
    )  # bounded, never hanging (a generous ceiling, not a speed test)
    hits = seed_retriever.search(question)
    assert all(h.score > 0 for h in hits)


def test_a_million_character_question_is_refused_quickly(seed_retriever: Retriever) -> None:
    answer = Service(seed_retriever).ask("深圳" * 500_000)
    assert answer.problem == "too_long"


def test_zero_width_and_control_characters_do_not_break_matching(seed_retriever: Retriever) -> None:
    service = Service(seed_retriever)
    clean = service.ask("深圳建了多少个暖蜂驿站")
    dirty = service.ask("深\u200b圳\x00建了多少个\u2060暖蜂驿站")
    assert dirty.answered and dirty.citations[0].sources == clean.citations[0].sources
