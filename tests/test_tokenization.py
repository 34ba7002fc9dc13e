"""Segmentation: our own jieba instance, user dictionary, stopwords, numbers kept whole."""

from __future__ import annotations

from pathlib import Path

import jieba

from retrieval import Tokenizer, TokenizerSettings


def test_numbers_stay_tokens(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("建成1552个初心堂，党员18.55万名，计划(2021-2023)")
    assert "1552" in tokens
    assert "18.55万" in tokens
    assert "2021-2023" in tokens


def test_user_dictionary_terms_are_single_tokens(tokenizer: Tokenizer) -> None:
    for term in [
        "初心堂",
        "党群服务中心",
        "第一议题",
        "两个维护",
        "驻镇帮镇扶村",
        "暖蜂驿站",
        "西江党旗红",
    ]:
        assert term in tokenizer.tokenize(f"关于{term}的情况"), term


def test_question_words_and_function_words_are_dropped(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("什么 多少 哪些 哪个 怎么 吗 呢 啊 的 了 是")
    assert tokens == []


def test_fused_question_words_are_dropped(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("平均年龄降了几岁？是哪天开的？")
    assert not any(t.startswith(("几", "哪")) for t in tokens)
    assert "平均年龄" in tokens


def test_bigrams_only_join_content_characters(tokenizer: Tokenizer) -> None:
    tokens = tokenizer.tokenize("肇庆党员总共有多少人")
    bigrams = [t for t in tokens if t.startswith("#")]
    assert "#庆党" in bigrams
    assert "#多少" not in bigrams and "#总共" not in bigrams


def test_own_instance_not_jiebas_global(tokenizer: Tokenizer) -> None:
    seg = tokenizer._segmenter()
    assert seg is not jieba.dt
    assert "暖蜂驿站" in seg.FREQ  # our user dictionary went into our instance ...
    assert jieba.dt.FREQ.get("暖蜂驿站") is None  # ... and not into the global one


def test_cache_goes_to_the_given_folder(tmp_path: Path) -> None:
    Tokenizer(cache_dir=tmp_path).warm()
    assert list(tmp_path.glob("jieba*.cache"))


def test_settings_change_the_signature(jieba_cache: Path) -> None:
    a = Tokenizer(TokenizerSettings(), cache_dir=jieba_cache).signature
    b = Tokenizer(TokenizerSettings(hmm=True), cache_dir=jieba_cache).signature
    assert a != b


def test_empty_and_punctuation_only_input(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize("") == []
    assert tokenizer.tokenize("？！。，、……") == []
