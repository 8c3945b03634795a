"""Replies as neutral values: what to say, which buttons, what input comes next.

A renderer must be able to show these on any platform, so they carry no markup. Text a
person typed is wrapped in :class:`UserText`, so each renderer escapes it for its own
markup (it must never ping anyone or format); a :class:`~core.hints.Hint` names where to
go next, and each renderer phrases it ("Send /limits", "Home tab → Limits").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from core.delivery.messages import Action, Attachment
from core.hints import Hint, Phrasebook


@dataclass(frozen=True)
class UserText:
    """Text that came from a person: shown literally, never as markup."""

    text: str


Part = str | UserText | Hint


def plain(parts: tuple[Part, ...], phrases: Phrasebook, escape: Callable[[str], str]) -> str:
    """The parts as one string: hints phrased, user text passed through ``escape``."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, UserText):
            out.append(escape(part.text))
        elif isinstance(part, Hint):
            pointer = phrases.get(part, "")
            if pointer:
                out.append((" " if out and not out[-1].endswith((" ", "\n")) else "") + pointer)
        else:
            out.append(part)
    return "".join(out)


@dataclass(frozen=True)
class Reply:
    """One message to the person who acted, in their private chat with the bot."""

    parts: tuple[Part, ...]
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def of(cls, *parts: Part, actions: tuple[Action, ...] = ()) -> Reply:
        return cls(tuple(parts), actions)


class Input(StrEnum):
    """Free text (or a small form) the person is asked for next."""

    FEEDBACK = "feedback"  # after a rating: optional words for the mentor
    NOTES = "notes"  # the mentor's real duration and private notes
    REQUEST_FORM = "request_form"  # the request form, opened with a draft
    REASON = "reason"  # why a session or request is cancelled or released (optional)


@dataclass(frozen=True)
class Expect:
    """The next input: Telegram and the console wait for a message, Slack opens a modal.

    ``ref`` is the entity the input is about (a session for feedback and notes, a request
    being edited); ``values`` are what the input starts with (notes so far, a draft).
    """

    input: Input
    ref: int | None = None
    prompt: str = ""
    values: dict[str, object] = field(default_factory=dict)


class Surface(StrEnum):
    """What changed, so a platform that shows it somewhere persistent redraws it."""

    HOME = "home"
    AVAILABILITY = "availability"


@dataclass(frozen=True)
class Answer:
    """What pressing an action (or sending a command) produced.

    ``note`` answers the press itself (a Telegram toast, a Slack ephemeral note, a console
    line); ``refused`` marks it as a refusal worth showing prominently. ``replies`` go to
    the person's private chat (slot buttons are never posted in a group).
    """

    note: Part | tuple[Part, ...] | None = None
    refused: bool = False
    replies: tuple[Reply, ...] = ()
    expect: Expect | None = None
    changed: frozenset[Surface] = frozenset({Surface.HOME})
    # The press that shows ``replies`` again, for a platform that could not deliver them
    # now (a Telegram user who never opened a private chat gets a deep link to it).
    again: tuple[str, tuple[str, ...]] | None = None

    def note_parts(self) -> tuple[Part, ...]:
        if self.note is None:
            return ()
        return self.note if isinstance(self.note, tuple) else (self.note,)


def refusal(message: str, hint: Hint | None = None) -> Answer:
    parts: tuple[Part, ...] = (message, hint) if hint is not None else (message,)
    return Answer(note=parts, refused=True, changed=frozenset())
