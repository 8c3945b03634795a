"""Text for Slack's mrkdwn that can neither ping anyone nor format.

Every text shown in Slack comes from the product as plain text with what people typed
inside it (the product's own words use no markup), so it is escaped as a whole. Slack's
mrkdwn has no backslash escape; each threat needs its own remedy:

- ``&``, ``<`` and ``>`` are Slack's control characters. As ``&amp;``, ``&lt;`` and
  ``&gt;`` (the only entities Slack decodes) they make ``<!channel>``, ``<!here>``,
  ``<@U123>``, ``<#C1>``, ``<https://evil|disguised>`` and ``<!date…>`` plain text.
- A plain ``@channel``, ``@here`` or ``@everyone`` (and ``#channel`` names, URLs) is
  "automatically parsed" unless the text object says ``verbatim: true``; every section
  here does (see ``blocks.py``). A message's fallback ``text`` has no such flag, so a
  WORD JOINER (U+2060, invisible) after the ``@`` keeps those words from matching there.
- ``*bold*``, ``_italic_``, ``~strike~``, ```code``` (and their full-width forms) format
  only where the marker touches a word boundary: ``snake_case`` stays as typed. A marker
  run at a boundary becomes a date token with an invalid format, ``<!date^00000000^{_}|*>``:
  Slack cannot render the date and shows the fallback after ``|`` literally, unformatted
  (the technique jsx-slack's ``<Escape>`` uses). A zero-width space would not do: Slack
  takes it as a word boundary, which *enables* formatting (jsx-slack's "exact mode").
- ``>`` (``&gt;``, or its full-width form) at the start of a line quotes it; an
  invisible SOFT HYPHEN (U+00AD) before it means the line no longer starts with it.

``ATOMIC`` lists what a split must keep whole: an entity, a date token, a guarded ``>``,
and a marker between two letters (cut there, it would start the next section at a
boundary).
"""

from __future__ import annotations

import re

MARKERS = re.compile(r"[*_~`\uff0a\uff3f\uff40]{1,100}")
PINGS = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
QUOTE_START = re.compile(r"^([ \t]*)(?=&gt;|\uff1e)", re.MULTILINE)
INERT = "<!date^00000000^{{_}}|{}>"
ATOMIC = re.compile(
    r"&(?:amp|lt|gt);"
    r"|<!date\^[^|>]*\|[^>]*>"
    r"|\u00ad(?:&gt;|\uff1e)"
    r"|[A-Za-z0-9][*_~`\uff0a\uff3f\uff40]+[A-Za-z0-9]"
)


def escape(text: str) -> str:
    """``text`` as mrkdwn that shows exactly what was typed and does nothing else."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = MARKERS.sub(_inert_marker, text)
    text = PINGS.sub("@\u2060", text)
    return guard_quotes(text)


def guard_quotes(escaped: str) -> str:
    """No line of ``escaped`` starts a quote; again for each piece after a split, since
    each section starts a line of its own."""
    return QUOTE_START.sub("\\1\u00ad", escaped)


def _inert_marker(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if start > 0 and end < len(text) and _letter(text[start - 1]) and _letter(text[end]):
        return match.group()  # inside a word: Slack does not format it
    return INERT.format(match.group())


def _letter(char: str) -> bool:
    return char.isascii() and char.isalnum()
