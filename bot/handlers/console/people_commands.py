"""The console's own commands: who is typing, who am I, the clock, help."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.handlers.console.form_flow import resume_form
from bot.handlers.console.parsing import duration
from bot.handlers.console.session import ConsoleSession, command
from bot.views import HELP
from core.clock import ensure_utc
from core.errors import ValidationFailed
from core.services.members import set_timezone
from core.timefmt import local_time


@command("help")
def help_(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.say(HELP + "\nConsole only: /as NAME (act as someone), /clock +2d (move time), /whoami")


@command("as")
def as_(s: ConsoleSession, args: list[str], rest: str) -> None:
    if not args:
        raise ValidationFailed({"name": "Usage: /as NAME, e.g. /as alice"})
    me = s.act_as(args[0])
    roles = ", ".join(sorted(r.value for r in me.roles))
    s.say(f"You are now {me.display_name} ({roles}; {me.timezone}).")
    waiting = s.pending.get(me.id)
    if waiting is None or "form" in waiting.data:  # back to a form: where were we?
        resume_form(s)


@command("whoami")
def whoami(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.refresh_me()
    roles = ", ".join(sorted(r.value for r in me.roles))
    s.say(f"You are {me.display_name} (member {me.id}; {roles}; time zone {me.timezone}).")


@command("start")
def start(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    if args:
        me = set_timezone(s.ctx, me.id, args[0])
        s.me = me
    s.say(
        f"Welcome, {me.display_name}! Your time zone is {me.timezone}"
        + ("" if args else " (change it with /timezone Europe/Berlin)")
        + ". Send /request to ask for a mentorship session, /help for everything else."
    )


@command("clock")
def clock(s: ConsoleSession, args: list[str], rest: str) -> None:
    if rest:
        if rest[:1].isdigit() and "-" in rest:
            try:
                target = datetime.fromisoformat(rest)
            except ValueError:
                raise ValidationFailed({"clock": "Use e.g. /clock 2026-12-01T10:00"}) from None
            if target.tzinfo is None:
                target = target.replace(tzinfo=UTC)
            s.clock.set(ensure_utc(target))
        else:
            s.clock.advance(duration(rest))
    zone = s.me.timezone if s.me else "UTC"
    s.say(f"Clock: {local_time(s.clock.now(), zone)}")
