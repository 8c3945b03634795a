"""Asking why, before a cancel, a release or a move: the other person is told the reason.

A button carries no reason, so pressing it asks for one (Telegram and the console wait
for the next message, Slack opens a modal); the answer presses the same action again,
with the reason. A typed command may give it at once (``/cancel_session 5 I am ill``).
"-" (or an empty answer, or /skip) goes ahead without one.
"""

from __future__ import annotations

from bot.conversation.replies import Answer, Expect, Input
from core.delivery.messages import ActionName
from core.policy import Policy
from core.validation import clean_text, validate_one

NO_REASON = "-"
PREFIX = "reason:"  # how a chat remembers which action the awaited reason belongs to

TITLES = {  # short, for a Slack modal's title (at most 24 characters)
    ActionName.CANCEL_SESSION: "Cancel the session",
    ActionName.CANCEL_REQUEST: "Cancel the request",
    ActionName.RELEASE: "Release the request",
    ActionName.RESCHEDULE: "Move the session",
    ActionName.DECLINE: "Decline the request",
}


def given(reason: str) -> str | None:
    """The reason typed or answered; None when the person chose to give none."""
    text = reason.strip()
    return None if text in ("", NO_REASON) else text


def check(policy: Policy, raw: str) -> str:
    """The answered reason, cleaned and checked (too long: a field error, asked again)."""
    return validate_one(
        "reason", lambda: clean_text(raw, "The reason", policy.reason_max, required=False)
    )


def ask(action: ActionName, ref: int, prompt: str) -> Answer:
    """The question; nothing has changed yet."""
    values: dict[str, object] = {"action": action.value, "title": TITLES.get(action, "Why?")}
    return Answer(expect=Expect(Input.REASON, ref, prompt, values), changed=frozenset())


def awaited(expect: Expect) -> str:
    """What a chat stores while it waits: ``reason:<action>``."""
    return PREFIX + str(expect.values.get("action", ""))
