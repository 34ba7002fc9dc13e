"""The wiring: configuration -> tokenizer, index, service, question log; building the index;
the Telegram bot's lifecycle."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import BM25Settings, JudgeSettings, Retriever, Tokenizer, TokenizerSettings

from .config import Config, ConfigError
from .questionlog import QuestionLog
from .service import Service, ServiceSettings

if TYPE_CHECKING:
    from telegram.ext import Application

    from .config import TelegramConfig


def make_tokenizer(cfg: Config) -> Tokenizer:
    t = cfg.tokenizer
    settings = TokenizerSettings(
        search_mode=t.search_mode,
        hmm=t.hmm,
        bigrams=t.bigrams,
        userdict=str(t.userdict) if t.userdict else None,
        stopwords=str(t.stopwords) if t.stopwords else None,
    )
    t.cache_dir.mkdir(parents=True, exist_ok=True)
    return Tokenizer(settings, cache_dir=t.cache_dir)


def bm25_settings(cfg: Config) -> BM25Settings:
    r = cfg.retrieval
    return BM25Settings(r.variant, r.k1, r.b, r.epsilon, r.delta)  # type: ignore[arg-type]


def make_service(cfg: Config, retriever: Retriever) -> Service:
    return Service(
        retriever,
        ServiceSettings(k=cfg.retrieval.k, rerank=cfg.retrieval.rerank),
        JudgeSettings(min_coverage=cfg.answer.min_coverage),
        (cfg.answer.traditional, cfg.answer.simplified),
    )


def build(
    cfg: Config, paths: Sequence[Path], index: Path, tokenizer: Tokenizer, quiet: bool = False
) -> Retriever:
    """Index ``paths`` into ``index``, telling the user what happened on stderr."""
    progress = _progress_bar if sys.stderr.isatty() and not quiet else None
    retriever, report = Retriever.build_with_report(
        paths,
        index,
        tokenizer=tokenizer,
        bm25=bm25_settings(cfg),
        max_chars=cfg.index.max_chars,
        progress=progress,
    )
    if progress:
        print(file=sys.stderr)
    if not quiet:
        if report.rebuilt_because:
            print(f"Rebuilding the whole index: {report.rebuilt_because}.", file=sys.stderr)
        for name, why in report.skipped:
            print(f"Skipped {name}: {why}", file=sys.stderr)
        print(
            f"Indexed {report.documents} documents, {report.passages} passages into {index} "
            f"({len(report.added)} added, {len(report.changed)} changed, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed).",
            file=sys.stderr,
        )
    return retriever


def _progress_bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    print(
        f"\rIndexing [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
        end="",
        file=sys.stderr,
    )


def open_retriever(cfg: Config, tokenizer: Tokenizer, build_if_missing: bool) -> Retriever:
    """The configured index; built from the configured corpus first if it does not exist yet."""
    index = cfg.index.path
    if not index.exists() and build_if_missing:
        print(
            f"No index at {index} yet; building it from {', '.join(map(str, cfg.index.corpus))}.",
            file=sys.stderr,
        )
        return build(cfg, cfg.index.corpus, index, tokenizer)
    return Retriever.open(index, tokenizer=tokenizer, bm25=bm25_settings(cfg))


def question_log_path(cfg: Config) -> Path:
    """The question log lives beside the index, in a file of its own."""
    return cfg.index.path.with_name("questions.db")


def rebuilt_service(cfg: Config, tokenizer: Tokenizer) -> Service:
    """The configured corpus indexed afresh into the configured index, and a service over it."""
    return make_service(cfg, build(cfg, cfg.index.corpus, cfg.index.path, tokenizer, quiet=True))


def run_telegram(cfg: Config, webhook: bool) -> int:
    """Run the Telegram bot until SIGINT or SIGTERM: check the token with the Bot API first,
    then open (or build) the index and the question log, then poll or serve the webhook."""
    # Imported here, not above: python-telegram-bot takes longer to import than a one-shot
    # `docbot ask` takes to answer, and only this command needs it.
    from . import telegram_adapter as tg

    settings = cfg.telegram
    token = str(settings.token)
    problem = tg.check_token(token)
    if problem:
        raise ConfigError(problem)
    webhook = webhook or bool(settings.webhook_url)
    if webhook and not settings.webhook_url:
        raise ConfigError("--webhook needs [telegram] webhook_url in the config")
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    tg.install_log_masking(token)
    application = tg.build_application(settings, token)
    if not tg.connect(application):
        return 0  # stopped while the Bot API was still out of reach
    tokenizer = make_tokenizer(cfg)
    service = make_service(cfg, open_retriever(cfg, tokenizer, build_if_missing=True))
    questions = QuestionLog.open(
        question_log_path(cfg),
        keep_text=settings.log_questions,
        keep_days=settings.log_retention_days,
    )
    with closing(questions):
        rate = tg.RateLimiter(settings.rate_limit, settings.global_rate_limit)
        reindex = partial(rebuilt_service, cfg, tokenizer)
        tg.attach(application, tg.BotState(service, questions, settings, reindex, rate))
        _serve(application, settings, webhook)
    return 0


def _serve(application: Application, settings: TelegramConfig, webhook: bool) -> None:  # type: ignore[type-arg]
    """Poll for updates, or serve the webhook, until SIGINT or SIGTERM."""
    from .telegram_adapter import ALL_UPDATES  # loaded already, by run_telegram

    if webhook:
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url,
            secret_token=str(settings.webhook_secret) or None,
        )
    else:
        application.run_polling(allowed_updates=ALL_UPDATES)
