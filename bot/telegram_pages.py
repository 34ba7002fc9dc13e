"""Answers in pages of PAGE citations, and the 「更多」 / 「原文」 buttons under them. A button's
question lives in the question log, so buttons keep working after a restart."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import cast

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from retrieval.normalization import Script

from .questionlog import QuestionLog, QuestionLogError
from .render import DEFAULT_DISPLAY, DisplaySettings, phrase, telegram_answer
from .service import Answer, Conversation, Service

log = logging.getLogger("docbot.telegram")

PAGE = 3  # citations per message


@dataclass(frozen=True)
class Pressed:
    """A 「更多」 or 「原文」 button, with the question it belongs to."""

    original: bool
    button_id: int
    page: int
    question: str
    script: Script


def first_page(service: Service, question: str, conversation: Conversation) -> tuple[Answer, bool]:
    """The answer holding the first page of citations, and whether there are more."""
    answer = service.ask(question, conversation, PAGE + 1)
    return replace(answer, citations=answer.citations[:PAGE]), len(answer.citations) > PAGE


def page_of(service: Service, question: str, script: Script, page: int) -> Answer:
    """The answer to ``question`` holding only the citations of ``page`` (0-based)."""
    full = service.ask(question, Conversation(script=script), k=PAGE * (page + 1) + 1)
    full = replace(full, script=script)
    cites = full.citations[PAGE * page : PAGE * (page + 1)]
    return replace(full, citations=cites, near_misses=full.citations[PAGE * (page + 1) :])


def page_messages(
    service: Service, pressed: Pressed, display: DisplaySettings = DEFAULT_DISPLAY
) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The messages of the page ``pressed`` asks for (none if there is no such page), and the
    buttons under them."""
    answer = page_of(service, pressed.question, pressed.script, pressed.page)
    if not answer.citations:
        return [], None
    first = PAGE * pressed.page + 1
    bodies = telegram_answer(answer, service.documents, pressed.original, first, False, display)
    if pressed.original:
        return bodies, None
    more = bool(answer.near_misses)
    return bodies, keyboard(pressed.button_id, pressed.page, pressed.script, more)


def keyboard(button_id: int, page: int, script: Script, has_more: bool) -> InlineKeyboardMarkup:
    buttons = []
    if has_more:
        buttons.append(
            InlineKeyboardButton(phrase("more", script), callback_data=f"m:{button_id}:{page + 1}")
        )
    buttons.append(
        InlineKeyboardButton(phrase("original", script), callback_data=f"o:{button_id}:{page}")
    )
    return InlineKeyboardMarkup([buttons])


def remember(
    questions: QuestionLog, question: str, answer: Answer, more: bool
) -> tuple[int, InlineKeyboardMarkup] | None:
    """The buttons under an answer, its question kept in ``questions`` under a new id. None for
    an unanswered question, or when the log cannot be written (the answer still goes out)."""
    if not answer.answered:
        return None
    try:
        button_id = questions.remember_button(answer.understood_as or question, answer.script)
    except QuestionLogError as exc:
        log.error("%s", exc)
        return None
    return button_id, keyboard(button_id, 0, answer.script, more)


def recall(
    questions: QuestionLog, button_id: int | None, page: int = 0, original: bool = False
) -> Pressed | None:
    """Button ``button_id`` (showing ``page``, or the passages as written); None if forgotten."""
    stored = questions.button(button_id) if button_id else None
    if button_id is None or stored is None:
        return None
    question, script = stored
    return Pressed(original, button_id, page, question, cast(Script, script))


def pressed(questions: QuestionLog, data: str | None) -> Pressed | None:
    """The button behind callback ``data``; None if it is malformed or forgotten."""
    match = re.fullmatch(r"([mo]):(\d+):(\d+)", data or "")
    if match is None:
        return None
    return recall(questions, int(match.group(2)), int(match.group(3)), match.group(1) == "o")
