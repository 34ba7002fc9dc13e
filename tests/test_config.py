"""Configuration: every key in config.example.toml, precedence, clear errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import Config, ConfigError, Secret, load

from .conftest import REPO


def test_example_file_lists_every_key_with_its_default(tmp_path: Path) -> None:
    example = (REPO / "config.example.toml").read_text(encoding="utf-8")
    # uncomment the commented-out keys that have a value, so that every key is read
    text = example.replace('# token = ""', 'token = ""').replace(
        '# webhook_secret = ""', 'webhook_secret = ""'
    )
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    cfg = load(tmp_path / "config.toml", env={})
    defaults = Config()
    for table in ("index", "tokenizer", "retrieval", "answer", "console", "telegram"):
        ours, theirs = getattr(cfg, table), getattr(defaults, table)
        for key, value in vars(theirs).items():
            got = getattr(ours, key)
            if isinstance(value, Path):
                got = got.relative_to(tmp_path)
            if isinstance(value, tuple) and value and isinstance(value[0], Path):
                got = tuple(p.relative_to(tmp_path) for p in got)
            assert got == value, (table, key)


def test_precedence_cli_over_env_over_file_over_default(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[index]\npath = "from-file.db"\n', encoding="utf-8")
    assert load(tmp_path / "config.toml", env={}).index.path == tmp_path / "from-file.db"
    env = {"DOCBOT_INDEX": "from-env.db"}
    assert load(tmp_path / "config.toml", env=env).index.path == Path("from-env.db")
    cli = {("index", "path"): Path("from-cli.db")}
    assert load(tmp_path / "config.toml", env=env, overrides=cli).index.path == Path("from-cli.db")
    (tmp_path / "config.toml").unlink()
    assert load(None, env={}).index.path == Path("data/docbot.db")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[retrieval]\nkay = 3\n", "unknown key [retrieval] kay"),
        ("[nope]\nx = 1\n", "unknown table [nope]"),
        ('[retrieval]\nk = "three"\n', "[retrieval] k: expected an integer"),
        ('[retrieval]\nvariant = "bm42"\n', "variant must be one of"),
        ('[telegram]\nadmins = ["me"]\n', "[telegram] admins: expected a list of integer ids"),
        ("[index\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path, env={})
    assert str(path) in str(err.value) and message in str(err.value)


def test_token_is_masked_in_reprs(tmp_path: Path) -> None:
    cfg = load(None, env={"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"})
    assert cfg.telegram.token == "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi"
    assert "ABCDEFGHIJ" not in repr(cfg) and "ABCDEFGHIJ" not in repr(cfg.telegram)
    assert repr(Secret("x")) == "Secret('***')"
    assert replace(cfg.telegram, token=Secret("")).token == ""


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load(tmp_path / "missing.toml", env={})
