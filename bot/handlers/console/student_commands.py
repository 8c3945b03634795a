"""What a student does in the console: the form, their list, cancelling, rating."""

from __future__ import annotations

from bot.handlers.console import form_flow
from bot.handlers.console.parsing import number
from bot.handlers.console.session import ConsoleSession, Pending, command
from bot.views import limits_text, mentors_text, request_line, session_line
from core.errors import ValidationFailed
from core.services.admin import get_members
from core.services.mentors import list_mentors
from core.services.outcomes import leave_feedback, rate_session, record_outcome
from core.services.requests import (
    cancel_request,
    draft_for_edit,
    extend_request,
    my_requests,
    repost_request,
    usage_left,
)
from core.services.sessions import available_slots, cancel_session, get_session, my_sessions
from core.sessions import Outcome


@command("request")
def request(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.require_me()
    form_flow.start_form(s)


@command("edit")
def edit(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    request_id = number(args, 0, "/edit REQUEST_ID")
    draft = draft_for_edit(s.ctx, me.id, request_id)
    s.say(f"Editing request #{request_id}; each answer replaces the old one.")
    form_flow.start_form(s, draft, edit_id=request_id)


@command("back")
def back(s: ConsoleSession, args: list[str], rest: str) -> None:
    if not form_flow.back(s):
        s.say("There is nothing to go back to.")


@command("cancel")
def cancel(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    if args and args[0].isdigit():  # the button in notifications: cancel a request
        cancel_request_(s, args, " ".join(args[1:]))
        return
    if s.drop_pending(me.id) is not None:
        s.say("Stopped. Nothing was saved.")
    else:
        s.say("There is nothing to cancel. To withdraw a request: /cancel_request ID")


@command("my")
def my(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    requests = my_requests(s.ctx, me.id)
    sessions = my_sessions(s.ctx, me.id)
    ids = {r.claimed_by for r in requests if r.claimed_by}
    ids |= {x.mentor_id for x in sessions} | {x.student_id for x in sessions}
    names = {i: m.display_name for i, m in get_members(s.ctx, list(ids)).items()}
    if not requests and not sessions:
        s.say("You have no requests or sessions yet. /request to ask for one.")
        return
    lines = []
    if requests:
        lines += ["Your requests:"]
        lines += [f"  {request_line(r, s.ctx.catalogue, names)}" for r in requests]
    if sessions:
        lines += ["Your sessions:"]
        lines += [f"  {session_line(x, me.timezone, names, me.id)}" for x in sessions]
    s.say("\n".join(lines))


@command("cancel_request")
def cancel_request_(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    request_id = number(args, 0, "/cancel_request ID [reason]")
    reason = rest.partition(" ")[2] if rest else " ".join(args[1:])
    r = cancel_request(s.ctx, me.id, request_id, reason or None)
    s.say(f"Request #{r.id} is cancelled. It no longer counts towards your limits.")


@command("limits")
def limits(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.say(limits_text(usage_left(s.ctx, s.require_me().id)))


@command("mentors")
def mentors(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.say(mentors_text(list_mentors(s.ctx)))


@command("extend")
def extend(s: ConsoleSession, args: list[str], rest: str) -> None:
    r = extend_request(s.ctx, s.require_me().id, number(args, 0, "/extend REQUEST_ID"))
    s.say(f"Request #{r.id} now stays open until {r.expires_at:%Y-%m-%d %H:%M} UTC.")


@command("repost")
def repost(s: ConsoleSession, args: list[str], rest: str) -> None:
    r = repost_request(s.ctx, s.require_me().id, number(args, 0, "/repost REQUEST_ID"))
    s.say(f"Posted again as request #{r.id}, available {r.available_from} to {r.available_until}.")


@command("cancel_session")
def cancel_session_(s: ConsoleSession, args: list[str], rest: str) -> None:
    session_id = number(args, 0, "/cancel_session SESSION_ID [reason]")
    cancel_session(s.ctx, s.require_me().id, session_id, " ".join(args[1:]) or None)
    s.say(f"Session {session_id} is cancelled; the other person has been told.")


@command("reschedule")
def reschedule(s: ConsoleSession, args: list[str], rest: str) -> None:
    from bot.handlers.console.mentor_commands import offer_slots

    me = s.require_me()
    session = get_session(s.ctx, me.id, number(args, 0, "/reschedule SESSION_ID"))
    slots = available_slots(s.ctx, me.id, session.request_id)
    offer_slots(s, slots, session_id=session.id)


@command("outcome")
def outcome(s: ConsoleSession, args: list[str], rest: str) -> None:
    usage = "/outcome SESSION_ID completed|mentor_no_show|student_no_show"
    session_id = number(args, 0, usage)
    try:
        result = Outcome(args[1].lower())
    except (IndexError, ValueError):
        raise ValidationFailed({"outcome": f"Usage: {usage}"}) from None
    session = record_outcome(s.ctx, s.require_me().id, session_id, result)
    state = session.status.value.lower().replace("_", "-")
    s.say(f"Thank you, recorded: session {session.id} {state}.")


@command("rate")
def rate(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    session_id = number(args, 0, "/rate SESSION_ID 1-5 [feedback]")
    stars = number(args, 1, "/rate SESSION_ID 1-5 [feedback]")
    feedback = rest.split(None, 2)[2] if len(rest.split(None, 2)) > 2 else None
    rate_session(s.ctx, me.id, session_id, stars, feedback)
    if feedback:
        s.say(f"Thank you for rating {stars}/5 and for your feedback.")
        return
    s.say(f"Thank you for rating {stars}/5. Any feedback for the mentor? Type it, or /skip.")
    s.ask(Pending(lambda line: _feedback(s, session_id, line)))


def _feedback(s: ConsoleSession, session_id: int, text: str) -> None:
    leave_feedback(s.ctx, s.require_me().id, session_id, text)
    s.drop_pending(s.require_me().id)
    s.say("Thank you, your feedback is saved.")


@command("feedback")
def feedback(s: ConsoleSession, args: list[str], rest: str) -> None:
    session_id = number(args, 0, "/feedback SESSION_ID TEXT")
    _feedback(s, session_id, rest.partition(" ")[2])


@command("skip")
def skip(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.drop_pending(s.require_me().id)
    s.say("Skipped.")
