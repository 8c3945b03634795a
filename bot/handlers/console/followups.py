"""After a session: the rating (with its feedback typed at once, or asked for), the
mentor's notes, and /skip for a question one would rather not answer."""

from __future__ import annotations

from dataclasses import replace

from bot.handlers.console.answers import save_feedback, save_notes
from bot.handlers.console.parsing import number
from bot.handlers.console.presses import SKIP, cleaned, press_typed, show
from bot.handlers.console.session import ConsoleSession, command
from core.delivery.messages import ActionName


@command("rate")
def rate(s: ConsoleSession, args: list[str], rest: str) -> None:
    """``/rate SESSION 1-5 [feedback]``: the shared rating; the words, if any, saved."""
    words, feedback = cleaned(args[:2]), " ".join(args[2:])
    answer = s.press(ActionName.RATE.value, words, "/rate")
    if answer.refused or not feedback:
        show(s, answer)
        return
    show(s, replace(answer, expect=None))  # the thanks; the feedback is here already
    save_feedback(s, int(words[0]), feedback)


@command("feedback")
def feedback(s: ConsoleSession, args: list[str], rest: str) -> None:
    save_feedback(s, number(args, 0, "/feedback SESSION_ID TEXT"), " ".join(args[1:]))


@command("notes")
def notes(s: ConsoleSession, args: list[str], rest: str) -> None:
    """``/notes SESSION`` asks for them (the Add notes button); with text, saves them."""
    if len(args) < 2:
        press_typed(s, ActionName.NOTES.value, args, "/notes")
        return
    save_notes(s, number(args, 0, "/notes SESSION_ID [MINUTES] TEXT"), " ".join(args[1:]))


@command("skip")
def skip(s: ConsoleSession, args: list[str], rest: str) -> None:
    waiting = s.drop_pending(s.require_me().id)
    on_skip = waiting.data.get(SKIP) if waiting is not None else None
    if callable(on_skip):  # an awaited reason: the cancel goes ahead without one
        on_skip()
        return
    s.say("Skipped.")
