"""Configuration: every key in config.example.toml, precedence, one-line errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import opencc
import pytest

from bot.config import TABLES, Config, ConfigError, Secret, load
from bot.render import OPENCC_CONFIGS
from retrieval import BM25Settings, JudgeSettings, TokenizerSettings
from tests.conftest import REPO

EXAMPLE = REPO / "config.example.toml"


def test_loading_the_example_gives_exactly_the_defaults(tmp_path: Path) -> None:
    # the keys whose default TOML can write but that the example leaves commented out
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('# token = ""', 'token = ""').replace(
        '# webhook_secret = ""', 'webhook_secret = ""'
    )
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    # the working folder is tmp_path, so paths resolved against the file's folder stay as written
    cfg = load(Path("config.toml"), env={})
    assert cfg == replace(Config(), source=Path("config.toml"))


def test_the_example_lists_every_key_of_every_table() -> None:
    listed: dict[str, list[str]] = {}
    table = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if header := re.fullmatch(r"\[(\w+)\]", line.strip()):
            table = header[1]
            listed[table] = []
        elif key := re.match(r"#? ?(\w+) = ", line):
            listed[table].append(key[1])
    assert {t: set(keys) for t, keys in listed.items()} == {t: set(k) for t, k in TABLES.items()}


def test_library_settings_are_the_librarys_own_types(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text(
        "[retrieval]\nvariant = 'plus'\nb = 1\nk = 5\n[tokenizer]\nhmm = true\n"
        "userdict = 'dict.txt'\n[answer]\nmin_coverage = 0.5\ntraditional = 's2tw'\n",
        encoding="utf-8",
    )
    cfg = load(tmp_path / "c.toml", env={})
    assert cfg.bm25 == BM25Settings(variant="plus", b=1.0)
    assert cfg.tokenizer == TokenizerSettings(hmm=True, userdict=str(tmp_path / "dict.txt"))
    assert cfg.judging == JudgeSettings(min_coverage=0.5)
    assert (cfg.service.k, cfg.service.rerank) == (5, True)
    assert cfg.display.traditional == "s2tw"


def test_precedence_cli_over_env_over_file_over_default(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[index]\npath = "from-file.db"\ncorpus = ["docs"]\n', encoding="utf-8"
    )
    cfg = load(tmp_path / "config.toml", env={})
    assert cfg.index.path == tmp_path / "from-file.db"
    assert cfg.index.corpus == (tmp_path / "docs",)
    env = {"DOCBOT_INDEX": "from-env.db", "DOCBOT_CORPUS": f"a{os.pathsep}b"}
    cfg = load(tmp_path / "config.toml", env=env)
    assert (cfg.index.path, cfg.index.corpus) == (Path("from-env.db"), (Path("a"), Path("b")))
    cli = {("index", "path"): Path("from-cli.db")}
    assert load(tmp_path / "config.toml", env=env, overrides=cli).index.path == Path("from-cli.db")
    (tmp_path / "config.toml").unlink()
    assert load(None, env={}).index.path == Path("data/docbot.db")


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text("[retrieval]\nk = 7\n", encoding="utf-8")
    cfg = load(None, env={"DOCBOT_CONFIG": str(tmp_path / "mine.toml")})
    assert cfg.service.k == 7 and cfg.source == tmp_path / "mine.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[retrieval]\nk = 0\n", "[retrieval] k must be at least 1, got 0"),
        ("[answer]\nmin_coverage = 1.5\n", "[answer] min_coverage must be between 0 and 1"),
        ('[answer]\ntraditional = "xyz"\n', "[answer] traditional must be one of the OpenCC"),
        ('[answer]\nsimplified = "t2x"\n', "[answer] simplified must be one of the OpenCC"),
        ('[retrieval]\nvariant = "bm42"\n', "[retrieval] variant must be one of l, okapi, plus"),
        ("[retrieval]\nb = 2\n", "[retrieval] b must be between 0 and 1, got 2"),
        ('[retrieval]\nk = "three"\n', '[retrieval] k must be an integer, got "three"'),
        ("[retrieval]\nk = true\n", "[retrieval] k must be an integer, got true"),
        ("[retrieval]\nk = 3.0\n", "[retrieval] k must be an integer, got 3.0"),
        ("[retrieval]\nrerank = 1\n", "[retrieval] rerank must be true or false, got 1"),
        ('[retrieval]\nk1 = "1.2"\n', '[retrieval] k1 must be a number, got "1.2"'),
        ("[retrieval]\nkay = 3\n", "[retrieval] unknown key kay; its keys are k, variant"),
        ("[nope]\nx = 1\n", "unknown table [nope]; the tables are [index], [tokenizer]"),
        ("k = 3\n", "k is outside any table"),
        ("[index]\nmax_chars = 0\n", "[index] max_chars must be an integer of at least 1, got 0"),
        ("[index]\ncorpus = 'docs'\n", '[index] corpus must be a list of paths, got "docs"'),
        ("[index]\npath = 3\n", "[index] path must be a path, got 3"),
        ("[tokenizer]\nuserdict = 1\n", "[tokenizer] userdict must be a string, got 1"),
        ("[tokenizer]\ncache_dir = []\n", "[tokenizer] cache_dir must be a path, got []"),
        ('[console]\ncolor = "red"\n', "[console] color must be one of always, auto, never"),
        ('[telegram]\nadmins = ["me"]\n', '[telegram] admins must be a list of integers, got ["me'),
        ("[telegram]\nrate_limit = -1\n", "[telegram] rate_limit must be an integer of at least 0"),
        ("[telegram]\nwebhook_port = 0\n", "[telegram] webhook_port must be an integer from 1 to"),
        ("[telegram]\ntoken = 123\n", "[telegram] token must be a string, got 123"),
        ("[index\n", "not valid TOML"),
    ],
)
def test_bad_value_is_one_line_naming_file_table_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path, env={})
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_opencc_configs_are_the_ones_the_package_ships() -> None:
    shipped = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    assert set(OPENCC_CONFIGS) == {p.stem for p in shipped.glob("*.json")}
    assert {"s2t", "t2s", "s2tw", "s2hk"} <= set(OPENCC_CONFIGS)


def test_token_is_masked_in_reprs(tmp_path: Path) -> None:
    cfg = load(None, env={"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"})
    assert cfg.telegram.token == "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
    assert isinstance(cfg.telegram.token, Secret)
    assert "ABCDEFGHIJ" not in repr(cfg) and "ABCDEFGHIJ" not in repr(cfg.telegram)
    assert repr(Secret("x")) == "Secret('***')"
    assert replace(cfg.telegram, token=Secret("")).token == ""


def test_token_in_the_file_is_a_secret_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[telegram]\ntoken = "1:filetoken"\n', encoding="utf-8")
    cfg = load(tmp_path / "config.toml", env={})
    assert isinstance(cfg.telegram.token, Secret) and "filetoken" not in repr(cfg)
    cfg = load(tmp_path / "config.toml", env={"TELEGRAM_BOT_TOKEN": "2:envtoken"})
    assert cfg.telegram.token == "2:envtoken"


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load(tmp_path / "missing.toml", env={})


@pytest.mark.parametrize(
    ("text", "key"),
    [("[retrieval]\nk = 0\n", "[retrieval] k"), ('[answer]\ntraditional = "xyz"\n', "traditional")],
)
def test_docbot_with_a_bad_config_exits_2_with_one_error_line(
    tmp_path: Path, text: str, key: str
) -> None:
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", "bad.toml", "ask", "问题"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: bad.toml: ") and key in lines[0]
    assert result.stdout == ""
