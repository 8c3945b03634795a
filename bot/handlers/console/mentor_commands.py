"""Applying to mentor in the console (the rest of a mentor's commands are shared actions,
pressed through ``presses``)."""

from __future__ import annotations

from bot.conversation.forms import mentor_application as application
from bot.conversation.forms.mentor_application import FIELDS, MentorApplication
from bot.conversation.replies import plain
from bot.handlers.console.phrases import PHRASES
from bot.handlers.console.session import ConsoleSession, Pending, command
from core.errors import DomainError, ValidationFailed


@command("become_mentor")
def become_mentor(s: ConsoleSession, args: list[str], rest: str) -> None:
    """The mentor application (``bot.conversation.forms``), one question per line."""
    s.require_me()
    form = MentorApplication()
    s.ask(Pending(lambda line: _apply_step(s, form, line), {"application": form}))
    s.say(FIELDS[0].prompt + "  (/cancel to stop)")


def _apply_step(s: ConsoleSession, form: MentorApplication, line: str) -> None:
    """Each answer is checked as it is given: refused, the reason and the same question."""
    me = s.require_me()
    step = form.current or FIELDS[-1]
    try:
        following = application.answer(form, line, s.ctx)
    except ValidationFailed as failed:
        s.say(application.again(step, failed))
        return
    if following is not None:
        s.say(following.prompt)
        return
    try:
        profile = application.submit(s.ctx, me.id, form)
    except DomainError as exc:  # the form now asks again what was refused
        s.say(application.again(form.current or FIELDS[-1], exc))
        return
    s.drop_pending(me.id)
    s.say(plain(application.done(profile), PHRASES, str))
