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
    EXTEND_ONCE = "extend_once"  # the expiry warning's Extend: request, the expiry it named
    EDIT = "edit"
    REPOST = "repost"
    OUTCOME = "outcome"
    RATE = "rate"
    NOTES = "notes"
    APPROVE_MENTOR = "approve"
    REJECT_MENTOR = "reject"
    BOOK_SLOT = "book"  # a slot for a claimed request
    MOVE_SESSION = "move"  # a new slot for a scheduled session
    MORE_TIMES = "more_times"  # the next page of slots to book: request, after this epoch
    MORE_MOVES = "more_moves"  # the next page of slots to move to: session, after this epoch
    SET_TIMEZONE = "set_timezone"
    REMOVE_WINDOW = "remove_window"
    ASK_MENTOR = "ask"  # open the request form for this mentor
    DECLINE = "decline"  # the chosen mentor cannot take a request addressed to them
    # The request form's own buttons (bot/conversation/forms/request_form.py). They are not
    # entries of the vocabulary: the form in progress, not a database row, says what they
    # mean. The first argument of the step-bound ones is the step they were shown for.
    FORM_CHOOSE = "form_choose"  # step, index of the choice
    FORM_TAG = "form_tag"  # step, index of the suggested tag (picks or unpicks it)
    FORM_TAGS_DONE = "form_tags_done"  # step[, the tags as typed, replacing the picked]
    FORM_DAY = "form_day"  # step, YYYY-MM-DD
    FORM_MONTH = "form_month"  # step, first day of the month the date picker shows
    FORM_KEEP = "form_keep"  # step: keep the answer given before
    FORM_SUBMIT = "form_submit"  # step (the preview's)
    FORM_EDIT = "form_edit"  # step (the preview's): which answer to change?
    FORM_FIELD = "form_field"  # step (the preview's), index of the step to change
    FORM_BACK = "form_back"
    FORM_CANCEL = "form_cancel"
    HISTORY = "history"  # a request's transitions, who made them and why
    DISPUTE = "dispute"  # "It did happen": the side reported absent contests the no-show
    SETTLE = "settle"  # an admin decides a disputed no-show (session, outcome)
    WITHDRAW = "withdraw"  # hide a finished request (and its session) from every list
    HIDE_SESSION = "hide"  # hide a finished session (and its request) from every list


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
