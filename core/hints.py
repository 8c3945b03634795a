"""Where to go next, named without a platform.

Core texts must not name a Telegram command: a Slack user cannot send ``/limits``. A text
that wants to point somewhere carries a :class:`Hint`, and each front-end phrases it in
its own idiom ("Send /limits" on Telegram, "Home tab → Limits" on Slack).
"""

from __future__ import annotations

from enum import StrEnum


class Hint(StrEnum):
    START = "start"  # register / say hello first
    HELP = "help"  # what you can do here
    MY = "my"  # your requests and sessions
    REQUEST = "request"  # ask for a session
    LIMITS = "limits"  # what is left of your limits
    BECOME_MENTOR = "become_mentor"  # apply to mentor
    QUEUE = "queue"  # open requests (mentors)
    AVAILABILITY = "availability"  # your weekly windows (mentors)
    ADD_WINDOW = "add_window"  # how to add a weekly availability window
    ASSIGN = "assign"  # how an admin hands a request to a mentor


Phrasebook = dict[Hint, str]


def with_hint(text: str, hint: Hint | None, phrases: Phrasebook) -> str:
    """``text`` followed by the platform's own pointer for ``hint`` (if it has one)."""
    if hint is None:
        return text
    pointer = phrases.get(hint, "")
    return f"{text} {pointer}".strip() if pointer else text
