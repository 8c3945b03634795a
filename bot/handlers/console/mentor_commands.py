"""What a mentor does in the console: apply, availability, queue, claim, slots, notes."""

from __future__ import annotations

from datetime import datetime

from bot.handlers.console.parsing import number
from bot.handlers.console.session import ConsoleSession, Pending, command
from bot.parsing import parse_window
from bot.views import queue_line, slots_text, windows_text
from core.errors import ValidationFailed
from core.services.admin import get_members
from core.services.claims import claim_request, open_requests_for_mentor, release_request
from core.services.mentors import (
    add_availability,
    apply_as_mentor,
    my_availability,
    remove_availability,
)
from core.services.outcomes import update_mentor_notes
from core.services.sessions import available_slots, reschedule_session, schedule_session
from core.timefmt import local_time

APPLY_STEPS = (
    ("domain", "Your domain (e.g. Backend engineering)?"),
    ("years", "Years of experience (a number)?"),
    ("bio", "A short bio for students?"),
    ("tags", "Your expertise tags, comma-separated (e.g. python, system-design)?"),
)


@command("become_mentor")
def become_mentor(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.require_me()
    s.ask(Pending(lambda line: _apply_step(s, line), {"answers": {}}))
    s.say(APPLY_STEPS[0][1] + "  (/cancel to stop)")


def _apply_step(s: ConsoleSession, line: str) -> None:
    me = s.require_me()
    pending = s.pending[me.id]
    answers: dict[str, str] = pending.data["answers"]
    name = APPLY_STEPS[len(answers)][0]
    if name == "years" and not line.strip().isdigit():  # say why, then the same question
        s.say("Please give the years as a whole number, e.g. 5.\n" + APPLY_STEPS[1][1])
        return
    answers[name] = line
    if len(answers) < len(APPLY_STEPS):
        s.say(APPLY_STEPS[len(answers)][1])
        return
    s.drop_pending(me.id)
    apply_as_mentor(
        s.ctx,
        me.id,
        domain=answers["domain"],
        years_experience=int(answers["years"]),
        bio=answers["bio"],
        expertise_tags=[t for t in answers["tags"].replace(";", ",").split(",") if t.strip()],
    )
    s.say("Thank you! An admin will review your application. Meanwhile: /availability")


@command("availability")
def availability(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    if args and args[0] == "add":
        weekday, start, end = parse_window(args[1:])
        window = add_availability(s.ctx, me.id, weekday, start, end)
        s.say(f"Added {window.describe()} ({me.timezone}).")
    elif args and args[0] == "remove":
        remove_availability(s.ctx, me.id, number(args, 1, "/availability remove ID"))
        s.say("Removed.")
    s.say(windows_text(my_availability(s.ctx, me.id), me.timezone))


@command("queue")
def queue(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    requests = open_requests_for_mentor(s.ctx, me.id)
    if not requests:
        s.say("No open requests right now.")
        return
    names = {
        i: m.display_name for i, m in get_members(s.ctx, [r.student_id for r in requests]).items()
    }
    lines = [f"  {queue_line(r, s.ctx.catalogue, names)}  → /claim {r.id}" for r in requests]
    s.say("Open requests:\n" + "\n".join(lines))


@command("claim")
def claim(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    request = claim_request(s.ctx, me.id, number(args, 0, "/claim REQUEST_ID"))
    s.say(f"You claimed request #{request.id}: {request.title}. Pick a time: /slots {request.id}")


@command("release")
def release(s: ConsoleSession, args: list[str], rest: str) -> None:
    request_id = number(args, 0, "/release REQUEST_ID [reason]")
    release_request(s.ctx, s.require_me().id, request_id, " ".join(args[1:]) or None)
    s.say(f"Request #{request_id} is back in the queue.")


@command("slots")
def slots(s: ConsoleSession, args: list[str], rest: str) -> None:
    request_id = number(args, 0, "/slots REQUEST_ID")
    offer_slots(s, available_slots(s.ctx, s.require_me().id, request_id), request_id=request_id)


def offer_slots(
    s: ConsoleSession,
    found: list[datetime],
    request_id: int | None = None,
    session_id: int | None = None,
) -> None:
    me = s.require_me()
    if not found:
        s.say(
            "No free time fits: add availability (/availability add Mon 18:00-20:00) "
            "or ask the student for a wider date range."
        )
        return
    shown = found[:12]
    s.say(f"Pick a time ({me.timezone}), reply with its number:\n{slots_text(shown, me.timezone)}")
    s.ask(Pending(lambda line: _pick_slot(s, shown, line, request_id, session_id)))


def _pick_slot(
    s: ConsoleSession,
    shown: list[datetime],
    line: str,
    request_id: int | None,
    session_id: int | None,
) -> None:
    me = s.require_me()
    text = line.strip()
    if not text.isdigit() or not 1 <= int(text) <= len(shown):
        raise ValidationFailed({"slot": f"Reply with a number from 1 to {len(shown)}."})
    start = shown[int(text) - 1]
    if session_id is not None:
        session = reschedule_session(s.ctx, me.id, session_id, start)
        s.say(f"Moved to {local_time(session.scheduled_at, me.timezone)}.")
    else:
        assert request_id is not None
        session = schedule_session(s.ctx, me.id, request_id, start)
        s.say(f"Booked session {session.id} on {local_time(session.scheduled_at, me.timezone)}.")
    s.drop_pending(me.id)


@command("notes")
def notes(s: ConsoleSession, args: list[str], rest: str) -> None:
    usage = "/notes SESSION_ID [MINUTES] TEXT"
    session_id = number(args, 0, usage)
    minutes = int(args[1]) if len(args) > 1 and args[1].isdigit() else None
    text = " ".join(args[2:] if minutes is not None else args[1:])
    if minutes is None and not text:  # the "Add notes" button: ask for them
        s.say("Type the real duration in minutes and your private notes, e.g. 50 Covered X.")
        s.ask(Pending(lambda line: _notes_answer(s, session_id, line)))
        return
    update_mentor_notes(
        s.ctx,
        s.require_me().id,
        session_id,
        mentor_notes=text or None,
        duration_minutes=minutes,
    )
    s.say("Saved. Only mentors and admins can read these notes.")


def _notes_answer(s: ConsoleSession, session_id: int, line: str) -> None:
    notes(s, [str(session_id), *line.split()], line)
    s.drop_pending(s.require_me().id)
