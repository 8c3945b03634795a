"""Button presses outside the form: decoded, then pressed through the one dispatcher.

Nothing here decides what a press does or who may press it (``bot.conversation``); this
module only renders the neutral answer the Telegram way: a toast (an alert for a
refusal) answers the press, replies go to the person's private chat with the bot, and an
expected text answer is remembered for the next message.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden

from bot.conversation import reasons
from bot.conversation.dispatcher import press
from bot.conversation.replies import Answer, Expect, Input, Part, Reply, plain
from bot.conversation.turn import Turn
from bot.handlers.telegram.callback_codec import decode
from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    answer,
    guarded,
    me,
    patiently,
    reads,
    reply,
    services,
    stored_now,
)
from bot.handlers.telegram.deep_links import deep_link, payload
from bot.handlers.telegram.keyboards import actions_keyboard
from bot.handlers.telegram.long_text import send_pieces
from bot.handlers.telegram.phrases import PHRASES
from core.delivery.messages import ActionName

SKIP_HINT = " Send it as a message, or /skip."
SKIPS = {  # what /skip means for each awaited answer
    Input.FEEDBACK: SKIP_HINT,
    Input.NOTES: "",
    Input.REASON: " Send it as a message, /skip to go ahead without one, or /cancel to stop.",
}


def text_of(parts: Reply | tuple[Part, ...]) -> str:
    """Plain text: Telegram messages are sent without a parse mode, so user text needs
    no escaping and cannot format."""
    return plain(parts.parts if isinstance(parts, Reply) else parts, PHRASES, str)


@guarded
async def on_press(update: Update, context: Context) -> HandlerResult:
    """Any callback outside the request form (``a:…``, slots, zones, windows)."""
    query = update.callback_query
    if query is None:
        return None
    name, raw_args = decode(query.data or "")
    member = await me(update, context)
    result = await press(Turn(member, services(context), reads(context)), name, raw_args)
    if name == ActionName.SET_TIMEZONE and not result.refused:
        _follow_zone(context, raw_args[0])
    await render(update, context, result)
    return None


def typed_command(
    name: str, command: str | None = None
) -> Callable[[Update, Context], Coroutine[Any, Any, HandlerResult]]:
    """``/<command> args…`` (the command is the action's name unless given): the action
    ``name`` with the typed words as its arguments."""
    typed_as = f"/{command or name}"

    @guarded
    async def typed(update: Update, context: Context) -> HandlerResult:
        member = await me(update, context)
        turn = Turn(member, services(context), reads(context))
        result = await press(turn, name, list(context.args or []), typed_as=typed_as)
        await render(update, context, result)
        return None

    return typed


async def render(update: Update, context: Context, result: Answer) -> None:
    note = text_of(result.note_parts())
    if update.callback_query is not None:
        await answer(update, context, note or None, alert=result.refused)
    elif note and (result.refused or not result.replies):  # typed: the replies say it
        await reply(update, note)
    for message in result.replies:
        if not await _to_private_chat(update, context, message):
            await _point_to_private_chat(update, context, result)
            return
    if result.expect is not None:
        await _expect(update, context, result.expect)


async def _to_private_chat(update: Update, context: Context, message: Reply) -> bool:
    """False when the person never opened a private chat with the bot (Forbidden). A
    typed command is answered where it was typed (only lists are allowed in groups)."""
    user = update.effective_user
    chat = update.effective_chat
    if update.callback_query is None and chat is not None:
        await reply(update, text_of(message), actions_keyboard(message.actions))
        return True
    if user is None:
        return False
    keyboard = actions_keyboard(message.actions)

    async def send(piece: str, markup: InlineKeyboardMarkup | None) -> Message:
        return await patiently(
            lambda: context.bot.send_message(user.id, piece, reply_markup=markup)
        )

    try:
        await send_pieces(send, text_of(message), keyboard)
    except Forbidden:
        return False
    return True


async def _point_to_private_chat(update: Update, context: Context, result: Answer) -> None:
    """Where the press came from (a group): a link that opens the private chat and lands
    on what could not be sent there (``/start slots-<request>``, see ``deep_links``)."""
    user = update.effective_user
    name = user.first_name if user is not None else "Hello"
    landing = ""
    if result.again is not None and len(result.again[1]) == 1:
        landing = payload(result.again[0], result.again[1][0])
    link = deep_link(context.bot.username, landing)
    await reply(update, f"{name}, please open a private chat with me: {link}")


def link_press(name: ActionName) -> Callable[[Update, Context], Coroutine[Any, Any, HandlerResult]]:
    """``/start <name>-<id>`` from a deep link presses ``name`` with that id."""

    @guarded
    async def pressed(update: Update, context: Context) -> HandlerResult:
        member = await me(update, context)
        turn = Turn(member, services(context), reads(context))
        await render(update, context, await press(turn, name.value, list(context.args or [])))
        return None

    return pressed


async def _expect(update: Update, context: Context, expect: Expect) -> None:
    """The next plain message in the private chat answers ``expect`` (feedback, notes, a
    reason), so the question is asked there even when the button was in a group."""
    if context.user_data is None or expect.input not in SKIPS:
        return
    what = reasons.awaited(expect) if expect.input == Input.REASON else expect.input.value
    context.user_data["awaiting"] = [what, expect.ref]
    if not await stored_now(update, context):
        # asked, the answer would have found no question waiting for it ("I did not
        # understand that"): stored first, as a form's step is (form_state.show)
        await reply(update, NOT_READY_FOR_ANSWER)
        return
    question = Reply.of(expect.prompt + SKIPS[expect.input])
    if not await _to_private_chat(update, context, question):
        await _point_to_private_chat(update, context, Answer())


NOT_READY_FOR_ANSWER = (
    "Sorry, I could not get ready for your answer (the service is busy). "
    "Please press the button again."
)


def _follow_zone(context: Context, zone: str) -> None:
    """A form in progress counts days in the new zone; a zone question is answered."""
    if context.user_data is None:
        return
    if context.user_data.get("awaiting", [None])[0] == "timezone":
        context.user_data.pop("awaiting")
    if "zone" in context.user_data:
        context.user_data["zone"] = zone


# The registrations in application.py name these; all are the one dispatcher now.
on_action = on_slot = on_timezone = on_window = on_press
