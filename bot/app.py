"""The wiring: configuration -> tokenizer, index, service, question log; building the index."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from retrieval import Retriever, Tokenizer

from .config import Config
from .service import Service


def make_tokenizer(cfg: Config) -> Tokenizer:
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    return Tokenizer(cfg.tokenizer, cache_dir=cfg.cache_dir)


def make_service(cfg: Config, retriever: Retriever) -> Service:
    display = (cfg.display.traditional, cfg.display.simplified)
    return Service(retriever, cfg.service, cfg.judging, display)


def build(
    cfg: Config, paths: Sequence[Path], index: Path, tokenizer: Tokenizer, quiet: bool = False
) -> Retriever:
    """Index ``paths`` into ``index``, telling the user what happened on stderr."""
    progress = _progress_bar if sys.stderr.isatty() and not quiet else None
    retriever, report = Retriever.build_with_report(
        paths,
        index,
        tokenizer=tokenizer,
        bm25=cfg.bm25,
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
    return Retriever.open(index, tokenizer=tokenizer, bm25=cfg.bm25)


def question_log_path(cfg: Config) -> Path:
    """The question log lives beside the index, in a file of its own."""
    return cfg.index.path.with_name("questions.db")
