"""Segmentation: our own jieba instance, user dictionary, stopwords, numbers kept whole."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from retrieval import Tokenizer, TokenizerSettings
from retrieval.tokenization import data_text
from tests.conftest import CORPUS, SHARED_EVAL, needs_eval


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
    Tokenizer(TokenizerSettings(engine="jieba"), cache_dir=tmp_path).warm()
    assert list(tmp_path.glob("jieba*.cache"))


def test_settings_change_the_signature(jieba_cache: Path) -> None:
    a = Tokenizer(TokenizerSettings(), cache_dir=jieba_cache).signature
    b = Tokenizer(TokenizerSettings(hmm=True), cache_dir=jieba_cache).signature
    assert a != b


def test_empty_and_punctuation_only_input(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokenize("") == []
    assert tokenizer.tokenize("？！。，、……") == []


def _dev_texts() -> list[str]:
    import json

    texts = [
        line for p in sorted(CORPUS.glob("0*.txt")) for line in p.read_text("utf-8").split("\n")
    ]
    for name in ("drcd", "cmrc"):
        for part, key in (("passages", "text"), ("questions", "question")):
            with open(SHARED_EVAL / f"{name}_dev_{part}.jsonl", encoding="utf-8") as f:
                texts.extend(json.loads(line)[key] for line in f)
    with open(SHARED_EVAL / "seed_dev_questions.jsonl", encoding="utf-8") as f:
        texts.extend(json.loads(line)["question"] for line in f)
    return [t for t in texts if t.strip()]


@pytest.mark.slow
@needs_eval
def test_rjieba_gives_jiebas_tokens_on_the_corpus_and_dev_sets(jieba_cache: Path) -> None:
    """rjieba (jieba-rs) only speeds segmentation up: with our user dictionary it must give
    the same tokens as jieba, the reference, for every corpus line and dev passage and
    question. (Bags of tokens: BM25 does not see their order.)"""
    from collections import Counter

    fast = Tokenizer(cache_dir=jieba_cache)
    reference = Tokenizer(TokenizerSettings(engine="jieba"), cache_dir=jieba_cache)
    assert fast.uses_rjieba and not reference.uses_rjieba
    assert fast.signature == reference.signature  # the same index either way
    texts = _dev_texts()
    assert sum(map(len, texts)) > 600_000
    differ = [t for t in texts if Counter(fast.tokenize(t)) != Counter(reference.tokenize(t))]
    assert differ == []


def test_rjieba_takes_a_user_dictionary_as_jieba_does(tmp_path: Path, jieba_cache: Path) -> None:
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("初心暖驿 5 n\n红树林党建\n蓝海行動 3\n", encoding="utf-8")
    text = "深圳的初心暖驿和红树林党建工作，還有蓝海行动都很好"
    fast = Tokenizer(TokenizerSettings(userdict=str(userdict)), cache_dir=jieba_cache)
    reference = Tokenizer(
        TokenizerSettings(userdict=str(userdict), engine="jieba"), cache_dir=jieba_cache
    )
    assert fast.uses_rjieba
    got = fast.tokenize(text)
    assert {"初心暖驿", "红树林党建", "蓝海行动"} <= set(got)
    assert sorted(got) == sorted(reference.tokenize(text))


def test_a_tag_only_line_changes_a_tag_not_the_segmentation(
    tmp_path: Path, jieba_cache: Path
) -> None:
    """A user-dictionary line with a word and a tag only (上台 v: jieba's dictionary calls it
    a place) changes what the tagger and the entity list say of the word, and nothing of
    how any text is cut: the shipped dictionary gives the same tokens as without its
    tag-only lines, with either engine (adding them as words would raise jieba's total
    frequency, and so every word's odds)."""
    shipped = data_text("userdict.txt").splitlines()
    plain = tmp_path / "plain.txt"
    plain.write_text(
        "\n".join(line for line in shipped if len(line.split()) != 2) + "\n", encoding="utf-8"
    )
    retagged = tmp_path / "retagged.txt"
    retagged.write_text("\n".join(shipped) + "\n", encoding="utf-8")
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts += [
        "有哪些单位上台交流发言",
        "正手上旋球速度快，而且不易失誤，往往用於進攻和雙方僵持對拉",
    ]
    for engine in ("jieba", "auto"):
        settings = TokenizerSettings(userdict=str(plain), engine=engine)
        before = Tokenizer(settings, cache_dir=jieba_cache)
        settings = TokenizerSettings(userdict=str(retagged), engine=engine)
        after = Tokenizer(settings, cache_dir=jieba_cache)
        assert [after.tokenize(t) for t in texts] == [before.tokenize(t) for t in texts]
        if engine == "jieba":  # the frequencies segmentation weighs, not only these texts
            assert after._segmenter().total == before._segmenter().total
    settings = TokenizerSettings(userdict=str(plain), engine="jieba")
    reference = Tokenizer(settings, cache_dir=jieba_cache)
    settings = TokenizerSettings(userdict=str(retagged), engine="jieba")
    retag = Tokenizer(settings, cache_dir=jieba_cache)
    assert ("上台", "ns") in reference.tag("单位上台发言")
    assert ("上台", "v") in retag.tag("单位上台发言")
    assert reference.is_entity("上台") and not retag.is_entity("上台")
