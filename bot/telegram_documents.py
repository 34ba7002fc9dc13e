"""Documents in Telegram: a file sent to the bot is kept and indexed (with questions to try),
/about lists the documents a page at a time, /remove (admins) forgets one after a confirming
button. The files themselves are kept and indexed by bot.app, through ``BotState.library``."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from retrieval import Document
from retrieval.normalization import Script

from .questionlog import QuestionLogError
from .render import phrase, telegram_document_list, telegram_upload_added
from .service import Service
from .telegram_state import (
    BotState,
    Library,
    admin,
    admitted,
    allowed,
    is_admin,
    may_upload,
    script_of,
    state_of,
)

log = logging.getLogger("docbot.telegram")

MAX_DOWNLOAD = 20 * 1024 * 1024  # what the Bot API lets a bot download
ABOUT_PAGE = 10  # documents per /about page
REMOVE_CHOICES = 50  # documents offered as buttons by /remove without a name
EXAMPLE_TRIES = 8  # candidate questions checked against the index per upload


# --- a document sent to the bot -----------------------------------------------------------


async def document_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent to the bot: downloaded, kept in the upload folder, indexed; the reply (one
    message, edited as it goes) gives its title, date, passages and two questions to try."""
    state, message = state_of(context), update.effective_message
    if message is None or message.document is None:
        return
    script, document = script_of(update, state), message.document
    if state.library is None or not may_upload(update, state.settings):
        await message.reply_text(phrase("upload_refused", script))
        return
    if (document.file_size or 0) > MAX_DOWNLOAD:
        megabytes = f"{(document.file_size or 0) / 1024 / 1024:.1f}"
        await message.reply_text(phrase("upload_too_big", script, mb=megabytes))
        return
    name = document.file_name or "document" + (
        mimetypes.guess_extension(document.mime_type or "") or ""
    )
    shown = re.split(r"[/\\]", name)[-1][:80]  # for display only; bot.app makes the file name
    progress = await message.reply_text(phrase("upload_reading", script, name=shown))
    try:
        data = bytes(await (await document.get_file()).download_as_bytearray())
    except TelegramError as exc:
        log.warning("Could not download a document: %s", exc)
        await progress.edit_text(phrase("apology", script))
        return
    await progress.edit_text(phrase("upload_indexing", script))
    await _index_upload(state, state.library, progress, data, name, script)


async def _index_upload(
    state: BotState, library: Library, progress: Message, data: bytes, name: str, script: Script
) -> None:
    """Index the upload (in a thread, one change to the index at a time), swap the service,
    and edit ``progress`` into the result."""
    async with state.reindex_lock:
        report, doc_name = await asyncio.to_thread(library.add, data, name)
        why = dict(report.skipped).get(doc_name)
        if why is None:
            state.service = await asyncio.to_thread(library.reopen)
    if why is not None:
        await progress.edit_text(phrase("upload_skipped", script, name=doc_name, why=why))
        return
    service = state.service
    doc = next((d for d in service.documents if d.name == doc_name), None)
    if doc is None:  # indexed, then replaced by a concurrent change: nothing left to describe
        return
    examples = await asyncio.to_thread(example_questions, service, doc_name)
    examples = [state.display.show(q, script) for q in examples]
    passages = service.passage_count(doc_name)
    body = telegram_upload_added(doc, passages, examples, script, state.display)
    await progress.edit_text(
        body, parse_mode=ParseMode.HTML, reply_markup=_example_buttons(state, examples, script)
    )


def _example_buttons(
    state: BotState, examples: list[str], script: Script
) -> InlineKeyboardMarkup | None:
    """One button per example question; the question kept in the question log."""
    rows = []
    for question in examples:
        try:
            button_id = state.questions.remember_button(question, script)
        except QuestionLogError as exc:
            log.error("%s", exc)
            return None
        rows.append([InlineKeyboardButton(question, callback_data=f"q:{button_id}")])
    return InlineKeyboardMarkup(rows) if rows else None


_SENTENCES = re.compile(r"[^。！？!?；;\n]+")
_CLAUSES = re.compile(r"[^，,、：:（）()「」“”\"]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_DEFINED = re.compile(r"^([\u4e00-\u9fff]{2,10}?)(?:是|为|為)")


def question_from(passage: str) -> str | None:
    """A question made from the passage's most informative sentence: 「X是什么？」 where it
    defines something, else its longest clause (at most 18 characters) asked back."""
    sentences = [s.strip() for s in _SENTENCES.findall(passage)]
    sentences = [s for s in sentences if len(_HAN.findall(s)) >= 8]
    if not sentences:
        return None
    sentence = max(sentences, key=lambda s: len(set(_HAN.findall(s))))
    defined = _DEFINED.match(sentence)
    if defined:
        return f"{defined.group(1)}是什么？"
    clause = max(_CLAUSES.findall(sentence), key=lambda c: len(_HAN.findall(c)))
    return f"{clause.strip()[:18]}？"


def example_questions(service: Service, name: str, want: int = 2) -> list[str]:
    """Up to ``want`` questions from different passages of document ``name``, each of which
    the service answers with a passage of that document first."""
    found: list[str] = []
    tried = 0
    for passage in service.passages_of(name):
        question = question_from(passage)
        if question is None or question in found:
            continue
        tried += 1
        answer = service.ask(question, None, 3)
        if answer.answered and answer.citations[0].sources[0].doc == name:
            found.append(question)
        if len(found) >= want or tried >= EXAMPLE_TRIES:
            break
    return found


# --- /about -------------------------------------------------------------------------------


def about_page(
    state: BotState, script: Script, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page ``page`` (0-based, clamped) of the document list, and the buttons to turn pages."""
    service = state.service
    documents = service.documents
    pages = max(1, -(-len(documents) // ABOUT_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = documents[page * ABOUT_PAGE : (page + 1) * ABOUT_PAGE]
    counted = [(d, service.passage_count(d.name)) for d in shown]
    body = telegram_document_list(counted, script, state.display, page, pages)
    buttons = []
    if page > 0:
        text = phrase("previous_page", script)
        buttons.append(InlineKeyboardButton(text, callback_data=f"a:{page - 1}"))
    if page < pages - 1:
        buttons.append(
            InlineKeyboardButton(phrase("next_page", script), callback_data=f"a:{page + 1}")
        )
    return body, InlineKeyboardMarkup([buttons]) if buttons else None


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/about: the indexed documents with title, date, source, format and passage count."""
    state = await admitted(update, context)
    if state is not None and update.effective_message is not None:
        body, markup = about_page(state, script_of(update, state), 0)
        await update.effective_message.reply_text(
            body, parse_mode=ParseMode.HTML, reply_markup=markup
        )


# --- /remove ------------------------------------------------------------------------------


def _named(service: Service, name: str) -> Document | None:
    """The document called ``name`` (its name, else its title)."""
    documents = service.documents
    return next((d for d in documents if d.name == name), None) or next(
        (d for d in documents if d.title == name), None
    )


def _remembered(state: BotState, name: str, kind: str) -> str:
    """A button's callback data for document ``name``, the name kept in the question log."""
    return f"{kind}:{state.questions.remember_button(name, 'remove')}"


async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove <name> (admins): asks to confirm with a button; without a name, a list to pick."""
    state, message = await admin(update, context), update.effective_message
    if state is None or message is None:
        return
    script, name = script_of(update, state), " ".join(context.args or []).strip()
    if not name:
        documents = state.service.documents[:REMOVE_CHOICES]
        rows = [
            [InlineKeyboardButton(d.title[:60], callback_data=_remembered(state, d.name, "rp"))]
            for d in documents
        ]
        await message.reply_text(
            phrase("remove_pick", script), reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    doc = _named(state.service, name)
    if doc is None:
        await message.reply_text(phrase("remove_unknown", script, name=name))
        return
    body, markup = _confirmation(state, doc, script)
    await message.reply_text(body, reply_markup=markup)


def _confirmation(
    state: BotState, doc: Document, script: Script
) -> tuple[str, InlineKeyboardMarkup]:
    yes = InlineKeyboardButton(
        phrase("remove_yes", script), callback_data=_remembered(state, doc.name, "rc")
    )
    no = InlineKeyboardButton(phrase("remove_no", script), callback_data="rx:0")
    title = state.display.show(doc.title, script)
    return phrase("remove_confirm", script, title=title), InlineKeyboardMarkup([[yes, no]])


async def _removed(state: BotState, library: Library, doc: Document, script: Script) -> str:
    """Forget ``doc`` (its file too, when it was sent to the bot) and swap the service."""
    async with state.reindex_lock:
        await asyncio.to_thread(library.remove, doc.name)
        state.service = await asyncio.to_thread(library.reopen)
    title = state.display.show(doc.title, script)
    return phrase("removed", script, title=title, documents=len(state.service.documents))


# --- their buttons ------------------------------------------------------------------------


async def documents_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The buttons of /about (turn the page) and /remove (pick, confirm, cancel)."""
    query, state = update.callback_query, state_of(context)
    if query is None or not allowed(update, state.settings):
        return
    script = script_of(update, state)
    kind, _, value = (query.data or "").partition(":")
    if kind == "a" and value.isdigit():
        await query.answer()
        body, markup = about_page(state, script, int(value))
        await query.edit_message_text(body, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    if not is_admin(update, state.settings) or state.library is None:
        await query.answer(phrase("admin_only", script), show_alert=True)
        return
    await query.answer()
    if kind == "rx":
        await query.edit_message_text(phrase("remove_cancelled", script))
        return
    stored = state.questions.button(int(value)) if value.isdigit() else None
    doc = _named(state.service, stored[0]) if stored and stored[1] == "remove" else None
    if doc is None:
        await query.edit_message_text(phrase("expired", script))
    elif kind == "rp":
        body, markup = _confirmation(state, doc, script)
        await query.edit_message_text(body, reply_markup=markup)
    elif kind == "rc":
        await query.edit_message_text(await _removed(state, state.library, doc, script))
