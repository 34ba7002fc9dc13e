"""What the Telegram handlers share: the bot's state, and who may do what (ask, upload,
administer)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes

from retrieval import BuildReport, DocumentInfo, Origin
from retrieval.normalization import Script

from .config import TelegramConfig
from .questionlog import QuestionLog
from .render import DEFAULT_DISPLAY, DisplaySettings, phrase
from .service import Conversation, Service
from .telegram_transport import RateLimiter


@dataclass(frozen=True)
class Library:
    """The collection's documents as the bot may change them (bot.app provides each step):
    ``add(data, file_name)`` keeps and indexes an upload and returns the report and the
    document's name; ``remove(name)`` forgets a document (an upload's file is deleted);
    ``catalog()`` lists sources and documents; ``reopen()`` is a service over the index now."""

    add: Callable[[bytes, str], tuple[BuildReport, str]]
    remove: Callable[[str], BuildReport]
    catalog: Callable[[], tuple[list[Origin], list[DocumentInfo]]]
    reopen: Callable[[], Service]
    folder: Path  # the upload folder


@dataclass
class BotState:
    """What the handlers share. ``service`` is swapped whole on /reindex and after an upload
    or a removal (under ``reindex_lock``)."""

    service: Service
    questions: QuestionLog
    settings: TelegramConfig
    reindex: Callable[[], Service]
    rate: RateLimiter
    conversations: dict[int, Conversation] = field(default_factory=dict)
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_button: dict[int, int] = field(default_factory=dict)
    display: DisplaySettings = DEFAULT_DISPLAY
    library: Library | None = None  # None: documents cannot be sent or removed


def attach(app: Application, state: BotState) -> None:  # type: ignore[type-arg]
    """Give the handlers of ``app`` their shared state."""
    app.bot_data["state"] = state


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    state: BotState = context.application.bot_data["state"]
    return state


def script_of(update: Update, state: BotState) -> Script:
    """The script to answer in: the chat's last question's, else the user's language setting."""
    chat = update.effective_chat
    conv = state.conversations.get(chat.id) if chat else None
    if conv and conv.script:
        return conv.script
    user = update.effective_user
    code = (user.language_code or "").lower() if user else ""
    return "traditional" if code in ("zh-tw", "zh-hk", "zh-hant", "zh-mo") else "simplified"


def allowed(update: Update, settings: TelegramConfig) -> bool:
    """Whether the sender may ask (the allowlists, when there are any)."""
    user, chat = update.effective_user, update.effective_chat
    if settings.allowed_users and (user is None or user.id not in settings.allowed_users):
        return False
    return not (settings.allowed_chats and (chat is None or chat.id not in settings.allowed_chats))


def is_admin(update: Update, settings: TelegramConfig) -> bool:
    user = update.effective_user
    return user is not None and user.id in settings.admins


def may_upload(update: Update, settings: TelegramConfig) -> bool:
    """Whether the sender may add documents: the ``upload`` setting says who."""
    if settings.upload == "admins":
        return is_admin(update, settings)
    return settings.upload == "allowed" and (
        allowed(update, settings) or is_admin(update, settings)
    )


async def admitted(update: Update, context: ContextTypes.DEFAULT_TYPE) -> BotState | None:
    """The shared state if the sender may use the bot; otherwise a polite refusal and None."""
    state = state_of(context)
    if update.effective_message is None:
        return None
    if not allowed(update, state.settings):
        await update.effective_message.reply_text(phrase("refused", script_of(update, state)))
        return None
    return state


async def admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> BotState | None:
    """The shared state if the sender is an admin; otherwise a short refusal and None."""
    state = state_of(context)
    message = update.effective_message
    if message is None:
        return None
    if not is_admin(update, state.settings):
        await message.reply_text(phrase("admin_only", script_of(update, state)))
        return None
    return state
