"""Long texts cut into pieces a platform accepts, without losing or breaking anything.

Every platform caps what one message (or one Slack section) may hold: Telegram 4,096
UTF-16 code units, Slack 3,000 characters per section. A reply longer than that is split,
never silently truncated: at the last line break that fits, else at the last space, else
anywhere that breaks no token the platform reads as one unit: an HTML entity (``&amp;``
cut in two shows as ``&a`` and ``mp;``), a Slack date token, a surrogate pair, a letter
and its combining accent.

The splitter works on the text *after* it was escaped for the platform (escaping changes
lengths); the platform says how it counts length and which tokens are atomic. Nothing here
knows any chat SDK.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

Length = Callable[[str], int]

FREE, IN_CLUSTER, IN_TOKEN, IN_PAIR = 0, 1, 2, 3  # how bad a cut at a position would be
_MARKS = frozenset({"Mn", "Mc", "Me"})


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it (an emoji such as 😀 is 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split(
    text: str,
    limit: int,
    *,
    length: Length = len,
    atomic: re.Pattern[str] | None = None,
) -> list[str]:
    """Non-empty pieces of ``text``, each ``length(piece) <= limit``, that concatenate to
    ``text`` exactly. ``length`` must count every character as at least 1 (``len`` and
    :func:`utf16_length` do). A match of ``atomic`` is cut only if it alone is longer than
    ``limit``; a surrogate pair never is. A single character longer than ``limit`` is a
    ``ValueError`` (the limit cannot be met without dropping it)."""
    if limit < 1:
        raise ValueError(f"limit must be positive, not {limit}")
    if length(text) <= limit:  # nearly every message: no cut to weigh, char by char
        return [text] if text else []
    badness = _badness(text, atomic)
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = _last_fitting_end(text, start, limit, length)
        if end == len(text):
            pieces.append(text[start:])
            break
        cut = _best_cut(text, start, end, badness)
        if cut <= start:
            raise ValueError(f"{text[start]!r} alone is longer than {limit}")
        pieces.append(text[start:cut])
        start = cut
    return pieces


def pieces(
    text: str,
    limit: int,
    *,
    length: Length = len,
    atomic: re.Pattern[str] | None = None,
) -> list[str]:
    """:func:`split` for display: the whitespace at each cut dropped (a message cannot end
    in a line break that is not shown anyway) and no piece blank (a platform refuses an
    empty message). Only whitespace is ever lost."""
    found = split(text, limit, length=length, atomic=atomic)
    out = [p.rstrip() for p in found[:-1]] + found[-1:]
    return [p for p in out if p.strip()]


def shorten(
    text: str,
    limit: int,
    marker: str,
    *,
    length: Length = len,
    atomic: re.Pattern[str] | None = None,
) -> str:
    """``text`` if it fits, else its head cut cleanly (as :func:`split` would) followed by
    ``marker``, which says that and where the rest can be read. For the one place a
    second message is impossible: an edit in place, a toast."""
    if length(text) <= limit:
        return text
    room = limit - length(marker)
    if room < 1:
        raise ValueError(f"the marker {marker!r} leaves no room within {limit}")
    head = split(text, room, length=length, atomic=atomic)[0].rstrip()
    return head + marker


def _badness(text: str, atomic: re.Pattern[str] | None) -> bytearray:
    """For each position 0..len(text): how bad a cut just before ``text[i]`` is."""
    bad = bytearray(len(text) + 1)
    for i in range(1, len(text)):
        char, before = text[i], text[i - 1]
        if unicodedata.category(char) in _MARKS or "\u200d" in (char, before):
            bad[i] = IN_CLUSTER  # an accent, a variation selector, a ZWJ emoji sequence
        elif "\U0001f3fb" <= char <= "\U0001f3ff":
            bad[i] = IN_CLUSTER  # a skin tone belongs to the emoji before it
        if "\ud800" <= before <= "\udbff" and "\udc00" <= char <= "\udfff":
            bad[i] = IN_PAIR
    if atomic is not None:
        for match in atomic.finditer(text):
            for i in range(match.start() + 1, match.end()):
                bad[i] = max(bad[i], IN_TOKEN)
    return bad


def _last_fitting_end(text: str, start: int, limit: int, length: Length) -> int:
    """The largest ``end`` with ``length(text[start:end]) <= limit`` (binary search: the
    length grows with ``end``, by at least 1 per character, so ``end <= start + limit``)."""
    low, high = start, min(len(text), start + limit)
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[start:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _best_cut(text: str, start: int, end: int, bad: bytearray) -> int:
    """Where to end the piece that starts at ``start`` and may run to ``end``: after the
    last clean line break, else after the last clean space, else the last clean position;
    only if there is none, inside a cluster, then inside an (over-long) atomic token."""
    for i in range(end, start, -1):
        if text[i - 1] == "\n" and bad[i] == FREE:
            return i
    for i in range(end, start, -1):
        if text[i - 1].isspace() and bad[i] == FREE:
            return i
    for tolerated in (FREE, IN_CLUSTER, IN_TOKEN):
        for i in range(end, start, -1):
            if bad[i] <= tolerated:
                return i
    return start
