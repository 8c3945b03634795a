"""JSON text of the front-ends' stored state, made with orjson.

Every Telegram update turns its person's state into JSON text up to three times: to see
whether it changed since it was read, to copy it for the batch, and for the batch's
statement. With the standard library's ``json`` that was 7.7 % of the Telegram path's
time under the GIL at 16 people at once (py-spy, issue 14); orjson does the same work
about ten times faster. The text keeps ``json.dumps(..., sort_keys=True, default=str)``'s
meaning: keys sorted (equal states give equal texts), non-string keys written as strings,
and anything JSON has no type for (a date, a dataclass) written as its ``str()``.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_NON_STR_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def state_text(value: object) -> str:
    """``value`` as JSON text, the same text for equal values."""
    return orjson.dumps(value, default=str, option=_OPTIONS).decode()


def state_value(text: str | bytes) -> Any:
    """The value a ``state_text`` stands for."""
    return orjson.loads(text)
