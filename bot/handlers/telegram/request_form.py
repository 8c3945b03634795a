"""/request as one ConversationHandler, rendering the steps of ``core.forms``.

The form (a JSON dict) lives in ``user_data`` and the conversation state in the database
(``persistence.py``), both written after every update, so a restart resumes mid-form.
"""

from __future__ import annotations

import secrets
import warnings
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.handlers.telegram.chat_rules import TYPE_PLEASE, button_in_group, is_private
from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    call,
    guarded,
    me,
    reads,
    reply,
    services,
)
from bot.handlers.telegram.common import (
    answer as answer_query,
)
from bot.handlers.telegram.deep_links import (
    ASK,
    EDIT,
    REQUEST,
    id_of,
    parse_payload,
    payload,
    start_filter,
)
from bot.handlers.telegram.keyboards import button, calendar_keyboard, rows
from core.errors import ValidationFailed
from core.forms import Choice, RequestForm, Step, StepKind, answer, form_steps, preview
from core.requests import RequestDraft
from core.services.context import local_today
from core.services.mentors import list_mentors
from core.services.requests import (
    draft_for_edit,
    draft_for_mentor,
    submit_request,
    update_request,
)

FORM = 1
PRIVATE_MESSAGE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
STATUS = filters.StatusUpdate.ALL  # service messages (a pin, a timer): not an answer
NAV = [button("« Back", "f", "back"), button("Cancel", "f", "cancel")]


async def _today(update: Update, context: Context) -> date:
    """The student's date, from the zone noted when the form opened: a step then needs
    no database round trip (an older stored form without it looks the member up)."""
    assert context.user_data is not None
    now = services(context).now()
    zone = context.user_data.get("zone")
    if isinstance(zone, str):
        try:
            return now.astimezone(ZoneInfo(zone)).date()
        except (ValueError, KeyError):
            pass  # a zone that no longer exists: ask the member
    member = await me(update, context)
    return local_today(member, now)


def _form(context: Context) -> RequestForm:
    assert context.user_data is not None
    return RequestForm.from_dict(context.user_data["form"])


def _save(context: Context, form: RequestForm) -> None:
    assert context.user_data is not None
    context.user_data["form"] = form.to_dict()


def _mentor_choices(context: Context) -> list[Choice]:
    assert context.user_data is not None
    return [Choice(v, label) for v, label in context.user_data.get("mentor_choices", [])]


def _step(context: Context, form: RequestForm) -> Step:
    steps = form_steps(
        form.draft, context.application.bot_data["services"].catalogue, _mentor_choices(context)
    )
    return steps[min(form.position, len(steps) - 1)]


async def _show(update: Update, context: Context, note: str = "") -> int:
    form = _form(context)
    step = _step(context, form)
    catalogue = context.application.bot_data["services"].catalogue
    prefix = f"{note}\n\n" if note else ""
    if step.kind == StepKind.PREVIEW:
        keyboard = [
            [
                button("Submit", "f", "p", form.position, "submit"),
                button("Edit", "f", "p", form.position, "edit"),
            ],
            [button("Cancel", "f", "cancel")],
        ]
        await reply(
            update,
            prefix + preview(form.draft, catalogue) + "\n\n" + step.prompt,
            InlineKeyboardMarkup(keyboard),
        )
        return FORM
    grid: list[list[InlineKeyboardButton]] = []
    text = step.prompt
    if step.kind == StepKind.CHOICE:
        grid = rows(
            [button(c.label, "f", "c", form.position, i) for i, c in enumerate(step.choices)], 2
        )
    elif step.kind == StepKind.DATE:
        today = await _today(update, context)
        horizon = today + timedelta(
            days=context.application.bot_data["services"].policy.horizon_days
        )
        assert context.user_data is not None
        earliest = today  # the "until" calendar starts at the chosen first day
        if step.field == "available_until" and form.draft.available_from:
            earliest = max(today, form.draft.available_from)
        month = date.fromisoformat(context.user_data.get("month", earliest.isoformat()))
        prefix_data = f"fd:{form.position}"
        calendar = calendar_keyboard(month, earliest, horizon, prefix_data)
        grid = [list(row) for row in calendar.inline_keyboard]
        text += " Pick a day, or type it (e.g. 2026-12-01, tomorrow, +3)."
    elif step.kind == StepKind.TAGS:
        assert context.user_data is not None  # an edited form starts from its tags
        chosen = set(context.user_data.setdefault("tags", list(form.draft.tags)))
        grid = rows(
            [
                button(("✓ " if c.value in chosen else "") + c.label, "f", "t", form.position, i)
                for i, c in enumerate(step.choices)
            ],
            3,
        )
        grid.append([button("Done", "f", "t", form.position, "done")])
        text += " Tap to pick, type your own, then Done."
    else:
        text += " (type your answer)"
    grid.append(list(NAV))
    await reply(update, prefix + text, InlineKeyboardMarkup(grid))
    return FORM


async def _apply(update: Update, context: Context, value: str) -> int:
    form = _form(context)
    step = _step(context, form)
    services = context.application.bot_data["services"]
    try:
        answer(
            form, step, value, services.catalogue, services.policy, await _today(update, context)
        )
    except ValidationFailed as failed:
        return await _show(update, context, note=" ".join(failed.errors.values()))
    _save(context, form)
    assert context.user_data is not None
    context.user_data.pop("month", None)
    context.user_data.pop("tags", None)
    return await _show(update, context)


def _opened_for(update: Update, context: Context) -> tuple[str, int | None]:
    """(verb, id) of an Edit or a mentor's Request button (``a:<verb>:<id>``) or of a
    deep link (``/start <verb>-<id>``); ("", None) for /request and ``/start request``."""
    query = update.callback_query
    if query is not None:
        verb, _, ref = (query.data or "").removeprefix("a:").partition(":")
    else:
        verb, ref = parse_payload(context.args) or ("", "")
    found = id_of(ref)
    if verb not in (ASK, EDIT) or found is None:
        return "", None
    return verb, found


@guarded
async def start_request(update: Update, context: Context) -> HandlerResult:
    """Open a fresh form (or, from an Edit button, one filled with the request; from a
    mentor's 'Request' button in /mentors, one with that mentor chosen), in a private
    chat; the same from a deep link (``/start request``, ``ask-<id>``, ``edit-<id>``).

    The press is checked by the service before anything here changes, so a refused one
    (one's own button, a mentor no longer approved, a request moved on) is a plain
    answer and leaves a form in progress as it was."""
    verb, ref = _opened_for(update, context)
    if not is_private(update):  # a button in a group: the form opens in private
        await button_in_group(update, context, payload(verb or REQUEST, ref))
        return None
    member = await me(update, context)
    assert context.user_data is not None
    draft = RequestDraft(submission_key=secrets.token_hex(8))
    edit_id: int | None = None
    asked = verb == ASK and ref is not None  # opened from a mentor's button
    if asked and ref is not None:
        draft = await call(context, draft_for_mentor, member.id, ref)
        draft.submission_key = secrets.token_hex(8)
    elif verb == EDIT and ref is not None:
        edit_id = ref
        draft = await call(context, draft_for_edit, member.id, edit_id)
    if update.callback_query is not None:
        await answer_query(update, context)
    for stale in ("edit_id", "month", "tags"):  # from a form this one replaces
        context.user_data.pop(stale, None)
    context.user_data.pop("awaiting", None)  # a pending time zone / feedback question lapses
    context.user_data["zone"] = member.timezone
    if edit_id is not None:
        context.user_data["edit_id"] = edit_id
    mentors = await reads(context).mentors(lambda: call(context, list_mentors))
    choices = [[str(m.member_id), m.name] for m in mentors if m.member_id != member.id]
    chosen = str(draft.preferred_mentor_id)
    choices.sort(key=lambda c: c[0] != chosen)  # the chosen one is offered, even past 20
    context.user_data["mentor_choices"] = choices[:20]
    _save(context, RequestForm(draft))
    note = ""
    if asked:
        name = choices[0][1] if choices and choices[0][0] == chosen else "that mentor"
        note = f"A request for {name}: they are told personally once you submit it."
    return await _show(update, context, note=note)


@guarded
async def on_text(update: Update, context: Context) -> HandlerResult:
    message = update.effective_message
    assert message is not None
    form = _form(context)
    step = _step(context, form)
    if step.kind == StepKind.CHOICE:
        return await _show(update, context, note="Please tap one of the buttons.")
    if step.kind == StepKind.TAGS:
        assert context.user_data is not None
        typed = [t for t in (message.text or "").split(",") if t.strip()]
        return await _apply(update, context, ",".join([*context.user_data.get("tags", []), *typed]))
    return await _apply(update, context, message.text or "")


@guarded
async def on_button(update: Update, context: Context) -> HandlerResult:
    """``f:back``, ``f:cancel``, and ``f:<c|t|p>:<step>:<value>`` for the step shown: a
    button of an earlier step (its message is still in the chat) names another position
    and is refused rather than applied to whatever step is current."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    parts = [*(query.data or "").split(":"), "", "", ""]  # forged data may be short
    await answer_query(update, context)
    if "form" not in context.user_data:
        await reply(update, "That form is no longer open. Send /request to start again.")
        return ConversationHandler.END
    form = _form(context)
    step = _step(context, form)
    kind, position, value = parts[1], parts[2], parts[3]
    if kind == "back":
        form.position = max(0, form.position - 1)
        _save(context, form)
        return await _show(update, context)
    if kind == "cancel":
        return await cancel(update, context)
    if position != str(form.position):
        return await _show(update, context, note="That button belongs to an earlier step.")
    if (
        kind == "c"
        and step.kind == StepKind.CHOICE
        and value.isdigit()
        and int(value) < len(step.choices)
    ):
        return await _apply(update, context, step.choices[int(value)].value)
    if kind == "t" and step.kind == StepKind.TAGS:
        chosen: list[str] = context.user_data.setdefault("tags", [])
        if value == "done":
            return await _apply(update, context, ",".join(chosen) or "-")
        if value.isdigit() and int(value) < len(step.choices):
            tag = step.choices[int(value)].value
            chosen.remove(tag) if tag in chosen else chosen.append(tag)
        return await _show(update, context)
    if kind == "p" and step.kind == StepKind.PREVIEW and value in ("submit", "edit"):
        return await _preview_choice(update, context, form, value)
    return await _show(update, context, note="That button belongs to an earlier step.")


@guarded
async def on_calendar(update: Update, context: Context) -> HandlerResult:
    """``fd:<step>:day:<date>``, ``fd:<step>:month:<first day>``, ``fd:<step>:noop``."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await answer_query(update, context)
    _, position, what, value = [*(query.data or "").split(":"), "", "", ""][:4]
    if "form" not in context.user_data:
        return None
    form = _form(context)
    if _step(context, form).kind != StepKind.DATE or position != str(form.position):
        return await _show(update, context, note="That button belongs to an earlier step.")
    if what == "month":
        today = await _today(update, context)
        horizon = today + timedelta(days=services(context).policy.horizon_days)
        try:
            month = date.fromisoformat(value).replace(day=1)
        except ValueError:
            return None
        if today.replace(day=1) <= month <= horizon:  # kept in user_data: only sane months
            context.user_data["month"] = month.isoformat()
        return await _show(update, context)
    if what == "day" and value:
        return await _apply(update, context, value)
    return None


async def on_non_text(update: Update, context: Context) -> int:
    """A sticker, photo, voice message… where an answer is expected: the step again."""
    return await _show(update, context, note=f"{TYPE_PLEASE} (or press Back / Cancel).")


async def _preview_choice(update: Update, context: Context, form: RequestForm, choice: str) -> int:
    assert context.user_data is not None
    if choice == "edit":
        form.position = 0
        _save(context, form)
        return await _show(
            update, context, note="Let's go through it again; your answers are kept."
        )
    member = await me(update, context)
    edit_id = context.user_data.get("edit_id")
    if edit_id:
        request = await call(context, update_request, member.id, int(edit_id), form.draft)
        text = f"Request #{request.id} updated."
    else:
        request = await call(context, submit_request, member.id, form.draft)
        text = f"Request #{request.id} submitted. Mentors have been told; /my shows its status."
    _clear(context)
    await reply(update, text)
    return ConversationHandler.END


def _clear(context: Context) -> None:
    assert context.user_data is not None
    for key in ("form", "edit_id", "mentor_choices", "month", "tags", "zone"):
        context.user_data.pop(key, None)


async def cancel(update: Update, context: Context) -> int:
    """/cancel or the Cancel button: leave the form, keep nothing."""
    _clear(context)
    await reply(update, "Stopped. Nothing was saved.")
    return ConversationHandler.END


async def back(update: Update, context: Context) -> int:
    assert context.user_data is not None
    if "form" not in context.user_data:
        return ConversationHandler.END
    form = _form(context)
    form.position = max(0, form.position - 1)
    _save(context, form)
    return await _show(update, context)


def request_conversation() -> ConversationHandler[Context]:
    # Tracked per chat and user, not per message: the form moves on with new messages, and
    # PTB's warning about that combination is the intended design here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        return _build()


def _build() -> ConversationHandler[Context]:
    return ConversationHandler(
        entry_points=[
            CommandHandler("request", start_request, filters.ChatType.PRIVATE),
            CommandHandler("start", start_request, start_filter(REQUEST)),
            CommandHandler("start", start_request, start_filter(ASK, r"\d{1,18}")),
            CommandHandler("start", start_request, start_filter(EDIT, r"\d{1,18}")),
            CallbackQueryHandler(start_request, pattern=r"^a:edit:\d{1,18}$"),
            # "Request <name>" under /mentors (commands.mentors)
            CallbackQueryHandler(start_request, pattern=r"^a:ask:\d{1,18}$"),
        ],
        states={
            FORM: [
                CallbackQueryHandler(on_calendar, pattern=r"^fd:"),
                CallbackQueryHandler(on_button, pattern=r"^f:"),
                MessageHandler(PRIVATE_MESSAGE & filters.TEXT & ~filters.COMMAND, on_text),
                MessageHandler(PRIVATE_MESSAGE & ~filters.TEXT & ~STATUS, on_non_text),
            ]
        },
        fallbacks=[CommandHandler("cancel", cancel), CommandHandler("back", back)],
        name="request_form",
        persistent=True,
        allow_reentry=True,
    )
