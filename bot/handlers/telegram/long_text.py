"""Texts longer than one Telegram message: split into several, or (where one message must
do, an edit in place) shortened with a visible marker. Never cut silently.

Telegram counts a text's length in UTF-16 code units (an emoji is 2), so a text under
4,096 characters can still be refused; every length here is counted that way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import InlineKeyboardMarkup

from bot.conversation.splitting import pieces, shorten, utf16_length

TELEGRAM_TEXT_LIMIT = 4096  # UTF-16 code units of a message's text (emoji count 2)
SHORTENED = "… (shortened; full text in /my)"
T = TypeVar("T")
Send = Callable[[str, InlineKeyboardMarkup | None], Awaitable[T]]


def fit(text: str, limit: int = TELEGRAM_TEXT_LIMIT, marker: str = SHORTENED) -> str:
    """One message's worth of ``text``, for where a second message is impossible (an edit
    in place): cut at a line or word and marked as shortened, never silently. A short
    last line is kept: on an edited card it is the news ("Status: claimed by Bob")."""
    if utf16_length(text) <= limit:
        return text
    body, _, last = text.rpartition("\n")
    room = limit - utf16_length(last) - 1
    if body.strip() and room >= limit // 2:
        return shorten(body, room, marker, length=utf16_length) + "\n" + last
    return shorten(text, limit, marker, length=utf16_length)


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """``text`` as the messages it takes, each within Telegram's limit (counted in UTF-16
    units), cut at line breaks where possible. (Plain text is sent, no parse_mode, so
    there is no entity to keep whole.)"""
    return pieces(text, limit, length=utf16_length) or [text]


async def send_pieces(send: Send[T], text: str, markup: InlineKeyboardMarkup | None) -> T:
    """Send ``text`` as several messages if it needs them; the keyboard goes on the last
    one, under the end of the text (a long preview keeps "Submit it?" and its buttons).
    Returns what the last send returned."""
    found = split_text(text)
    for piece in found[:-1]:
        await send(piece, None)
    return await send(found[-1], markup)
