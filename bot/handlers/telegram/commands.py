"""Slash commands that answer with one message (lists, limits, admin views).

Personal ones reach these handlers only from a private chat (``chat_rules``)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.conversation.actions.people import ZONE_BUTTONS
from bot.handlers.telegram.buttons import typed_command
from bot.handlers.telegram.common import Context, HandlerResult, guarded, reply
from bot.handlers.telegram.keyboards import actions_keyboard

BOT_COMMANDS = (
    ("start", "Register and set your time zone"),
    ("request", "Ask for a mentorship session"),
    ("my", "Your requests and sessions"),
    ("limits", "What you can still ask for"),
    ("mentors", "Mentors and their ratings; ask one for a session"),
    ("timezone", "Set your time zone"),
    ("become_mentor", "Apply to mentor"),
    ("availability", "Your weekly availability (mentors)"),
    ("queue", "Open requests (mentors)"),
    ("admin", "Approvals, assignment, statistics (admins)"),
    ("cancel", "Stop the current form"),
    ("back", "Go back one step in a form"),
    ("help", "All commands"),
)


def timezone_keyboard() -> InlineKeyboardMarkup | None:
    return actions_keyboard(ZONE_BUTTONS)


TELEGRAM_HELP = (
    "What I can do (buttons under my messages do the rest):\n"
    + "\n".join(f"/{name} - {description}" for name, description in BOT_COMMANDS)
    + "\n/availability add Mon 18:00-20:00 - add a weekly window (mentors)"
    + "\n/assign REQUEST_ID MENTOR_ID - hand a request to a mentor (admins)"
)


@guarded
async def help_command(update: Update, context: Context) -> HandlerResult:
    """The Telegram commands (the console's HELP names commands this front-end lacks)."""
    await reply(update, TELEGRAM_HELP)
    return None


# Each is an action of the vocabulary, typed with its arguments (``/assign 12 7``).
timezone = typed_command("timezone")
my = typed_command("my")
limits = typed_command("limits")
mentors = typed_command("mentors")
queue = typed_command("queue")
availability = typed_command("availability")
admin = typed_command("admin")
assign = typed_command("assign")
