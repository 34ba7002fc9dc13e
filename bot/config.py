"""Configuration: TOML -> frozen dataclasses. Precedence: CLI option > environment > file > default.

Only this module reads configuration. Unknown keys and bad values are errors that name the file
and the key. Relative paths resolve against the config file's folder (or the working folder
when there is no file). The Telegram token is masked in every repr.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

CONFIG_ENV = "DOCBOT_CONFIG"
DEFAULT_CONFIG = "config.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class Secret(str):
    """A string that never shows itself in a repr or a log line."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


NO_SECRET = Secret("")


@dataclass(frozen=True)
class IndexConfig:
    path: Path = Path("data/docbot.db")
    corpus: tuple[Path, ...] = (Path("corpus"),)
    max_chars: int = 300


@dataclass(frozen=True)
class TokenizerConfig:
    search_mode: bool = True
    hmm: bool = False
    bigrams: bool = True
    userdict: Path | None = None
    stopwords: Path | None = None
    cache_dir: Path = Path("data")


@dataclass(frozen=True)
class RetrievalConfig:
    k: int = 3
    variant: str = "okapi"
    k1: float = 1.2
    b: float = 0.75
    epsilon: float = 0.25
    delta: float = 1.0
    rerank: bool = True


@dataclass(frozen=True)
class AnswerConfig:
    min_coverage: float = 0.15
    traditional: str = "s2tw"
    simplified: str = "t2s"


@dataclass(frozen=True)
class ConsoleConfig:
    color: str = "auto"  # auto | always | never


@dataclass(frozen=True)
class TelegramConfig:
    token: Secret = NO_SECRET
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"
    allowed_users: tuple[int, ...] = ()
    allowed_chats: tuple[int, ...] = ()
    admins: tuple[int, ...] = ()
    rate_limit: int = 10  # questions per user per minute
    global_rate_limit: int = 600  # questions per minute from everyone together
    log_retention_days: int = 90
    log_questions: bool = True
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: Secret = NO_SECRET


@dataclass(frozen=True)
class Config:
    index: IndexConfig = field(default_factory=IndexConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    answer: AnswerConfig = field(default_factory=AnswerConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    source: Path | None = None  # the file it was read from, if any


# Environment variables that override a file value: (table, key) -> variable.
ENVIRONMENT: dict[tuple[str, str], str] = {
    ("index", "path"): "DOCBOT_INDEX",
    ("index", "corpus"): "DOCBOT_CORPUS",
    ("telegram", "token"): "TELEGRAM_BOT_TOKEN",
    ("telegram", "api_base_url"): "TELEGRAM_API_BASE_URL",
    ("telegram", "api_file_url"): "TELEGRAM_API_FILE_URL",
}

_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("retrieval", "variant"): ("okapi", "l", "plus"),
    ("console", "color"): ("auto", "always", "never"),
}


def _convert(value: Any, default: Any, annotation: str, where: str, base: Path) -> Any:
    """``value`` (from TOML or the environment) as the type of the field, or ConfigError."""

    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{where}: expected {expected}, got {value!r}")

    if "tuple[Path" in annotation:
        items = value.split(os.pathsep) if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise bad("a list of paths")
        return tuple(base / i for i in items)
    if "tuple[int" in annotation:
        items = [int(x) for x in value.split(",") if x.strip()] if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in items
        ):
            raise bad("a list of integer ids")
        return tuple(items)
    if "Path" in annotation:
        if not isinstance(value, str) or not value:
            raise bad("a path")
        return base / value
    if annotation == "bool":
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if annotation == "int":
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad("an integer")
        return value
    if annotation == "float":
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise bad("a number") from None
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise bad("a number")
        return float(value)
    if not isinstance(value, str):
        raise bad("a string")
    return Secret(value) if annotation == "Secret" else value


def _section(table: str, cls: type[Any], values: Mapping[str, Any], where: str, base: Path) -> Any:
    known = {f.name: f for f in fields(cls)}
    for key in values:
        if key not in known:
            raise ConfigError(f"{where}: unknown key [{table}] {key}")
    out = cls()
    for key, value in values.items():
        f = known[key]
        converted = _convert(
            value, getattr(out, key), str(f.type), f"{where}: [{table}] {key}", base
        )
        choices = _CHOICES.get((table, key))
        if choices and converted not in choices:
            raise ConfigError(f"{where}: [{table}] {key} must be one of {', '.join(choices)}")
        out = replace(out, **{key: converted})
    return out


def load(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[tuple[str, str], Any] | None = None,
) -> Config:
    """The configuration from ``path`` (or $DOCBOT_CONFIG, or ./config.toml if present),
    the environment and ``overrides`` (CLI options, keyed by (table, key))."""
    env = os.environ if env is None else env
    explicit = path or env.get(CONFIG_ENV)
    file = Path(explicit) if explicit else Path(DEFAULT_CONFIG)
    data: dict[str, Any] = {}
    source: Path | None = None
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read ({exc})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML ({exc})") from exc
        source = file
    elif explicit:
        raise ConfigError(f"{file}: no such config file")
    base = file.parent if source else Path(".")
    where = str(file) if source else "configuration"
    tables = {f.name: f for f in fields(Config) if f.name != "source"}
    for table in data:
        if table not in tables or not isinstance(data[table], dict):
            raise ConfigError(f"{where}: unknown table [{table}]")
    merged: dict[str, dict[str, Any]] = {t: dict(data.get(t, {})) for t in tables}
    env_base = Path(".")
    sections: dict[str, Any] = {}
    defaults = Config()
    for table in tables:
        cls = type(getattr(defaults, table))
        section = _section(table, cls, merged[table], where, base)
        for (t, key), var in ENVIRONMENT.items():
            if t == table and env.get(var):
                value = _convert(
                    env[var], None, str(cls.__dataclass_fields__[key].type), var, env_base
                )
                section = replace(section, **{key: value})
        for (t, key), value in (overrides or {}).items():
            if t == table and value is not None:
                section = replace(section, **{key: value})
        sections[table] = section
    return Config(**sections, source=source)
