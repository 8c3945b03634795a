"""Every action a person can press or send, defined once.

An entry names its arguments (parsed strictly: a forged or garbled value never reaches a
service), who may use it (documentation for readers and tests: the service it calls
checks it again in the database on every press, never trusting the payload) and the
coroutine that calls the service and builds the neutral answer.

Adding an action is a new entry here (in one of ``bot/conversation/actions/``), its
service and its tests: adapters encode ``name`` and ``args`` into their own button data
and need no change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.conversation.replies import Answer
from core.sessions import Outcome

MAX_ID_DIGITS = 18  # ids are 64-bit in the database; a longer number is forged
MAX_EPOCH = 2**33  # seconds; far beyond any bookable time
MAX_ZONE_LENGTH = 64


class Arg(StrEnum):
    ID = "id"  # a database id
    EPOCH = "epoch"  # a slot's start, seconds since 1970 (UTC)
    OUTCOME = "outcome"  # completed | mentor_no_show | student_no_show
    STARS = "stars"  # a rating, 1-5
    ZONE = "zone"  # an IANA time zone name (checked by the service)
    TEXT = "text"  # the rest of a typed command, possibly empty (last only)


def parse_arg(kind: Arg, raw: str) -> int | str | None:
    """The value, or None when it cannot be one (the press is then stale)."""
    if kind in (Arg.ID, Arg.EPOCH, Arg.STARS):
        if not raw.isdigit() or not raw.isascii() or len(raw) > MAX_ID_DIGITS:
            return None
        value = int(raw)
        if kind == Arg.EPOCH and not 0 < value < MAX_EPOCH:
            return None
        if kind == Arg.STARS and not 1 <= value <= 5:
            return None
        return value
    if kind == Arg.TEXT:
        return raw
    if kind == Arg.OUTCOME:
        return raw if raw in {o.value for o in Outcome} else None
    ok = 0 < len(raw) <= MAX_ZONE_LENGTH and raw.isprintable()  # Arg.ZONE
    return raw if ok else None


Run = Callable[..., Awaitable[Answer]]


@dataclass(frozen=True)
class ActionDef:
    name: str
    args: tuple[Arg, ...]
    who: str
    run: Run
    usage: str = ""  # the arguments as a person types them, e.g. "REQUEST_ID [reason]"
    command: str | None = None  # the name people type it by (None: a button only)

    def words(self, raw: list[str] | tuple[str, ...]) -> list[str] | None:
        """One word per argument (a trailing TEXT takes the rest, or ""); None if the
        count is wrong."""
        words = list(raw)
        if self.args[-1:] == (Arg.TEXT,):
            fixed = len(self.args) - 1
            words = [*words[:fixed], " ".join(words[fixed:])]
            if len(words) < len(self.args):
                words.append("")
        return words if len(words) == len(self.args) else None

    def parse(self, raw: list[str] | tuple[str, ...]) -> tuple[Any, ...] | None:
        """The typed values; a trailing TEXT takes the rest of the words (or "")."""
        words = self.words(raw)
        if words is None:
            return None
        values = tuple(parse_arg(kind, value) for kind, value in zip(self.args, words, strict=True))
        return None if any(v is None for v in values) else values

    def unknown_id(self, raw: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
        """(what it names, the word) for the first typed id that cannot name anything (not
        a number, or beyond the database's range), when that is all that is wrong; what
        it names comes from ``usage`` ("REQUEST_ID MENTOR_ID": a request, a mentor)."""
        words = self.words(raw)
        if words is None:
            return None
        names = self.usage.split()
        bad = [
            i
            for i, (k, w) in enumerate(zip(self.args, words, strict=True))
            if parse_arg(k, w) is None
        ]
        if not bad or any(self.args[i] != Arg.ID or not words[i] for i in bad):
            return None  # something else is wrong, or an id is missing: the usage says
        first = bad[0]
        name = names[first] if first < len(names) else ""
        noun = (
            name.removesuffix("_ID").replace("_", " ").lower() if name.endswith("_ID") else "item"
        )
        return noun, words[first]


VOCABULARY: dict[str, ActionDef] = {}


BUTTON_ONLY = ""  # ``command=BUTTON_ONLY``: not typed (a slot's epoch is no thing to type)


def action(
    name: str, *args: Arg, who: str, usage: str = "", command: str | None = None
) -> Callable[[Run], Run]:
    """Declare an action; ``run(turn, *args)`` calls its service and answers. It can be
    typed as ``command`` (its name unless given; ``BUTTON_ONLY`` for none)."""

    key = str(name)  # an ActionName is kept as its plain value

    def register(run: Run) -> Run:
        if key in VOCABULARY:
            raise ValueError(f"action {key!r} is defined twice")
        if Arg.TEXT in args[:-1]:
            raise ValueError(f"action {key!r}: only the last argument may be free text")
        typed = key if command is None else command or None
        VOCABULARY[key] = ActionDef(key, args, who, run, usage, typed)
        return run

    return register


def typed_actions() -> dict[str, ActionDef]:
    """Command name → action, for every action a person can type."""
    return {d.command: d for d in VOCABULARY.values() if d.command}
