"""(person, action and its raw arguments) → answer: the one way a press is handled."""

from __future__ import annotations

import logging

from bot.conversation import actions as _actions  # noqa: F401  (fills the vocabulary)
from bot.conversation.replies import Answer, UserText, refusal
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import VOCABULARY
from core.errors import DomainError
from core.hints import Hint

logger = logging.getLogger(__name__)
STALE = "This button no longer works."
SHOWN_ID = 32  # characters of a garbled id worth repeating back


def stale() -> Answer:
    """A button of an older version, or data that names nothing we know."""
    return refusal(STALE, Hint.HELP)


def no_such(noun: str, word: str) -> Answer:
    """A typed id that names nothing: said as the services say it ("There is no request
    #5"), the word shown as typed (cut short, and never as markup)."""
    shown = word if len(word) <= SHOWN_ID else word[: SHOWN_ID - 1] + "…"
    return Answer(
        note=(f"There is no {noun} #", UserText(shown), "."), refused=True, changed=frozenset()
    )


async def press(
    turn: Turn,
    name: str,
    raw_args: list[str] | tuple[str, ...],
    typed_as: str | None = None,
) -> Answer:
    """Run the action ``name`` for ``turn.member``; a domain refusal is an answer too.

    ``typed_as`` is how the person typed the command (``/claim``, ``/mentorship claim``):
    wrong arguments then get its usage rather than "this button no longer works"."""
    found = VOCABULARY.get(name)
    args = found.parse(raw_args) if found is not None else None
    if found is not None and args is None and typed_as is not None:
        unknown = found.unknown_id(raw_args)
        if unknown is not None:  # "/assign 1 99999999999999999999999"
            return no_such(*unknown)
        return refusal(f"Usage: {typed_as} {found.usage}".rstrip())
    if found is None or args is None:
        logger.info("stale or forged press of %r", name[:32])
        return stale()
    try:
        return await found.run(turn, *args)
    except DomainError as exc:
        return refusal(exc.user_message, exc.hint)
