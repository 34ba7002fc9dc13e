"""The `docbot` command: index, remove, docs, update, ask, console, eval, telegram, stats.

This is the one place that maps errors to exit codes: 0 ok, 1 an error the user can fix
(missing index, unreadable file), 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from retrieval import (
    BuildReport,
    IndexCorruptError,
    IndexForeignError,
    IndexMissingError,
    IndexOutdatedError,
    RetrievalError,
    list_documents,
    remove_from_index,
    update_index,
)
from retrieval.normalization import convert

from . import config as config_module
from .app import (
    LiveService,
    build,
    count,
    index,
    make_service,
    make_tokenizer,
    open_retriever,
    question_log_path,
    read_limits,
    report_text,
    run_telegram,
)
from .config import Config, ConfigError
from .evaluation import (
    Outcome,
    Question,
    QuestionFileError,
    Report,
    evaluate,
    load_questions,
)
from .questionlog import QuestionLogError
from .render import answer_json, console_text, document_json, documents_text
from .service import Conversation, Service


class UsageError(Exception):
    """Bad command-line input (exit status 2)."""


# --- commands ----------------------------------------------------------------------------


def cmd_index(args: argparse.Namespace, cfg: Config) -> int:
    report = index(cfg, args.paths, make_tokenizer(cfg), rebuild=args.rebuild, quiet=args.quiet)
    return 1 if args.paths and not _indexed_any(report) else 0


def _indexed_any(report: BuildReport) -> bool:
    """Whether a run asked for something did anything with it (exit status 1 if not)."""
    return bool(report.added or report.changed or report.unchanged or report.removed)


def cmd_update(args: argparse.Namespace, cfg: Config) -> int:
    if not args.paths and not args.remove:
        raise UsageError("nothing to do: give files or folders to add, or --remove NAME")
    report = update_index(
        cfg.index.path,
        add=[Path(p) for p in args.paths],
        remove=args.remove or [],
        tokenizer=make_tokenizer(cfg),
        bm25=cfg.bm25,
        max_chars=cfg.index.max_chars,
        limits=read_limits(cfg),
    )
    if not args.quiet:
        print(report_text(report, cfg.index.path), file=sys.stderr)
    return 0 if _indexed_any(report) else 1


def cmd_remove(args: argparse.Namespace, cfg: Config) -> int:
    report = remove_from_index(
        cfg.index.path, args.what, tokenizer=make_tokenizer(cfg), bm25=cfg.bm25,
        max_chars=cfg.index.max_chars,
    )  # fmt: skip
    for name, why in report.skipped:
        print(f"{name}: {why} (see: docbot docs)", file=sys.stderr)
    if report.removed:
        print(
            f"Removed {count(len(report.removed), 'document')}; now "
            f"{count(report.documents, 'document')}, {count(report.passages, 'passage')}.",
            file=sys.stderr,
        )
    return 0 if report.removed else 1


def cmd_docs(args: argparse.Namespace, cfg: Config) -> int:
    origins, documents = list_documents(cfg.index.path)
    if args.json:
        for doc in documents:
            print(json.dumps(document_json(doc, origins), ensure_ascii=False))
    else:
        print(documents_text(origins, documents))
    return 0


def cmd_ask(args: argparse.Namespace, cfg: Config) -> int:
    tokenizer = make_tokenizer(cfg)
    retriever = open_retriever(
        cfg, tokenizer, build_if_missing=cfg.index.path == Config().index.path
    )
    service = make_service(cfg, retriever)
    conversation = Conversation() if args.conversation else None
    questions = [args.question] if args.question is not None else _stdin_lines(sys.stdin)
    colour = _use_colour(cfg, sys.stdout)
    documents = service.documents
    for n, question in enumerate(questions):
        answer = service.ask(question, conversation, k=args.k)
        if args.json:
            print(json.dumps(answer_json(answer, cfg.display), ensure_ascii=False), flush=True)
        else:
            if n:
                print("\n" + "─" * 40)
            print(console_text(answer, documents, colour, args.original, cfg.display), flush=True)
    return 0


def _stdin_lines(stream: TextIO) -> list[str]:
    return [line.rstrip("\n") for line in stream if line.strip()]


def _use_colour(cfg: Config, stream: TextIO) -> bool:
    mode = cfg.console.color
    return mode == "always" or (mode == "auto" and stream.isatty())


def cmd_console(args: argparse.Namespace, cfg: Config) -> int:
    from .console_adapter import run_console

    tokenizer = make_tokenizer(cfg)
    retriever = open_retriever(cfg, tokenizer, build_if_missing=True)
    live = LiveService(cfg, tokenizer, make_service(cfg, retriever))
    return run_console(live, colour=_use_colour(cfg, sys.stdout), display=cfg.display)


def cmd_eval(args: argparse.Namespace, cfg: Config) -> int:
    tokenizer = make_tokenizer(cfg)
    questions = load_questions(args.questions)
    if args.convert:
        questions = [_converted(q, args.convert) for q in questions]
    with tempfile.TemporaryDirectory() as tmp:
        if args.passages:
            retriever = build(
                cfg, [Path(args.passages)], Path(tmp) / "eval.db", tokenizer, quiet=True
            )
        else:
            retriever = open_retriever(cfg, tokenizer, build_if_missing=True)
        report = evaluate(questions, partial(ask_as_a_user, make_service(cfg, retriever)))
    _print_report(args.questions, report, args.json)
    if args.misses:
        print("\n".join(miss.line() for miss in report.misses))
    return 0


def _print_report(name: str, report: Report, as_json: bool) -> None:
    figures = report.as_dict()
    if as_json:
        print(json.dumps({"questions": name, **figures}, ensure_ascii=False))
        return
    print(f"{name}: {report.answerable} answerable, {report.unanswerable} unanswerable")
    for key, value in figures.items():
        if key not in ("answerable", "unanswerable"):
            print(f"  {key:<26} {value}")


def ask_as_a_user(service: Service, question: Question) -> Outcome:
    """Ask ``question`` the way `docbot ask` does (a conversation's turns in one conversation)."""
    conversation = Conversation() if question.before else None
    for turn in question.before:
        service.ask(turn, conversation)
    answer = service.ask(question.text, conversation)
    return Outcome(answer.hits, answer.answered, answer.reason, answer.understood_as)


def _converted(question: Question, config: str) -> Question:
    before = tuple(convert(t, config) for t in question.before)
    return replace(question, text=convert(question.text, config), before=before)


def cmd_telegram(args: argparse.Namespace, cfg: Config) -> int:
    return run_telegram(cfg, webhook=args.webhook)


def cmd_stats(args: argparse.Namespace, cfg: Config) -> int:
    from .questionlog import QuestionLog, format_stats

    questions = QuestionLog.open_existing(question_log_path(cfg))
    print(format_stats(questions.stats(days=args.days)))
    return 0


# --- wiring ------------------------------------------------------------------------------


def _common_options(p: argparse.ArgumentParser, default: str | None) -> None:
    p.add_argument(
        "--config", default=default, help="config file (default: $DOCBOT_CONFIG or ./config.toml)"
    )
    p.add_argument("--index", default=default, help="index file (default: data/docbot.db)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="docbot", description="Answers questions about Chinese documents with cited passages."
    )
    _common_options(p, None)
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, argparse.SUPPRESS)  # after the command too, not overriding before
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    s = command(
        "index", help="add folders, files or web pages to the index, or refresh what it has"
    )
    s.add_argument(
        "paths",
        nargs="*",
        help="folders, files (.txt .md .html .pdf .docx .epub .jsonl) or http(s) URLs to add "
        "or refresh; none: refresh every source the index has (first time: corpus/)",
    )
    s.add_argument(
        "--rebuild", action="store_true", help="build the whole index again from its sources"
    )
    s.add_argument(
        "--quiet", "-q", action="store_true", help="say nothing unless something goes wrong"
    )
    s.set_defaults(func=cmd_index)

    s = command("remove", help="forget documents or whole sources")
    s.add_argument(
        "what", nargs="+", help="a document's name, a source's path, URL or label (docbot docs)"
    )
    s.set_defaults(func=cmd_remove)

    s = command("docs", help="list the indexed documents and their sources")
    s.add_argument("--json", action="store_true", help="one JSON object per document")
    s.set_defaults(func=cmd_docs)

    s = command("update", help="add, replace or remove documents without rebuilding the index")
    s.add_argument("paths", nargs="*", help="files or folders to add or refresh")
    s.add_argument(
        "--remove",
        nargs="+",
        metavar="NAME",
        help="documents to remove, by name (file name, or path inside the indexed folder)",
    )
    s.add_argument(
        "--quiet", "-q", action="store_true", help="say nothing unless something goes wrong"
    )
    s.set_defaults(func=cmd_update)

    s = command("ask", help="answer one question, or one per line from stdin")
    s.add_argument("question", nargs="?", help="the question (default: read lines from stdin)")
    s.add_argument("-k", type=int, default=None, help="how many passages to cite (default 3)")
    s.add_argument("--json", action="store_true", help="one JSON object per answer")
    s.add_argument("--original", action="store_true", help="show passages in their own script")
    s.add_argument(
        "--conversation", action="store_true", help="treat stdin lines as one conversation"
    )
    s.set_defaults(func=cmd_ask)

    s = command("console", help="ask questions interactively")
    s.set_defaults(func=cmd_console)

    s = command("eval", help="Hit@k, MRR and rejection figures for a question set")
    s.add_argument("questions", help="questions .jsonl (shared/eval format)")
    s.add_argument("--passages", help="passages .jsonl to search instead of the index")
    s.add_argument("--convert", choices=["t2s", "s2t"], help="convert every question first")
    s.add_argument("--json", action="store_true", help="print the figures as JSON")
    s.add_argument(
        "--misses",
        action="store_true",
        help="also list each question got wrong: the gold's rank, the top passage, the reason",
    )
    s.set_defaults(func=cmd_eval)

    s = command("telegram", help="run the Telegram bot (long polling, or a webhook)")
    s.add_argument("--webhook", action="store_true", help="use the configured webhook")
    s.set_defaults(func=cmd_telegram)

    s = command("stats", help="questions asked, answered and not found, per day")
    s.add_argument("--days", type=int, default=14, help="how many days back (default 14)")
    s.set_defaults(func=cmd_stats)
    return p


# What the user can do about a library error, in terms of this command (the library's own
# messages say what is wrong, never which command to run).
_HINTS: tuple[tuple[type[RetrievalError], str], ...] = (
    (IndexMissingError, "Build it with: docbot index"),
    (IndexForeignError, "Choose another --index, or move the file away and run: docbot index"),
    (IndexCorruptError, "Delete it and run: docbot index"),
    (IndexOutdatedError, "Rebuild it with: docbot index"),
)


def _hint(exc: RetrievalError) -> str:
    hint = next((text for kind, text in _HINTS if isinstance(exc, kind)), None)
    return f" {hint}" if hint else ""


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if getattr(args, "k", None) is not None and args.k < 1:
            raise UsageError("-k must be at least 1")
        overrides = {("index", "path"): Path(args.index) if args.index else None}
        cfg = config_module.load(args.config, overrides=overrides)
        return int(args.func(args, cfg))
    except (ConfigError, UsageError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except RetrievalError as exc:
        print(f"Error: {exc}{_hint(exc)}", file=sys.stderr)
        return 1
    except (QuestionLogError, QuestionFileError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output stopped reading (| head): end quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more to flush at exit either
        return 0
    except OSError as exc:
        print(
            f"Error: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, the traceback on request
        if os.environ.get("DOCBOT_DEBUG"):
            raise
        print(
            f"Error: unexpected {type(exc).__name__}: {exc} (DOCBOT_DEBUG=1 shows the details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
