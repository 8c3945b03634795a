"""/request on Telegram: plain handlers around the one form runner
(``bot.conversation.forms.request_form``), in the person's private chat only.

The form is ``user_data["form"]``, which ``application.py`` reads from the database at the
start of each update and writes at its end: one row per person, so a restart or another
webhook process carries on from the same step. What a step asks, what an answer means and
what comes next is the runner's; here updates become its inputs and its answers become
messages with inline keyboards (``keyboards.form_keyboard``).

A command typed mid-form (``/my``) pauses the form: ``pause_for_command`` runs before the
command's own handler, and /request resumes the form where it was; /cancel drops it.
"""

from __future__ import annotations

from telegram import Update

from bot.conversation.dispatcher import press, stale
from bot.conversation.forms import request_form as runner
from bot.conversation.forms.request_form import Pressed, Typed
from bot.conversation.replies import Input
from bot.conversation.vocabulary import VOCABULARY
from bot.handlers.telegram import free_text
from bot.handlers.telegram.buttons import on_press, render
from bot.handlers.telegram.chat_rules import TYPE_PLEASE, button_in_group, is_private
from bot.handlers.telegram.common import Context, HandlerResult, answer, guarded, reply
from bot.handlers.telegram.deep_links import ASK, EDIT, REQUEST, id_of, parse_payload, payload
from bot.handlers.telegram.form_codec import decode_form
from bot.handlers.telegram.form_state import (
    FORM,
    WORDING,
    awaiting,
    keep,
    say,
    show,
    state_of,
    turn_of,
)
from core.delivery.messages import ActionName
from core.requests import RequestDraft

__all__ = [
    "FORM",
    "back",
    "cancel",
    "on_button",
    "on_non_text",
    "on_text",
    "open_form",
    "pause_for_command",
    "typed_open",
]

FORM_COMMANDS = frozenset({"request", "cancel", "back"})  # they act on the form: no pause


def _typed_verb(update: Update) -> str:
    """ "edit" for ``/edit 5`` (or ``/edit@bot 5``), "ask" for ``/ask 7``; else ""."""
    text = update.effective_message.text if update.effective_message is not None else None
    first = (text or "").split(maxsplit=1)[0] if text else ""
    verb = first.removeprefix("/").split("@", 1)[0]
    return verb if first.startswith("/") and verb in (ASK, EDIT) else ""


def _opened_for(update: Update, context: Context) -> tuple[str, int | None]:
    """(verb, id) of an Edit or a mentor's Request button (``a:<verb>:<id>``), of a typed
    ``/edit ID`` or ``/ask ID``, or of a deep link (``/start <verb>-<id>``); ("", None)
    for /request and ``/start request``."""
    query = update.callback_query
    typed = _typed_verb(update) if query is None else ""
    if query is not None:
        verb, _, ref = (query.data or "").removeprefix("a:").partition(":")
    elif typed:
        verb, ref = typed, " ".join(context.args or [])
    else:
        verb, ref = parse_payload(context.args) or ("", "")
    found = id_of(ref)
    return (verb, found) if verb in (ASK, EDIT) and found is not None else ("", None)


@guarded
async def open_form(update: Update, context: Context) -> HandlerResult:
    """/request (a form in progress is resumed), or a form filled from an Edit button or
    for a mentor's Request button; the same from deep links (``/start request``,
    ``ask-<id>``, ``edit-<id>``). The button is pressed through the vocabulary, which
    checks it: a refused one is a plain answer and leaves a form in progress as it was."""
    verb, ref = _opened_for(update, context)
    if update.effective_chat is None:  # a button on no message we know: a plain press
        return await on_press(update, context)
    if not is_private(update):  # a button in a group: the form opens in private
        await button_in_group(update, context, payload(verb or REQUEST, ref))
        return None
    turn = await turn_of(update, context)
    draft: RequestDraft | None = None
    edit_id: int | None = None
    if verb:
        pressed = await press(turn, verb, [str(ref)])
        expect = pressed.expect
        if expect is None or expect.input != Input.REQUEST_FORM:
            await render(update, context, pressed)
            return None
        found = expect.values.get("draft")
        draft = found if isinstance(found, RequestDraft) else RequestDraft()
        edit_id = expect.ref if verb == EDIT else None
    if context.user_data is not None:
        context.user_data.pop("awaiting", None)  # a pending question lapses
    shown = await runner.begin(turn, state_of(context), WORDING, draft=draft, edit_id=edit_id)
    await show(update, context, shown)
    return None


@guarded
async def typed_open(update: Update, context: Context) -> HandlerResult:
    """``/edit REQUEST_ID`` and ``/ask MENTOR_ID``: the same as their buttons."""
    verb = _typed_verb(update)
    if _opened_for(update, context)[1] is None:
        await reply(update, f"Usage: /{verb} {VOCABULARY[verb].usage}")
        return None
    return await open_form(update, context)


@guarded
async def on_button(update: Update, context: Context) -> HandlerResult:
    """A form button (``f:…``, ``fd:…``); one of a form no longer open is stale."""
    query = update.callback_query
    pressed = decode_form(query.data or "") if query is not None else None
    state = state_of(context)
    if pressed is None:  # a month grid's header or empty cell
        await answer(update, context)
    elif state is None:
        await say(update, context, stale())
    else:
        await show(
            update,
            context,
            await runner.handle(await turn_of(update, context), state, pressed, WORDING),
        )
    return None


@guarded
async def on_text(update: Update, context: Context) -> HandlerResult:
    """A private message: the answer to the current step; with no form open (or a
    paused one and another question waiting) it is not the form's."""
    state = state_of(context)
    if state is None or (runner.is_paused(state) and awaiting(context)):
        return await free_text.on_message(update, context)
    if runner.is_paused(state):
        await say(update, context, runner.paused_note())
        return None
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    turn = await turn_of(update, context)
    await show(update, context, await runner.handle(turn, state, Typed(text), WORDING))
    return None


@guarded
async def on_non_text(update: Update, context: Context) -> HandlerResult:
    """A sticker, photo, voice message… where an answer is expected: the step again."""
    state = state_of(context)
    if state is None or runner.is_paused(state):
        await free_text.on_non_text(update, context)
        return None
    lead = f"{TYPE_PLEASE} (or press Back / Cancel)."
    await show(
        update, context, await runner.again(await turn_of(update, context), state, lead, WORDING)
    )
    return None


async def pause_for_command(update: Update, context: Context) -> None:
    """Before any command in a private chat: one that is not the form's own pauses it,
    kept as a draft (said once); the command then runs as usual."""
    message = update.effective_message
    if message is None or not message.text or not is_private(update):
        return
    words = message.text.split()
    command = words[0].lstrip("/").partition("@")[0].lower()
    if command in FORM_COMMANDS or (command == "start" and _opens_form(words[1:])):
        return
    state, said = runner.pause(state_of(context))
    if said is not None:
        keep(context, state)
        await say(update, context, said)


def _opens_form(args: list[str]) -> bool:
    """``/start request``, ``/start ask-<id>``, ``/start edit-<id>``: the form's own."""
    name, argument = parse_payload(args) or ("", "")
    return (name == REQUEST and not argument) or (
        name in (ASK, EDIT) and id_of(argument) is not None
    )


@guarded
async def cancel(update: Update, context: Context) -> HandlerResult:
    """/cancel: the form is dropped (a question awaited beside a paused form goes first)."""
    state = state_of(context)
    if state is None or not is_private(update) or (runner.is_paused(state) and awaiting(context)):
        await free_text.cancel(update, context)
        return None
    await show(update, context, runner.cancel())
    return None


@guarded
async def back(update: Update, context: Context) -> HandlerResult:
    """/back: the step before (a paused form resumes there)."""
    state = state_of(context)
    if state is None or not is_private(update):
        await free_text.back(update, context)
        return None
    turn = await turn_of(update, context)
    await show(
        update, context, await runner.handle(turn, state, Pressed(ActionName.FORM_BACK), WORDING)
    )
    return None
