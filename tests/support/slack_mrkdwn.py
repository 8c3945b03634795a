"""How a Slack client reads a mrkdwn text, closely enough to tell what it would act on.

``shown`` is what a person reads (date tokens show their fallback, entities decoded, the
invisible joiner and soft hyphen gone); ``active`` lists what Slack would turn into a ping,
a link, formatting or a quote. The rules are those of Slack's formatting reference: ``<…>``
is a control sequence; a plain ``@channel``/``@here``/``@everyone`` is parsed unless the
text object is ``verbatim``; ``*`` ``_`` ``~`` and a backtick format only as a pair whose
outer sides are word boundaries; a line starting with ``>`` quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

INERT_DATE = re.compile(r"<!date\^00000000\^\{_\}\|([^>]*)>")  # an invalid format: fallback
CONTROL = re.compile(r"<[^>]*>")
PLAIN_PING = re.compile(r"(?<!\w)@(?:channel|here|everyone)\b", re.IGNORECASE)
MARKUP = re.compile(r"(?<![A-Za-z0-9])([*_~`\uff0a\uff3f\uff40])(?=\S)(?:.*?\S)?\1(?![A-Za-z0-9])")
QUOTE = re.compile(r"^[ \t]*(?:&gt;|>|\uff1e)", re.MULTILINE)
INVISIBLE = str.maketrans("", "", "\u00ad\u2060")


def shown(mrkdwn: str) -> str:
    text = INERT_DATE.sub(lambda m: m.group(1), mrkdwn)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.translate(INVISIBLE)


def active(mrkdwn: str, *, verbatim: bool) -> list[str]:
    """Everything in ``mrkdwn`` Slack would act on rather than show as typed."""
    found = [m.group() for m in CONTROL.finditer(INERT_DATE.sub("\x00", mrkdwn))]
    outside = INERT_DATE.sub("\x00", mrkdwn)  # a fallback is shown as it is
    found += [m.group() for m in MARKUP.finditer(outside)]
    found += [m.group() for m in QUOTE.finditer(outside)]
    if not verbatim:
        found += [m.group() for m in PLAIN_PING.finditer(outside)]
    return found


def mrkdwn_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every mrkdwn text object in a block tree."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node
        for value in node.values():
            if isinstance(value, dict | list):
                yield from mrkdwn_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_objects(item)
