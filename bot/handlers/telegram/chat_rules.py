"""Where and what the bot accepts on Telegram: private chats for anything personal,
new messages only (an edit is never an answer), no channel posts.

Forms and personal commands in a group would run in public, and the group's chatter would
become their answers; so a group gets a short deep link to the private chat instead,
which lands on what was asked (``deep_links``).
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.handlers.telegram.common import Context, patiently, reply
from bot.handlers.telegram.deep_links import deep_link

logger = logging.getLogger(__name__)

# Personal commands: they show or change one person's data, or open a form.
PERSONAL_COMMANDS = (
    "start",
    "request",
    "become_mentor",
    "my",
    "limits",
    "availability",
    "timezone",
    "queue",
    "admin",
    "assign",
)
EDIT_IGNORED = (
    "I saw you edited a message; edits are not used. Please send the answer again as a new message."
)
TYPE_PLEASE = "Please type your answer"


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == chat.PRIVATE


def private_link(context: Context, payload: str) -> str | None:
    """The deep link to ``payload`` in this bot's private chat (None if the bot has no
    username, which a bot registered with @BotFather always has)."""
    username = context.bot.username
    return deep_link(username, payload) if username else None


def pointer(update: Update, context: Context, command: str, payload: str) -> str:
    """A short 'do this in private' text, naming the person (a group has many)."""
    user = update.effective_user
    name = f"{user.first_name}, p" if user is not None else "P"
    link = private_link(context, payload)
    where = f"in our private chat: {link}" if link else "to me in a private chat."
    return f"{name}lease send /{command} {where}"


async def personal_command_in_group(update: Update, context: Context) -> None:
    """A personal command sent in a group: a pointer to the private chat, nothing run."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").partition("@")[0].lower()
    payload = "" if command == "start" else command
    await reply(update, pointer(update, context, command, payload))


async def button_in_group(update: Update, context: Context, payload: str) -> None:
    """A button that opens a form, pressed in a group: the answer opens the private chat
    at ``payload`` (answerCallbackQuery's ``url`` takes ``t.me/<bot>?start=`` links)."""
    query = update.callback_query
    if query is None:
        return
    link = private_link(context, payload)
    if link is None:
        await patiently(lambda: query.answer("Please open a private chat with me.", True))
        return
    await patiently(lambda: query.answer(url=link))


async def edited(update: Update, context: Context) -> None:
    """An edited message is never taken as an answer (the form has moved on since); in a
    private chat the person is told, in a group nothing is said."""
    if is_private(update):
        await reply(update, EDIT_IGNORED)


async def channel_post(update: Update, context: Context) -> None:
    """Channel posts are not for this bot: no reply, no state, nothing stored."""
    raise ApplicationHandlerStop
