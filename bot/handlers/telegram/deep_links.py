"""Deep links into the bot's private chat: ``https://t.me/<bot>?start=<payload>``.

Forms and personal commands run only in a private chat; from a group (or a message a
mentor cannot act on there) the bot points to a link that opens that chat and sends
``/start <payload>``. A payload is ``<name>`` or ``<name>-<argument>`` (``request``,
``ask-12``, ``slots-40``), at most 64 characters of ``A-Z a-z 0-9 _ -`` (Telegram's rule).

What a payload starts is decided in two places, both declared with the handlers: the
forms' own ``/start`` handlers (``start_filter``, registered first) and
``start.START_PAYLOADS`` for everything else.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram.ext import filters

PAYLOAD_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
REQUEST = "request"  # opens the request form
ASK = "ask"  # ask-<mentor id>: the request form with that mentor chosen
EDIT = "edit"  # edit-<request id>: the request form filled with that request
BECOME_MENTOR = "become_mentor"  # opens the mentor application


def payload(name: str, argument: int | str | None = None) -> str:
    """``name`` or ``name-argument``; refuses what Telegram would not carry."""
    text = name if argument is None else f"{name}-{argument}"
    if not PAYLOAD_RE.fullmatch(text):
        raise ValueError(f"not a deep-link payload: {text[:80]!r}")
    return text


def deep_link(username: str, payload: str) -> str:
    """The link that opens the private chat with the bot ``username`` (no leading @) and
    sends ``/start <payload>``; an empty payload just opens the chat."""
    bot = username.removeprefix("@")
    if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", bot):
        raise ValueError(f"not a bot username: {username[:80]!r}")
    if not payload:
        return f"https://t.me/{bot}"
    if not PAYLOAD_RE.fullmatch(payload):
        raise ValueError(f"not a deep-link payload: {payload[:80]!r}")
    return f"https://t.me/{bot}?start={payload}"


def parse_payload(args: Sequence[str] | None) -> tuple[str, str] | None:
    """``/start``'s arguments as (name, argument) when they are one well-formed payload
    (the argument is "" for a bare name); anything else (a time zone, free text) is None."""
    if not args or len(args) != 1 or not PAYLOAD_RE.fullmatch(args[0]):
        return None
    name, _, argument = args[0].partition("-")
    return name, argument


def start_filter(name: str, argument: str = "") -> filters.BaseFilter:
    """Matches ``/start <name>`` (``argument`` a regular expression for ``<name>-<argument>``)
    in a private chat: a form's entry point for its deep link, as in PTB's deeplinking.py."""
    tail = re.escape(name) + (f"-{argument}" if argument else "")
    return filters.ChatType.PRIVATE & filters.Regex(rf"^/start(@\w+)? {tail}$")


def id_of(argument: str) -> int | None:
    """A payload's numeric argument (an id), or None when it is not one."""
    return int(argument) if argument.isdigit() and len(argument) <= 18 else None
