"""The wiring: configuration -> tokenizer, index, service, question log; building the index;
the Telegram bot's lifecycle."""

from __future__ import annotations

import logging
import mimetypes
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval import (
    BuildReport,
    DocumentInfo,
    Origin,
    ReadLimits,
    Retriever,
    Tokenizer,
    build_index,
    index_sources,
    list_documents,
    remove_from_index,
)

from .config import Config, ConfigError
from .questionlog import QuestionLog
from .service import Service

if TYPE_CHECKING:
    from telegram.ext import Application

    from .config import TelegramConfig
    from .telegram_state import Library


def make_tokenizer(cfg: Config) -> Tokenizer:
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    return Tokenizer(cfg.tokenizer, cache_dir=cfg.cache_dir)


def make_service(cfg: Config, retriever: Retriever) -> Service:
    return Service(retriever, cfg.service, cfg.judging)


def read_limits(cfg: Config) -> ReadLimits:
    return ReadLimits(seconds=cfg.index.read_seconds, memory_mb=cfg.index.read_memory_mb)


def default_sources(cfg: Config) -> list[Path]:
    """What a first `docbot index` reads: the configured corpus, and the upload folder if
    documents were sent to the bot (kept across an index of an older docbot version)."""
    uploads = cfg.index.uploads
    has_uploads = uploads.is_dir() and any(p.is_file() for p in uploads.iterdir())
    return [*cfg.index.corpus, *([uploads] if has_uploads else [])]


def index(
    cfg: Config,
    paths: Sequence[str | Path],
    tokenizer: Tokenizer,
    *,
    rebuild: bool = False,
    quiet: bool = False,
) -> BuildReport:
    """Add or refresh ``paths`` (every remembered source when there are none) in the
    configured index, telling the user what happened on stderr."""
    progress = _progress_bar if sys.stderr.isatty() and not quiet else None
    report = index_sources(
        cfg.index.path,
        paths,
        rebuild=rebuild,
        default=default_sources(cfg),
        tokenizer=tokenizer,
        bm25=cfg.bm25,
        max_chars=cfg.index.max_chars,
        progress=progress,
        limits=read_limits(cfg),
    )
    if progress:
        print(file=sys.stderr)
    if not quiet:
        print(report_text(report, cfg.index.path), file=sys.stderr)
    return report


def report_text(report: BuildReport, index: Path) -> str:
    """What an index run did, for people: rebuilt why, skipped files, the counts."""
    lines = []
    if report.rebuilt_because:
        lines.append(f"Rebuilding the whole index: {report.rebuilt_because}.")
    lines.extend(f"Skipped {name}: {why}" for name, why in report.skipped)
    lines.append(
        f"Indexed {count(report.documents, 'document')}, {count(report.passages, 'passage')} "
        f"into {index} ({len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed)."
    )
    return "\n".join(lines)


def count(n: int, noun: str) -> str:
    """``count(1, "document")`` -> "1 document"; ``count(2, ...)`` -> "2 documents"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def build(
    cfg: Config, paths: Sequence[Path], index_path: Path, tokenizer: Tokenizer, quiet: bool = False
) -> Retriever:
    """Index exactly ``paths`` into ``index_path`` (a new index) and open it."""
    report = build_index(
        paths, index_path, tokenizer=tokenizer, bm25=cfg.bm25, max_chars=cfg.index.max_chars,
        limits=read_limits(cfg),
    )  # fmt: skip
    if not quiet:
        print(report_text(report, index_path), file=sys.stderr)
    return Retriever.open(index_path, tokenizer=tokenizer, bm25=cfg.bm25)


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
        return build(cfg, default_sources(cfg), index, tokenizer)
    return Retriever.open(index, tokenizer=tokenizer, bm25=cfg.bm25)


def question_log_path(cfg: Config) -> Path:
    """The question log lives beside the index, in a file of its own."""
    return cfg.index.path.with_name("questions.db")


class LiveService:
    """The service over the configured index, opened again when the index file has been
    replaced (a rebuild or an update by another process) since it was opened."""

    def __init__(self, cfg: Config, tokenizer: Tokenizer, service: Service) -> None:
        self._cfg, self._tokenizer, self.service = cfg, tokenizer, service
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._cfg.index.path)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns

    def changed(self) -> bool:
        """Whether the index file is another one than the service reads."""
        return self._file_stamp() != self._stamp

    def reload(self) -> Service:
        """Open the index again (the old service keeps answering if that fails)."""
        stamp = self._file_stamp()
        retriever = Retriever.open(
            self._cfg.index.path, tokenizer=self._tokenizer, bm25=self._cfg.bm25
        )
        self.service, self._stamp = make_service(self._cfg, retriever), stamp
        return self.service


def rebuilt_service(cfg: Config, tokenizer: Tokenizer) -> Service:
    """Every remembered source refreshed in the configured index, and a service over it."""
    index(cfg, [], tokenizer, quiet=True)
    return make_service(cfg, Retriever.open(cfg.index.path, tokenizer=tokenizer, bm25=cfg.bm25))


# --- documents sent to the bot ----------------------------------------------------------


def upload_file_name(file_name: str | None, mime_type: str | None = None) -> str:
    """The name an upload is kept under, made by us: the sender's name is never a path.
    Folders are stripped, the stem keeps letters, digits, Han characters and ``-_.`` (at
    most 60), the extension only ASCII letters and digits; the same name gives the same
    file, so sending a file again replaces it."""
    base = unicodedata.normalize("NFKC", file_name or "").replace("\\", "/").split("/")[-1]
    stem, dot, suffix = base.rpartition(".")
    stem, suffix = (stem, suffix) if dot and stem.strip(". ") else (base, "")
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix).lower()[:8]
    if not suffix and mime_type:
        suffix = (mimetypes.guess_extension(mime_type) or "").lstrip(".")
    stem = re.sub(r"[^\w\-.]+", "_", stem, flags=re.UNICODE).strip("._ ")[:60] or "document"
    return f"{stem}.{suffix}" if suffix else stem


def add_upload(
    cfg: Config, tokenizer: Tokenizer, data: bytes, file_name: str
) -> tuple[BuildReport, str]:
    """Keep ``data`` in the upload folder under ``file_name`` (a name from
    :func:`upload_file_name`) and index it: the whole folder when the index does not
    remember it yet, else just the file (the fast update path). Returns the report and the
    document's name; when the file could not be read, the report's ``skipped`` holds that
    name and why, and the folder is as it was (an earlier file of that name is put back)."""
    folder = cfg.index.uploads
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / upload_file_name(file_name)
    previous = target.read_bytes() if target.is_file() else None
    remembered = _remembers(cfg.index.path, folder)
    target.write_bytes(data)
    report = index_sources(
        cfg.index.path, [target if remembered else folder], tokenizer=tokenizer,
        bm25=cfg.bm25, max_chars=cfg.index.max_chars, limits=read_limits(cfg),
    )  # fmt: skip
    name = _upload_name(cfg.index.path, folder, target.name)
    shown = (name, target.name, f"{folder.resolve().name}/{target.name}")
    why = next((w for n, w in report.skipped if n in shown), None)
    if why is None and name is not None:
        return report, name
    if previous is None:
        target.unlink()
    else:
        target.write_bytes(previous)
    report.skipped = [(target.name, why or "no text found")]
    return report, target.name


def _remembers(index_path: Path, folder: Path) -> bool:
    origins, _ = list_documents(index_path)
    return str(folder.resolve()) in {o.key for o in origins}


def _upload_name(index_path: Path, folder: Path, file_name: str) -> str | None:
    """The index's name for the uploaded file ``file_name``, None if it holds no such document."""
    key = str(folder.resolve())
    _, documents = list_documents(index_path)
    return next((d.name for d in documents if d.origin == key and d.path == file_name), None)


def catalog(cfg: Config) -> tuple[list[Origin], list[DocumentInfo]]:
    """The sources the configured index remembers and its documents."""
    return list_documents(cfg.index.path)


def remove_document(cfg: Config, tokenizer: Tokenizer, name: str) -> BuildReport:
    """Forget the document ``name``: an uploaded one is deleted from the upload folder too
    (nothing outside that folder is ever deleted)."""
    folder = cfg.index.uploads.resolve()
    _, documents = list_documents(cfg.index.path)
    doc = next((d for d in documents if d.name == name), None)
    if doc is not None and doc.origin == str(folder) and doc.path:
        file = (folder / doc.path).resolve()
        if file.parent == folder and file.is_file():
            file.unlink()
            return index_sources(
                cfg.index.path, [file], tokenizer=tokenizer, bm25=cfg.bm25,
                max_chars=cfg.index.max_chars, limits=read_limits(cfg),
            )  # fmt: skip
    return remove_from_index(
        cfg.index.path, [name], tokenizer=tokenizer, bm25=cfg.bm25, max_chars=cfg.index.max_chars
    )


def reopened_service(cfg: Config, tokenizer: Tokenizer) -> Service:
    """A service over the configured index as it is now on disk."""
    return make_service(cfg, Retriever.open(cfg.index.path, tokenizer=tokenizer, bm25=cfg.bm25))


def telegram_library(cfg: Config, tokenizer: Tokenizer) -> Library:
    """What the Telegram bot may do with the configured collection (add, remove, list)."""
    from .telegram_state import Library  # python-telegram-bot: see run_telegram

    return Library(
        add=partial(add_upload, cfg, tokenizer),
        remove=partial(remove_document, cfg, tokenizer),
        catalog=partial(catalog, cfg),
        reopen=partial(reopened_service, cfg, tokenizer),
        folder=cfg.index.uploads,
    )


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
        state = tg.BotState(service, questions, settings, reindex, rate, display=cfg.display)
        state.library = telegram_library(cfg, tokenizer)
        tg.attach(application, state)
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
