"""Callback data ⇄ (action name, raw arguments), within the Bot API's 64 bytes.

``a:<name>:<args…>`` in general; the shortest aliases for the buttons that come many at a
time (slots, time zones, availability windows). Decoding only splits: the vocabulary
parses and bounds every argument, and the services authorize every press.
"""

from __future__ import annotations

from bot.conversation.short_names import SHARED, by_alias
from core.delivery.messages import Action, ActionName

ALIASES = SHARED | {
    ActionName.SET_TIMEZONE: "tz",
    ActionName.REMOVE_WINDOW: "w:rm",
}
BY_ALIAS = by_alias(ALIASES)
MAX_CALLBACK_BYTES = 64


def encode(action: Action) -> str:
    prefix = ALIASES.get(action.name) or f"a:{action.name.value}"
    text = ":".join((prefix, *action.args))
    if not 1 <= len(text.encode()) <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data out of range: {text[:80]!r}")
    return text


def decode(data: str) -> tuple[str, list[str]]:
    """The action's name and its raw arguments; an unknown shape gives name ''."""
    if data.startswith("a:"):
        name, _, rest = data[2:].partition(":")
        return name, rest.split(":") if rest else []
    if data.startswith("w:rm"):
        rest = data[len("w:rm") :].removeprefix(":")
        return BY_ALIAS["w:rm"], rest.split(":") if rest else []
    alias, _, rest = data.partition(":")
    if alias == "tz":
        return BY_ALIAS[alias], [rest]
    if alias in BY_ALIAS:
        return BY_ALIAS[alias], rest.split(":")
    return "", []
