"""The Telegram adapter: updates in, Answers rendered as Telegram HTML out. No retrieval here."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from retrieval.normalization import Script, convert

from .config import TelegramConfig
from .questionlog import QuestionLog, QuestionLogError, format_stats
from .render import (
    DEFAULT_DISPLAY,
    HTML,
    answer_blocks,
    cite,
    document_line,
    document_list,
    phrase,
    split_messages,
)
from .service import Answer, Conversation, Service
from .telegram_transport import (
    RateLimiter,
    RetryingRequest,
    TokenFilter,
    check_token,
    install_log_masking,
)

__all__ = [
    "BotState",
    "RateLimiter",
    "TokenFilter",
    "build_application",
    "check_token",
    "install_log_masking",
]

log = logging.getLogger("docbot.telegram")

PAGE = 3  # citations per message
EXAMPLES = [
    "肇庆一共建成了多少个初心堂？",
    "深圳建了多少個暖蜂驛站？",
    "廣東駐鎮幫扶幫了幾個鄉鎮？",
]


@dataclass
class BotState:
    """What the handlers share. ``service`` is swapped whole on /reindex."""

    service: Service
    questions: QuestionLog
    settings: TelegramConfig
    reindex: Callable[[], Service]
    rate: RateLimiter
    conversations: dict[int, Conversation] = field(default_factory=dict)
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_button: dict[int, int] = field(default_factory=dict)


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state: BotState = context.application.bot_data["state"]
    return state


def _script_of(update: Update, state: BotState) -> Script:
    chat = update.effective_chat
    conv = state.conversations.get(chat.id) if chat else None
    if conv and conv.script:
        return conv.script
    user = update.effective_user
    code = (user.language_code or "").lower() if user else ""
    return "traditional" if code in ("zh-tw", "zh-hk", "zh-hant", "zh-mo") else "simplified"


def _allowed(update: Update, settings: TelegramConfig) -> bool:
    user, chat = update.effective_user, update.effective_chat
    if settings.allowed_users and (user is None or user.id not in settings.allowed_users):
        return False
    return not (settings.allowed_chats and (chat is None or chat.id not in settings.allowed_chats))


def _is_admin(update: Update, settings: TelegramConfig) -> bool:
    user = update.effective_user
    return user is not None and user.id in settings.admins


# --- replies ------------------------------------------------------------------------------


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


def page_of(service: Service, question: str, script: Script, page: int) -> Answer:
    """The answer to ``question`` holding only the citations of ``page`` (0-based)."""
    full = service.ask(question, Conversation(script=script), k=PAGE * (page + 1) + 1)
    full = replace(full, script=script)
    cites = full.citations[PAGE * page : PAGE * (page + 1)]
    return replace(full, citations=cites, near_misses=full.citations[PAGE * (page + 1) :])


async def send_answer(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer ``question`` in the chat of ``update``: best sentence, citations, buttons."""
    state = await _admitted(update, context)
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if state is None or message is None or chat is None:
        return
    verdict = state.rate.check(user.id) if user is not None else "ok"
    if verdict != "ok":
        if verdict == "notify":
            await message.reply_text(phrase("slow_down", _script_of(update, state)))
        return
    try:
        await context.bot.send_chat_action(chat.id, ChatAction.TYPING)
    except TelegramError as exc:  # the typing indicator is a courtesy; the answer still goes out
        log.warning("Could not show the typing action: %s", exc)
    conversation = state.conversations.setdefault(chat.id, Conversation())
    service = state.service
    answer = await asyncio.to_thread(service.ask, question, conversation, PAGE + 1)
    more = len(answer.citations) > PAGE
    answer = replace(answer, citations=answer.citations[:PAGE])
    passages = [c.sources[0].passage_id for c in answer.citations]
    try:
        state.questions.record(
            question, answer.answered, passages, answer.script, chat.id, user.id if user else None
        )
    except QuestionLogError as exc:  # a full disk must not cost the user the answer
        log.error("%s", exc)
    documents = list(service.retriever.documents.values())
    messages = split_messages(answer_blocks(answer, documents, HTML))
    markup = None
    if answer.answered:
        try:
            button_id = state.questions.remember_button(
                answer.understood_as or question, answer.script
            )
            state.last_button[chat.id] = button_id
            markup = keyboard(button_id, 0, answer.script, more)
        except QuestionLogError as exc:  # no buttons then, but the answer goes out
            log.error("%s", exc)
    for n, body in enumerate(messages):
        last = n == len(messages) - 1
        await message.reply_text(
            body, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


async def _admitted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> BotState | None:
    """The shared state if the sender may use the bot; otherwise a polite refusal and None."""
    state = state_of(context)
    if update.effective_message is None:
        return None
    if not _allowed(update, state.settings):
        await update.effective_message.reply_text(phrase("refused", _script_of(update, state)))
        return None
    return state


# --- handlers -----------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: what the bot knows, how to ask, examples, commands."""
    state = await _admitted(update, context)
    message = update.effective_message
    if state is None or message is None:
        return
    script = _script_of(update, state)
    docs = document_list(list(state.service.retriever.documents.values()), script)
    examples = [convert(e, "s2t" if script == "traditional" else "t2s") for e in EXAMPLES]
    body = "\n".join(
        [html.escape(phrase("intro", script))]
        + [html.escape(f"· {d}") for d in docs]
        + ["", html.escape(phrase("how", script)), html.escape(phrase("examples", script))]
        + [f"<code>{html.escape(e)}</code>" for e in examples]
        + ["", html.escape(phrase("commands", script))]
    )
    await message.reply_text(body, parse_mode=ParseMode.HTML)


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/about: the indexed documents with title, date, source and passage count."""
    state = await _admitted(update, context)
    message = update.effective_message
    if state is None or message is None:
        return
    script = _script_of(update, state)
    retriever = state.service.retriever
    lines = [
        html.escape(document_line(d, script)) + f"（{retriever.passage_count(d.name)} 段）"
        for d in retriever.documents.values()
    ]
    await message.reply_text("\n".join(lines) or "—", parse_mode=ParseMode.HTML)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question>: ask explicitly (the way to ask in groups)."""
    message = update.effective_message
    question = " ".join(context.args or []).strip()
    if message is None:
        return
    if not question:
        await message.reply_text(phrase("ask_usage", _script_of(update, state_of(context))))
        return
    await send_answer(update, context, question)


async def question_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: in private chats always a question; in groups only when addressed."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    question = message.text
    if chat.type != ChatType.PRIVATE:
        username = (context.bot.username or "").lower()
        mentioned = f"@{username}" in question.lower() if username else False
        replied = bool(
            message.reply_to_message
            and message.reply_to_message.from_user
            and message.reply_to_message.from_user.id == context.bot.id
        )
        if not (mentioned or replied):
            return
        if username:
            question = re.sub(rf"@{re.escape(username)}", "", question, flags=re.IGNORECASE)
    await send_answer(update, context, question)


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice ...: a one-line hint (in private chats)."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    await message.reply_text(phrase("non_text", _script_of(update, state_of(context))))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """「更多」 and 「原文」 under an answer; the state behind them lives in the question log."""
    query = update.callback_query
    if query is None:
        return
    state = state_of(context)
    if not _allowed(update, state.settings):
        await query.answer(phrase("refused", _script_of(update, state)), show_alert=True)
        return
    match = re.fullmatch(r"([mo]):(\d+):(\d+)", query.data or "")
    stored = state.questions.button(int(match.group(2))) if match else None
    if match is None or stored is None:
        await query.answer(phrase("expired", _script_of(update, state)))
        return
    kind, button_id, page = match.group(1), int(match.group(2)), int(match.group(3))
    question, script = stored
    answer = await asyncio.to_thread(page_of, state.service, question, script, page)  # type: ignore[arg-type]
    if not answer.citations:
        await query.answer(phrase("no_more", script))  # type: ignore[arg-type]
        return
    await query.answer()
    documents = list(state.service.retriever.documents.values())
    blocks = answer_blocks(
        answer,
        documents,
        HTML,
        original=kind == "o",
        first_number=PAGE * page + 1,
        with_sentence=False,
    )
    messages = split_messages(blocks)
    markup = keyboard(button_id, page, script, bool(answer.near_misses)) if kind == "m" else None  # type: ignore[arg-type]
    chat = update.effective_chat
    if chat is None:
        return
    for n, body in enumerate(messages):
        last = n == len(messages) - 1
        await context.bot.send_message(
            chat.id, body, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


async def original(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/original: the last answer's passages in their documents' own script."""
    state = state_of(context)
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    button_id = state.last_button.get(chat.id)
    stored = state.questions.button(button_id) if button_id else None
    if stored is None:
        await message.reply_text(phrase("no_previous", _script_of(update, state)))
        return
    answer = await asyncio.to_thread(page_of, state.service, stored[0], stored[1], 0)  # type: ignore[arg-type]
    documents = list(state.service.retriever.documents.values())
    for body in split_messages(
        answer_blocks(answer, documents, HTML, original=True, with_sentence=False)
    ):
        await message.reply_text(body, parse_mode=ParseMode.HTML)


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot question in any chat: the top passages as results, each inserting the answer."""
    query = update.inline_query
    if query is None:
        return
    state = state_of(context)
    if not _allowed(update, state.settings) or not query.query.strip():
        await query.answer([], cache_time=5)
        return
    user = update.effective_user
    if user is not None and not state.rate.allow(user.id):
        await query.answer([], cache_time=5)
        return
    answer = await asyncio.to_thread(state.service.ask, query.query, None, PAGE)
    results = []
    for n, citation in enumerate(answer.citations if answer.answered else ()):
        source = citation.sources[0]
        raw = answer.sentence.text if (answer.sentence and n == 0) else citation.text
        sentence = DEFAULT_DISPLAY.show(raw, answer.script)
        body = f"{html.escape(sentence)}\n—— {html.escape(cite(source, answer.script))}"
        results.append(
            InlineQueryResultArticle(
                id=f"{n}",
                title=cite(source, answer.script)[:100],
                description=DEFAULT_DISPLAY.show(citation.text, answer.script)[:120],
                input_message_content=InputTextMessageContent(
                    body[:4000], parse_mode=ParseMode.HTML
                ),
            )
        )
    await query.answer(results, cache_time=30)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admins): questions answered and not found, per day."""
    state = state_of(context)
    message = update.effective_message
    if message is None:
        return
    if not _is_admin(update, state.settings):
        await message.reply_text(phrase("admin_only", _script_of(update, state)))
        return
    summary = await asyncio.to_thread(state.questions.stats, 14)
    await message.reply_text(
        f"<pre>{html.escape(format_stats(summary))}</pre>", parse_mode=ParseMode.HTML
    )


async def reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reindex (admins): re-read the corpus and swap the index while answering goes on."""
    state = state_of(context)
    message = update.effective_message
    if message is None:
        return
    script = _script_of(update, state)
    if not _is_admin(update, state.settings):
        await message.reply_text(phrase("admin_only", script))
        return
    if state.reindex_lock.locked():
        await message.reply_text(phrase("reindex_busy", script))
        return
    async with state.reindex_lock:
        await message.reply_text(phrase("reindexing", script))
        new_service = await asyncio.to_thread(state.reindex)
        state.service = new_service  # one assignment: questions in flight keep the old one
    r = new_service.retriever
    await message.reply_text(
        phrase("reindexed", script, documents=len(r.documents), passages=len(r))
    )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback, apologise briefly where there is a message, keep running."""
    log.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            state = state_of(context)
            await update.effective_message.reply_text(phrase("apology", _script_of(update, state)))
        except Exception:  # the apology itself failed (e.g. the API is down): already logged
            log.warning("Could not send the apology")


# --- wiring -------------------------------------------------------------------------------


def build_application(
    state: BotState,
    token: str,
    post_init_warm: bool = True,
    read_timeout: float = 10.0,
    retry_budget: float = 90.0,
) -> Application:  # type: ignore[type-arg]
    """The python-telegram-bot Application with every handler; ``state`` in bot_data."""
    settings = state.settings

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        if post_init_warm:
            await asyncio.to_thread(state.service.retriever.tokenizer.warm)
            await asyncio.to_thread(state.service.ask, "预热")

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .request(
            RetryingRequest(connection_pool_size=64, read_timeout=read_timeout, budget=retry_budget)
        )
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .build()
    )
    app.bot_data["state"] = state
    message_only = filters.UpdateType.MESSAGE  # edited messages are ignored, consistently
    app.add_handler(CommandHandler(["start", "help"], start, filters=message_only))
    app.add_handler(CommandHandler("about", about, filters=message_only))
    app.add_handler(CommandHandler("ask", ask_command, filters=message_only))
    app.add_handler(CommandHandler("original", original, filters=message_only))
    app.add_handler(CommandHandler("stats", stats, filters=message_only))
    app.add_handler(CommandHandler("reindex", reindex, filters=message_only))
    private_text = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND
    group_text = (
        filters.ChatType.GROUPS
        & filters.TEXT
        & ~filters.COMMAND
        & (filters.Entity(MessageEntity.MENTION) | filters.REPLY)
    )
    app.add_handler(MessageHandler(message_only & (private_text | group_text), question_message))
    app.add_handler(MessageHandler(message_only & ~filters.TEXT & ~filters.COMMAND, non_text))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(InlineQueryHandler(inline_query))
    app.add_error_handler(on_error)
    return app
