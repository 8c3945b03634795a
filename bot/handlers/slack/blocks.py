"""Block Kit pieces: user text made inert for mrkdwn, long texts split, buttons, limits.

Every text shown in Slack comes from ``bot/views.py`` / ``core/delivery/texts.py`` as plain
text with user input inside, so it is escaped as a whole (``bot.handlers.slack.mrkdwn``:
no ping, no formatting) and every mrkdwn object says ``verbatim: true``, so that Slack does
not turn a plain ``@here`` or ``#channel`` into a mention or link either. A text longer
than a section holds becomes several sections, cut at line breaks and never inside an
entity (``&amp;`` cut in two shows as ``&a`` + ``mp;``); where one text object must do (a
fallback text, a list line), it is shortened and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.conversation.splitting import pieces, shorten, utf16_length
from bot.handlers.slack.mrkdwn import ATOMIC, escape, guard_quotes
from core.delivery.messages import Action

SECTION_LIMIT = 3000  # characters in a section's text (counted as UTF-16 units, to be safe)
BUTTON_LABEL_LIMIT = 75
OPTION_LABEL_LIMIT = 75
VALUE_LIMIT = 2000
ACTIONS_PER_BLOCK = 25
FALLBACK_TEXT_LIMIT = 3000
SHORTENED = " … (shortened)"

Block = dict[str, Any]


def fit(text: str, limit: int, marker: str = "…") -> str:
    """A plain_text label within ``limit``, cut at a word where possible, marked."""
    return shorten(text, limit, marker, length=utf16_length)


def mrkdwn_section(escaped: str) -> Block:
    """A section of already escaped mrkdwn (within the limit), never auto-linked."""
    text = {"type": "mrkdwn", "text": escaped or " ", "verbatim": True}
    return {"type": "section", "text": text}


def section(text: str) -> Block:
    """A mrkdwn section of escaped ``text``; too long for one section, it is shortened and
    marked (use :func:`sections` where several blocks may follow one another)."""
    escaped = shorten(
        escape(text), SECTION_LIMIT - 1, SHORTENED, length=utf16_length, atomic=ATOMIC
    )
    return mrkdwn_section(escaped)


def sections(text: str) -> list[Block]:
    """Long texts become several sections rather than being cut."""
    return mrkdwn_sections(escape(text))


def mrkdwn_sections(escaped: str) -> list[Block]:
    """Escaped mrkdwn as sections of at most 3,000 characters, split at line breaks (else
    spaces) and never inside an entity or a date token. Each section starts a line of
    its own, so a piece that now starts with ``&gt;`` is guarded again (one character:
    hence the limit minus one)."""
    found = pieces(escaped, SECTION_LIMIT - 1, length=utf16_length, atomic=ATOMIC)
    return [mrkdwn_section(guard_quotes(p)) for p in found] or [mrkdwn_section(" ")]


def plain(text: str, limit: int = BUTTON_LABEL_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit) or " ", "emoji": True}


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
    """The notification text (``text`` of chat.postMessage), escaped as well. Slack shows
    it alone when a message has no blocks, so a longer one is shortened visibly."""
    escaped = escape(text)
    return shorten(escaped, FALLBACK_TEXT_LIMIT, SHORTENED, length=utf16_length, atomic=ATOMIC)


def option(label: str, value: str) -> Block:
    return {"text": plain(label, OPTION_LABEL_LIMIT), "value": value[:150]}
