"""Block Kit button ⇄ (action name, raw arguments).

``action_id`` names the action (``a:<name>:<index>``; the index keeps ids unique within a
block) and ``value`` carries its arguments joined by ':'. Slots, availability windows and
the Home tab's "Request <name>" keep their own short ids. Decoding only splits: the
vocabulary parses and bounds every argument, the services authorize every press.
"""

from __future__ import annotations

import re

from bot.conversation.short_names import SHARED, by_alias
from core.delivery.messages import Action, ActionName

ALIASES = SHARED | {
    ActionName.REMOVE_WINDOW: "avail:remove",
    ActionName.ASK_MENTOR: "home:ask",
}
BY_ALIAS = by_alias(ALIASES)
PATTERN = re.compile(r"^(a:[a-z_]+|s|r|avail:remove|home:ask):\d+$")


def action_id(action: Action, index: int) -> str:
    prefix = ALIASES.get(action.name) or f"a:{action.name.value}"
    return f"{prefix}:{index}"


def decode(action_id_: str, value: str) -> tuple[str, list[str]]:
    """The action's name and raw arguments; an unknown shape gives name ''."""
    if not PATTERN.match(action_id_):
        return "", []
    prefix = action_id_.rsplit(":", 1)[0]
    name = prefix[2:] if prefix.startswith("a:") else BY_ALIAS[prefix]
    return name, value.split(":") if value else []
