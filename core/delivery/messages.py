"""A message as every front-end understands it: text plus buttons that name an action.

Each front-end renders ``Action`` in its own way (an inline keyboard button on Telegram,
a Block Kit button on Slack, a numbered command in the console). The action's ``name``
and ``args`` are what comes back when the button is pressed, and are re-authorized then.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from core.hints import Hint, Phrasebook, with_hint


class ActionName(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    PICK_SLOT = "slots"
    JOIN = "join"
    RESCHEDULE = "reschedule"
    CANCEL_REQUEST = "cancel"
    CANCEL_SESSION = "cancel_session"
    EXTEND = "extend"
    EDIT = "edit"
    REPOST = "repost"
    OUTCOME = "outcome"
    RATE = "rate"
    NOTES = "notes"
    APPROVE_MENTOR = "approve"
    REJECT_MENTOR = "reject"
    BOOK_SLOT = "book"  # a slot for a claimed request
    MOVE_SESSION = "move"  # a new slot for a scheduled session
    SET_TIMEZONE = "set_timezone"
    REMOVE_WINDOW = "remove_window"
    ASK_MENTOR = "ask"  # open the request form for this mentor
    HISTORY = "history"  # a request's transitions, who made them and why


@dataclass(frozen=True)
class Action:
    label: str
    name: ActionName
    args: tuple[str, ...] = ()
    url: str | None = None  # a link button (join the meeting) rather than a callback


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Message:
    text: str
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    hint: Hint | None = None  # where to go next, phrased by each sender (core.hints)

    def phrased(self, phrases: Phrasebook) -> Message:
        """The message with its hint written out in a platform's own words."""
        if self.hint is None:
            return self
        return replace(self, text=with_hint(self.text, self.hint, phrases), hint=None)
