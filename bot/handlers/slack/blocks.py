"""Block Kit pieces: escaping user text for mrkdwn, messages with buttons, limits.

Every text shown in Slack comes from ``bot/views.py`` / ``core/delivery/texts.py`` as plain
text with user input inside, so it is escaped as a whole: ``&``, ``<`` and ``>`` become
entities, which makes ``<!channel>``, ``<@U123>`` and ``<https://evil|disguised>`` inert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.delivery.messages import Action

SECTION_LIMIT = 3000  # characters in a section's text
BUTTON_LABEL_LIMIT = 75
OPTION_LABEL_LIMIT = 75
VALUE_LIMIT = 2000
ACTIONS_PER_BLOCK = 25
FALLBACK_TEXT_LIMIT = 3000

Block = dict[str, Any]


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = BUTTON_LABEL_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit) or " ", "emoji": True}


def section(text: str) -> Block:
    """A mrkdwn section of escaped ``text`` (cut to Slack's 3000 characters)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(escape(text), SECTION_LIMIT)}}


def sections(text: str) -> list[Block]:
    """Long texts become several sections rather than being cut."""
    escaped = escape(text)
    parts: list[Block] = []
    while escaped:
        chunk = escaped[:SECTION_LIMIT]
        if len(escaped) > SECTION_LIMIT and "\n" in chunk:
            chunk = chunk[: chunk.rindex("\n") + 1]
        parts.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
        escaped = escaped[len(chunk) :]
    return parts or [section(" ")]


def button(label: str, action_id: str, value: str = "", style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": plain(label),
        "action_id": action_id[:255],
        "value": value[:VALUE_LIMIT],
    }
    if style:
        element["style"] = style
    return element


def action_button(action: Action, index: int) -> Block:
    """``a:<name>:<index>`` (the index keeps action ids unique within the block); the value
    is the action's args joined by ':' and is re-authorized by the services on press."""
    if action.url:
        return {
            "type": "button",
            "text": plain(action.label),
            "action_id": f"link:{index}",
            "url": action.url[:3000],
        }
    return button(action.label, f"a:{action.name.value}:{index}", ":".join(action.args))


def actions_blocks(elements: Sequence[Block], block_prefix: str = "actions") -> list[Block]:
    return [
        {
            "type": "actions",
            "block_id": f"{block_prefix}:{i}",
            "elements": list(elements[i : i + ACTIONS_PER_BLOCK]),
        }
        for i in range(0, len(elements), ACTIONS_PER_BLOCK)
    ]


def message_blocks(text: str, actions: Sequence[Action] = ()) -> list[Block]:
    blocks = sections(text)
    blocks += actions_blocks([action_button(a, i) for i, a in enumerate(actions)])
    return blocks


def fallback_text(text: str) -> str:
    """The notification text (``text`` of chat.postMessage), escaped as well."""
    return fit(escape(text), FALLBACK_TEXT_LIMIT)


def option(label: str, value: str) -> Block:
    return {"text": plain(label, OPTION_LABEL_LIMIT), "value": value[:150]}
