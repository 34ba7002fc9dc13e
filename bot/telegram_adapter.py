"""The Telegram adapter: each handler admits the sender, asks the service (in a thread), renders
and sends. The HTML comes from bot.render; the Bot API plumbing from bot.telegram_transport."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from .config import TelegramConfig
from .questionlog import QuestionLogError, format_stats
from .render import (
    TELEGRAM_ADMIN_COMMANDS,
    TELEGRAM_COMMANDS,
    phrase,
    telegram_answer,
    telegram_inline_results,
    telegram_preformatted,
    telegram_welcome,
)
from .service import Answer, Conversation
from .telegram_documents import about, document_message, documents_press, remove
from .telegram_pages import PAGE, Pressed, first_page, page_messages, pressed, recall, remember
from .telegram_state import (
    BotState,
    Library,
    admin,
    admitted,
    allowed,
    attach,
    script_of,
    state_of,
)
from .telegram_transport import (
    RateLimiter,
    TokenFilter,
    check_token,
    connect,
    install_log_masking,
    new_application,
    register_commands,
)

__all__ = [
    "ALL_UPDATES",
    "BotState",
    "Library",
    "RateLimiter",
    "TokenFilter",
    "attach",
    "build_application",
    "check_token",
    "connect",
    "install_log_masking",
]

log = logging.getLogger("docbot.telegram")

ALL_UPDATES = Update.ALL_TYPES
Send = Callable[..., Awaitable[Any]]  # Message.reply_text, or Bot.send_message bound to a chat


# --- the steps handlers are made of -------------------------------------------------------


async def _within_rate(update: Update, state: BotState) -> bool:
    """Whether the sender may ask now; over the limit, one notice a minute and otherwise silence."""
    user, message = update.effective_user, update.effective_message
    verdict = state.rate.check(user.id) if user is not None else "ok"
    if verdict == "notify" and message is not None:
        await message.reply_text(phrase("slow_down", script_of(update, state)))
    return verdict == "ok"


async def _show_typing(bot: Bot, chat_id: int) -> None:
    """The typing indicator: a courtesy, so a failure costs nothing but a log line."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.warning("Could not show the typing action: %s", exc)


def _record(state: BotState, update: Update, question: str, answer: Answer) -> None:
    """The question in the question log; a full disk must not cost the user the answer."""
    chat, user = update.effective_chat, update.effective_user
    passages = [c.sources[0].passage_id for c in answer.citations]
    try:
        state.questions.record(
            question,
            answer.answered,
            passages,
            answer.script,
            chat.id if chat else None,
            user.id if user else None,
        )
    except QuestionLogError as exc:
        log.error("%s", exc)


def _buttons(
    state: BotState, chat_id: int, question: str, answer: Answer, more: bool
) -> InlineKeyboardMarkup | None:
    """「更多」 and 「原文」 under an answer; the chat's last ones serve /original."""
    remembered = remember(state.questions, question, answer, more)
    if remembered is None:
        return None
    state.last_button[chat_id], markup = remembered
    return markup


async def _admitted_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[BotState, Pressed] | None:
    """The state and the button if the sender may press it and it is still known; else a
    short notice and None."""
    query, chat, state = update.callback_query, update.effective_chat, state_of(context)
    if query is None or chat is None:
        return None
    if not allowed(update, state.settings):
        await query.answer(phrase("refused", script_of(update, state)), show_alert=True)
        return None
    button = pressed(state.questions, query.data)
    if button is None:
        await query.answer(phrase("expired", script_of(update, state)))
        return None
    return state, button


async def _send_html(send: Send, bodies: Sequence[str], markup: Any = None) -> None:
    """Send ``bodies`` as HTML messages, ``markup`` (buttons) under the last one."""
    for n, body in enumerate(bodies):
        last = n == len(bodies) - 1
        await send(body, parse_mode=ParseMode.HTML, reply_markup=markup if last else None)


def _addressed(message: Message, bot: Bot) -> str | None:
    """The question in a group message that @mentions the bot or replies to it, else None."""
    text = message.text or ""
    username = (bot.username or "").lower()
    mentioned = bool(username) and f"@{username}" in text.lower()
    replied_to = message.reply_to_message.from_user if message.reply_to_message else None
    if not (mentioned or (replied_to is not None and replied_to.id == bot.id)):
        return None
    return re.sub(rf"@{re.escape(username)}", "", text, flags=re.IGNORECASE) if username else text


async def send_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer ``question`` in the chat of ``update``: best sentence, citations, buttons."""
    state = await admitted(update, context)
    message, chat = update.effective_message, update.effective_chat
    if state is None or message is None or chat is None or not await _within_rate(update, state):
        return
    await _show_typing(context.bot, chat.id)
    service = state.service  # the one this answer uses, even if /reindex swaps it meanwhile
    conversation = state.conversations.setdefault(chat.id, Conversation())
    answer, more = await asyncio.to_thread(first_page, service, question, conversation)
    _record(state, update, question, answer)
    markup = _buttons(state, chat.id, question, answer, more)
    await _send_html(
        message.reply_text,
        telegram_answer(answer, service.documents, display=state.display),
        markup,
    )


# --- handlers -----------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot knows, how to ask, examples, commands."""
    state = await admitted(update, context)
    if state is not None and update.effective_message is not None:
        body = telegram_welcome(state.service.documents, script_of(update, state), state.display)
        await update.effective_message.reply_text(body, parse_mode=ParseMode.HTML)


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question>: ask explicitly (the way to ask in groups)."""
    message = update.effective_message
    question = " ".join(context.args or []).strip()
    if message is not None and not question:
        await message.reply_text(phrase("ask_usage", script_of(update, state_of(context))))
    elif message is not None:
        await send_answer(update, context, question)


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: in private chats always a question; in groups only when addressed."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    private = chat.type == ChatType.PRIVATE
    question = message.text if private else _addressed(message, context.bot)
    if question is not None:
        await send_answer(update, context, question)


async def non_text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice ...: a one-line hint (in private chats)."""
    message, chat = update.effective_message, update.effective_chat
    if message is not None and chat is not None and chat.type == ChatType.PRIVATE:
        await message.reply_text(phrase("non_text", script_of(update, state_of(context))))


async def example_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question to try, under the reply to an upload: asked as if it had been typed."""
    query, state = update.callback_query, state_of(context)
    if query is None:
        return
    button_id = (query.data or "").removeprefix("q:")
    stored = state.questions.button(int(button_id)) if button_id.isdigit() else None
    await query.answer(None if stored else phrase("expired", script_of(update, state)))
    if stored is not None:
        await send_answer(update, context, stored[0])


async def button_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """「更多」 and 「原文」 under an answer: the next page, or the passages as written."""
    admitted = await _admitted_press(update, context)
    query, chat = update.callback_query, update.effective_chat
    if admitted is None or query is None or chat is None:
        return
    state, button = admitted
    bodies, markup = await asyncio.to_thread(page_messages, state.service, button, state.display)
    await query.answer(None if bodies else phrase("no_more", button.script))
    await _send_html(partial(context.bot.send_message, chat.id), bodies, markup)


async def original(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/original: the last answer's passages in their documents' own script."""
    state, message, chat = (
        await admitted(update, context),
        update.effective_message,
        update.effective_chat,
    )
    if state is None or message is None or chat is None:
        return
    last = recall(state.questions, state.last_button.get(chat.id), original=True)
    if last is None:
        await message.reply_text(phrase("no_previous", script_of(update, state)))
        return
    bodies, _ = await asyncio.to_thread(page_messages, state.service, last, state.display)
    await _send_html(message.reply_text, bodies)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot question in any chat: the top passages as results, each inserting its answer."""
    query, user, state = update.inline_query, update.effective_user, state_of(context)
    if query is None:
        return
    admitted = allowed(update, state.settings) and query.query.strip()
    if not admitted or (user is not None and not state.rate.allow(user.id)):
        await query.answer([], cache_time=5)
        return
    answer = await asyncio.to_thread(state.service.ask, query.query, None, PAGE)
    results = [
        InlineQueryResultArticle(
            id=str(n),
            title=r.title,
            description=r.description,
            input_message_content=InputTextMessageContent(r.html, parse_mode=ParseMode.HTML),
        )
        for n, r in enumerate(telegram_inline_results(answer, state.display))
    ]
    await query.answer(results, cache_time=30)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): questions answered and not found, per day."""
    state = await admin(update, context)
    if state is not None and update.effective_message is not None:
        summary = await asyncio.to_thread(state.questions.stats, 14)
        body = telegram_preformatted(format_stats(summary))
        await update.effective_message.reply_text(body, parse_mode=ParseMode.HTML)


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reindex (admins): re-read the corpus and swap the index while answering goes on."""
    state, message = await admin(update, context), update.effective_message
    if state is None or message is None:
        return
    script = script_of(update, state)
    if state.reindex_lock.locked():
        await message.reply_text(phrase("reindex_busy", script))
        return
    async with state.reindex_lock:
        await message.reply_text(phrase("reindexing", script))
        service = await asyncio.to_thread(state.reindex)
        state.service = service  # one assignment: questions in flight keep the old one
    documents, passages = len(service.documents), service.size
    await message.reply_text(phrase("reindexed", script, documents=documents, passages=passages))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anything unexpected: log the traceback, apologise briefly, keep running."""
    log.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            state = state_of(context)
            await update.effective_message.reply_text(phrase("apology", script_of(update, state)))
        except Exception:  # the apology itself failed (e.g. the API is down): already logged
            log.warning("Could not send the apology")


# --- wiring -------------------------------------------------------------------------------


def build_application(
    settings: TelegramConfig,
    token: str,
    warm: bool = True,
    read_timeout: float = 10.0,
    retry_budget: float = 90.0,
) -> Application:  # type: ignore[type-arg]
    """The Application with every handler; :func:`attach` gives it its state before it runs.
    Once connected it warms the service up (``warm``) and registers the command menu."""

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if warm:
            await asyncio.to_thread(app.bot_data["state"].service.warm)
        everyone, admins_too = TELEGRAM_COMMANDS, TELEGRAM_ADMIN_COMMANDS
        await register_commands(app.bot, everyone, admins_too, settings.admins)

    app = new_application(settings, token, post_init, read_timeout, retry_budget)
    _add_handlers(app)
    return app


def _add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    message_only = filters.UpdateType.MESSAGE  # edited messages are ignored, consistently
    commands: list[tuple[str | list[str], Any]] = [
        (["start", "help"], start),
        ("about", about),
        ("ask", ask),
        ("original", original),
        ("stats", stats),
        ("reindex", reindex),
        ("remove", remove),
    ]
    for names, handler in commands:
        app.add_handler(CommandHandler(names, handler, filters=message_only))
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    group_text = (
        filters.ChatType.GROUPS
        & filters.TEXT
        & ~filters.COMMAND
        & (filters.Entity(MessageEntity.MENTION) | filters.REPLY)
    )
    app.add_handler(MessageHandler(message_only & (private_text | group_text), text_message))
    private_files = filters.ChatType.PRIVATE & filters.Document.ALL
    app.add_handler(MessageHandler(message_only & private_files, document_message))
    non_text = message_only & ~filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(non_text, non_text_message))
    app.add_handler(CallbackQueryHandler(example_press, pattern=r"^q:"))
    app.add_handler(CallbackQueryHandler(documents_press, pattern=r"^(a|rp|rc|rx):"))
    app.add_handler(CallbackQueryHandler(button_press))
    app.add_handler(InlineQueryHandler(inline_query))
    app.add_error_handler(on_error)
