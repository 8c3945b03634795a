"""Short names for the buttons that come many at a time, shared by the front-ends'
codecs: a day of time slots or moves is a keyboard of them, and every byte of a button
counts (Telegram allows 64 for its data). Each codec adds its platform's own few; the
names are wire formats, so buttons on messages already sent keep working."""

from __future__ import annotations

from collections.abc import Mapping

from core.delivery.messages import ActionName

SHARED: dict[ActionName, str] = {
    ActionName.BOOK_SLOT: "s",
    ActionName.MOVE_SESSION: "r",
}


def by_alias(aliases: Mapping[ActionName, str]) -> dict[str, str]:
    """Alias -> action name, for decoding."""
    return {alias: name.value for name, alias in aliases.items()}
