"""What an admin does in the console: approvals, assignment, statistics."""

from __future__ import annotations

from bot.handlers.console.parsing import number
from bot.handlers.console.session import ConsoleSession, command
from bot.views import stats_text
from core.services.admin import admin_stats
from core.services.claims import assign_mentor
from core.services.mentors import decide_mentor, pending_mentors


@command("admin")
def admin(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    waiting = pending_mentors(s.ctx, me.id)
    if waiting:
        lines = [
            f"  {p.member_id}: {name}, {p.domain}, {p.years_experience} y → "
            f"/approve {p.member_id} or /reject {p.member_id}"
            for name, p in waiting
        ]
        s.say("Mentors waiting for approval:\n" + "\n".join(lines))
    else:
        s.say("No mentor applications waiting.")
    s.say("Also: /assign REQUEST_ID MENTOR_ID, /stats")


@command("approve")
def approve(s: ConsoleSession, args: list[str], rest: str) -> None:
    _decide(s, number(args, 0, "/approve MENTOR_ID"), approve=True)


@command("reject")
def reject(s: ConsoleSession, args: list[str], rest: str) -> None:
    _decide(s, number(args, 0, "/reject MENTOR_ID"), approve=False)


def _decide(s: ConsoleSession, mentor_id: int, approve: bool) -> None:
    profile = decide_mentor(s.ctx, s.require_me().id, mentor_id, approve)
    s.say(f"Mentor {profile.member_id} is now {profile.status.value.lower()}; they have been told.")


@command("assign")
def assign(s: ConsoleSession, args: list[str], rest: str) -> None:
    usage = "/assign REQUEST_ID MENTOR_ID"
    request = assign_mentor(
        s.ctx, s.require_me().id, number(args, 0, usage), number(args, 1, usage)
    )
    s.say(f"Request #{request.id} is assigned; the mentor and the student have been told.")


@command("stats")
def stats(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.say(stats_text(admin_stats(s.ctx, s.require_me().id)))
