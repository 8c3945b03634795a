"""Slash commands that answer with one message (lists, limits, admin views)."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.handlers.telegram.common import (
    Context,
    HandlerResult,
    call,
    guarded,
    me,
    reads,
    reply,
)
from bot.handlers.telegram.keyboards import button, rows
from bot.parsing import parse_window
from bot.views import (
    limits_text,
    mentors_text,
    queue_line,
    request_line,
    session_line,
    stats_text,
    windows_text,
)
from core.members import Identity, Platform
from core.services.admin import admin_stats, get_members
from core.services.claims import assign_mentor, open_requests_for_mentor
from core.services.members import find_member, set_timezone
from core.services.mentors import (
    add_availability,
    list_mentors,
    my_availability,
    pending_mentors,
)
from core.services.requests import my_requests, usage_left
from core.services.sessions import my_sessions

COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)
MAX_ASK_BUTTONS = 20  # as many mentors as the form's own mentor step offers
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
    ("help", "All commands"),
)


def timezone_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(rows([button(z, "tz", z) for z in COMMON_ZONES], 2))


@guarded
async def start(update: Update, context: Context) -> HandlerResult:
    """Register the person and ask their time zone once (buttons, or any IANA name typed)."""
    user = update.effective_user
    assert user is not None and context.user_data is not None
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
        timezone_keyboard(),
    )
    return None


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


@guarded
async def timezone(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    if not context.args:
        await reply(update, f"Your time zone is {member.timezone}.", timezone_keyboard())
        return None
    updated = await call(context, set_timezone, member.id, " ".join(context.args))
    reads(context).forget_member(member)
    await reply(update, f"Time zone set to {updated.timezone}.")
    return None


@guarded
async def my(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    requests = await call(context, my_requests, member.id)
    sessions = await call(context, my_sessions, member.id)
    ids = {r.claimed_by for r in requests if r.claimed_by}
    ids |= {s.mentor_id for s in sessions} | {s.student_id for s in sessions}
    members = await call(context, get_members, [i for i in ids if i])
    names = {i: m.display_name for i, m in members.items()}
    catalogue = context.application.bot_data["services"].catalogue
    if not requests and not sessions:
        await reply(update, "You have no requests or sessions yet. Send /request to ask.")
        return None
    buttons = []
    lines = []
    for r in requests[:15]:
        lines.append(request_line(r, catalogue, names))
        if r.status.value in ("OPEN", "CLAIMED"):
            buttons.append(button(f"Cancel #{r.id}", "a", "cancel", r.id))
    for s in sessions[-10:]:
        lines.append(session_line(s, member.timezone, names, member.id))
        if s.status.value == "SCHEDULED":
            buttons.append(button(f"Move {s.id}", "a", "reschedule", s.id))
            buttons.append(button(f"Cancel {s.id}", "a", "cancel_session", s.id))
    keyboard = InlineKeyboardMarkup(rows(buttons, 2)) if buttons else None
    await reply(update, "\n".join(lines), keyboard)
    return None


@guarded
async def limits(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    await reply(update, limits_text(await call(context, usage_left, member.id)))
    return None


@guarded
async def mentors(update: Update, context: Context) -> HandlerResult:
    """The approved mentors with their ratings, and a 'Request <name>' button each that
    opens /request with that mentor already chosen (``request_form.start_request``).

    No button for the person asking (nobody requests themselves); in a group others may
    press it, and every press is checked again when the form opens."""
    member = await me(update, context)
    found = await call(context, list_mentors)
    others = [m for m in found if m.member_id != member.id][:MAX_ASK_BUTTONS]
    keyboard = None
    if others:
        keyboard = InlineKeyboardMarkup(
            rows([button(f"Request {m.name}", "a", "ask", m.member_id) for m in others], 2)
        )
    await reply(update, mentors_text(found), keyboard)
    return None


@guarded
async def queue(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    requests = await call(context, open_requests_for_mentor, member.id)
    if not requests:
        await reply(update, "No open requests right now.")
        return None
    members = await call(context, get_members, [r.student_id for r in requests])
    names = {i: m.display_name for i, m in members.items()}
    catalogue = context.application.bot_data["services"].catalogue
    shown = requests[:10]
    text = "Open requests:\n" + "\n".join(queue_line(r, catalogue, names) for r in shown)
    keyboard = InlineKeyboardMarkup(
        rows([button(f"Claim #{r.id}", "a", "claim", r.id) for r in shown], 2)
    )
    await reply(update, text, keyboard)
    return None


@guarded
async def availability(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    args = list(context.args or [])
    if args[:1] == ["add"]:
        weekday, begin, end = parse_window(args[1:])
        await call(context, add_availability, member.id, weekday, begin, end)
    windows = await call(context, my_availability, member.id)
    keyboard = None
    if windows:
        keyboard = InlineKeyboardMarkup(
            rows([button(f"Remove {w.describe()}", "w", "rm", w.id) for w in windows], 1)
        )
    await reply(
        update,
        windows_text(windows, member.timezone) + "\nAdd one: /availability add Mon 18:00-20:00",
        keyboard,
    )
    return None


@guarded
async def admin(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    waiting = await call(context, pending_mentors, member.id)
    buttons = []
    for name, profile in waiting[:10]:
        buttons.append(button(f"Approve {name}", "a", "approve", profile.member_id))
        buttons.append(button(f"Reject {name}", "a", "reject", profile.member_id))
    text = (
        f"{len(waiting)} mentor application(s) waiting." if waiting else "No applications waiting."
    )
    stats = await call(context, admin_stats, member.id)
    await reply(
        update,
        f"{text}\n\n{stats_text(stats)}\n\nAssign a mentor: /assign REQUEST_ID MENTOR_ID",
        InlineKeyboardMarkup(rows(buttons, 2)) if buttons else None,
    )
    return None


@guarded
async def assign(update: Update, context: Context) -> HandlerResult:
    member = await me(update, context)
    args = context.args or []
    if len(args) != 2 or not all(a.isdigit() for a in args):
        await reply(update, "Usage: /assign REQUEST_ID MENTOR_ID")
        return None
    request = await call(context, assign_mentor, member.id, int(args[0]), int(args[1]))
    await reply(update, f"Request #{request.id} is assigned; both people have been told.")
    return None
