"""/start: first contact (register, ask the time zone once), or a deep link's payload.

``/start <name>-<argument>`` from a link (``deep_links``) runs the command ``<name>`` as
if ``/<name> <argument>`` had been sent, through ``START_PAYLOADS``: adding a payload is
one entry here. The forms' payloads (request, ask-, edit-, become_mentor) have handlers
of their own (``start_filter``), registered before this one.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update

from bot.handlers.telegram import commands
from bot.handlers.telegram.buttons import link_press
from bot.handlers.telegram.common import Context, HandlerResult, call, guarded, me, reply
from bot.handlers.telegram.deep_links import parse_payload
from core.delivery.messages import ActionName
from core.members import Identity, Platform
from core.services.members import find_member

StartAction = Callable[[Update, Context], Coroutine[Any, Any, HandlerResult]]

# payload name -> the handler it runs; the payload's argument becomes ``context.args``
START_PAYLOADS: dict[str, StartAction] = {
    "my": commands.my,
    "limits": commands.limits,
    "availability": commands.availability,
    "timezone": commands.timezone,
    "queue": commands.queue,
    "admin": commands.admin,
    "assign": commands.assign,
    "mentors": commands.mentors,
    "help": commands.help_command,
    # where a claim's or a move's time buttons could not be sent (no private chat yet)
    ActionName.PICK_SLOT.value: link_press(ActionName.PICK_SLOT),
    ActionName.RESCHEDULE.value: link_press(ActionName.RESCHEDULE),
}


async def start(update: Update, context: Context) -> HandlerResult:
    """A known payload runs what it names; anything else (none, a time zone, an old or
    garbled link) is the plain welcome."""
    parsed = parse_payload(context.args)
    action = START_PAYLOADS.get(parsed[0]) if parsed is not None else None
    if parsed is None or action is None:
        return await welcome(update, context)
    context.args = [parsed[1]] if parsed[1] else []
    return await action(update, context)


@guarded
async def welcome(update: Update, context: Context) -> HandlerResult:
    """Register the person and ask their time zone once (buttons, or any IANA name typed)."""
    user = update.effective_user
    if user is None or context.user_data is None:
        return None
    known = await call(context, find_member, Identity(Platform.TELEGRAM, str(user.id)))
    member = await me(update, context)
    if known is not None:
        await reply(
            update,
            f"Welcome back, {member.display_name}! Your time zone is {member.timezone} "
            "(/timezone to change it). /help lists what you can do.",
        )
        return None
    context.user_data["awaiting"] = ["timezone", 0]
    await reply(
        update,
        f"Welcome, {member.display_name}! I help you book short mentorship sessions.\n"
        "Which time zone are you in? Pick one, or type its name (e.g. Asia/Kolkata):",
        commands.timezone_keyboard(),
    )
    return None
