"""Configuration: TOML -> the settings types, validated by msgspec.

Precedence: CLI option > environment > file > default. Each table of the file goes into the
settings types that own its keys (the library's own BM25Settings, TokenizerSettings and
JudgeSettings, the service's ServiceSettings, and the application's types below), so each
default is declared once, where the setting is used. Only this module reads configuration.
Unknown tables and keys and bad values are one-line errors naming the file, the table, the key
and what is allowed. Relative paths in the file resolve against the file's folder (in the
environment, against the working folder). The Telegram token is masked in every repr.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import msgspec.inspect as mi

from retrieval import BM25Settings, JudgeSettings, TokenizerSettings
from retrieval.chunking import DEFAULT_MAX_CHARS

from .render import DisplaySettings
from .service import ServiceSettings

CONFIG_ENV = "DOCBOT_CONFIG"
DEFAULT_CONFIG = "config.toml"

# The display configs the installed OpenCC ships (the .json files in its data folder).


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file, the table and the key."""


class Secret(str):
    """A string that never shows itself in a repr or a log line."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


NO_SECRET = Secret("")
AtLeast0 = Annotated[int, msgspec.Meta(ge=0)]


@dataclass(frozen=True)
class IndexSettings:
    """[index]: the index file, what `docbot index` reads by default, the passage length."""

    path: Path = Path("data/docbot.db")
    corpus: tuple[Path, ...] = (Path("corpus"),)
    max_chars: Annotated[int, msgspec.Meta(ge=1)] = DEFAULT_MAX_CHARS
    uploads: Path = Path("data/uploads")  # files sent to the bot; one of the index's sources
    read_seconds: Annotated[float, msgspec.Meta(gt=0)] = 30.0  # per file, in a worker process
    read_memory_mb: Annotated[int, msgspec.Meta(ge=64)] = 1024  # per file, in a worker process


@dataclass(frozen=True)
class ConsoleSettings:
    color: Literal["auto", "always", "never"] = "auto"


@dataclass(frozen=True)
class TelegramConfig:
    token: Secret = NO_SECRET
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"
    allowed_users: tuple[int, ...] = ()
    allowed_chats: tuple[int, ...] = ()
    admins: tuple[int, ...] = ()
    upload: Literal["admins", "allowed", "nobody"] = "admins"  # who may send documents
    rate_limit: AtLeast0 = 10  # questions per user per minute; 0 = no limit
    global_rate_limit: AtLeast0 = 600  # questions per minute from everyone together
    log_retention_days: AtLeast0 = 90  # 0 = keep everything
    log_questions: bool = True
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8443
    webhook_secret: Secret = NO_SECRET


@dataclass(frozen=True)
class Config:
    index: IndexSettings = field(default_factory=IndexSettings)
    tokenizer: TokenizerSettings = field(default_factory=TokenizerSettings)
    cache_dir: Path = Path("data")  # where jieba keeps its dictionary cache
    service: ServiceSettings = field(default_factory=ServiceSettings)
    bm25: BM25Settings = field(default_factory=BM25Settings)
    judging: JudgeSettings = field(default_factory=JudgeSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    source: Path | None = None  # the file it was read from, if any


# Each table of the file: its keys, and the Config attribute each goes to (a key that is
# its own attribute, like cache_dir, is a single value rather than part of a settings type).
TABLES: dict[str, dict[str, str]] = {
    "index": {f.name: "index" for f in fields(IndexSettings)},
    "tokenizer": {
        **dict.fromkeys(("search_mode", "hmm", "bigrams", "userdict", "stopwords"), "tokenizer"),
        "cache_dir": "cache_dir",
    },
    "retrieval": {
        "k": "service",
        **dict.fromkeys(("variant", "k1", "b", "epsilon", "delta"), "bm25"),
        "rerank": "service",
    },
    "answer": {"min_coverage": "judging", "traditional": "display", "simplified": "display"},
    "console": {"color": "console"},
    "telegram": {f.name: "telegram" for f in fields(TelegramConfig)},
}

# Keys whose values are paths: relative ones in the file resolve against the file's folder.
PATHS = {("index", "path"), ("index", "corpus"), ("index", "uploads"), ("tokenizer", "userdict")}
PATHS |= {("tokenizer", "stopwords"), ("tokenizer", "cache_dir")}

# Environment variables that override a file value: (table, key) -> variable.
ENVIRONMENT: dict[tuple[str, str], str] = {
    ("index", "path"): "DOCBOT_INDEX",
    ("index", "corpus"): "DOCBOT_CORPUS",  # os.pathsep-separated
    ("telegram", "token"): "TELEGRAM_BOT_TOKEN",
    ("telegram", "api_base_url"): "TELEGRAM_API_BASE_URL",
    ("telegram", "api_file_url"): "TELEGRAM_API_FILE_URL",
}


def load(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[tuple[str, str], Any] | None = None,
) -> Config:
    """The configuration from ``path`` (or $DOCBOT_CONFIG, or ./config.toml if present),
    the environment and ``overrides`` (CLI options, keyed by (table, key); None = not given)."""
    env = os.environ if env is None else env
    explicit = path or env.get(CONFIG_ENV)
    file = Path(explicit) if explicit else Path(DEFAULT_CONFIG)
    if not file.exists() and explicit:
        raise ConfigError(f"{file}: no such config file")
    source = file if file.exists() else None
    where = str(file) if source else "configuration"
    from_file = _read(file) if source else {}
    _check_names(from_file, where)
    given = {name: dict(from_file.get(name, {})) for name in TABLES}  # as written, for messages
    values = {name: _resolve_paths(name, given[name], file.parent) for name in TABLES}
    for (table, key), value in _overrides(env, overrides or {}):
        given[table][key] = values[table][key] = value
    return replace(_validate(values, given, where), source=source)


def _overrides(
    env: Mapping[str, str], cli: Mapping[tuple[str, str], Any]
) -> list[tuple[tuple[str, str], Any]]:
    """The environment's values, then the command line's: later ones win."""
    found: list[tuple[tuple[str, str], Any]] = []
    for (table, key), var in ENVIRONMENT.items():
        if env.get(var):
            found.append(
                ((table, key), env[var].split(os.pathsep) if key == "corpus" else env[var])
            )
    return found + [(where, value) for where, value in cli.items() if value is not None]


def _read(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})") from exc


def _check_names(tables: Mapping[str, Any], where: str) -> None:
    known = ", ".join(f"[{name}]" for name in TABLES)
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: {name} is outside any table; the tables are {known}")
        if name not in TABLES:
            raise ConfigError(f"{where}: unknown table [{name}]; the tables are {known}")
        for key in table:
            if key not in TABLES[name]:
                keys = ", ".join(TABLES[name])
                raise ConfigError(f"{where}: [{name}] unknown key {key}; its keys are {keys}")


def _resolve_paths(table: str, values: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """``values`` with each relative path made relative to ``base``; anything else as it was."""

    def resolved(value: Any) -> Any:
        if isinstance(value, str) and value:
            return str(base / value)
        if isinstance(value, list):
            return [resolved(item) for item in value]
        return value

    return {k: resolved(v) if (table, k) in PATHS else v for k, v in values.items()}


def _validate(
    values: Mapping[str, Mapping[str, Any]], given: Mapping[str, Mapping[str, Any]], where: str
) -> Config:
    """One msgspec conversion of every table into Config; a failure as one ConfigError line."""
    nested: dict[str, Any] = {}
    for table, pairs in values.items():
        for key, value in pairs.items():
            attr = TABLES[table][key]
            if attr == key:
                nested[attr] = value
            else:
                nested.setdefault(attr, {})[key] = value
    try:
        return msgspec.convert(nested, Config, strict=True, dec_hook=_decode)
    except msgspec.ValidationError as exc:
        raise _explain(str(exc), given, where) from None


def _decode(kind: type, value: Any) -> Any:
    """Paths and secrets, which msgspec does not know, from strings (or CLI Path objects)."""
    if kind is Path and isinstance(value, str | os.PathLike) and str(value):
        return Path(value)
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    if kind in (Path, Secret):
        raise ValueError(f"not a {kind.__name__}")
    raise NotImplementedError


def _explain(error: str, given: Mapping[str, Mapping[str, Any]], where: str) -> ConfigError:
    """msgspec's ``error`` as '<file>: [table] key must be <what is allowed>, got <value>'."""
    message, _, at = error.partition(" - at `$.")
    attr, _, rest = at.rstrip("`").partition(".")
    key = re.split(r"[.\[]", rest)[0] if rest else attr
    table = next((t for t, keys in TABLES.items() if attr in keys.values()), None)
    if table is None:
        return ConfigError(f"{where}: {message}")
    if TABLES[table].get(key) != attr:  # a settings type's own check: its message names the key
        return ConfigError(f"{where}: [{table}] {message}")
    allowed = _describe(_field_type(attr, key))
    return ConfigError(
        f"{where}: [{table}] {key} must be {allowed}, got {_shown(given[table][key])}"
    )


def _field_type(attr: str, key: str) -> mi.Type:
    info = next(f.type for f in _fields(mi.type_info(Config)) if f.name == attr)
    if attr == key:
        return info
    return next(f.type for f in _fields(info) if f.name == key)


def _fields(info: mi.Type) -> tuple[mi.Field, ...]:
    assert isinstance(info, mi.DataclassType)
    return info.fields


def _describe(info: mi.Type) -> str:
    """What a value of this type must be, in words."""
    if isinstance(info, mi.BoolType):
        return "true or false"
    if isinstance(info, mi.IntType | mi.FloatType):
        kind = "an integer" if isinstance(info, mi.IntType) else "a number"
        if info.ge is not None and info.le is not None:
            return f"{kind} from {info.ge} to {info.le}"
        return f"{kind} of at least {info.ge}" if info.ge is not None else kind
    if isinstance(info, mi.LiteralType):
        return "one of " + ", ".join(map(str, info.values))
    if isinstance(info, mi.VarTupleType):
        item = _describe(info.item_type)
        return "a list of " + {"an integer": "integers", "a path": "paths"}.get(item, item)
    if isinstance(info, mi.UnionType):
        return " or ".join(_describe(t) for t in info.types if not isinstance(t, mi.NoneType))
    if isinstance(info, mi.CustomType) and info.cls is Path:
        return "a path"
    return "a string"


def _shown(value: Any) -> str:
    """``value`` as it would be written in TOML (true, "text", [1, 2])."""
    return json.dumps(value, ensure_ascii=False, default=str)
