"""The opening every modal submission shares: check the fields without the database and
answer Slack with the result (a refusal shown under its field, else the ack), so that
what comes after the ack (saving, messages) may take its time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck

from bot.handlers.slack.modals import errors_for_view
from core.errors import ValidationFailed

T = TypeVar("T")


async def ack_if_valid(ack: AsyncAck, view: dict[str, Any], check: Callable[[], T]) -> T | None:
    """``check()``'s value, acked; None when it refused (the errors are on the form)."""
    try:
        found = check()
    except ValidationFailed as failed:
        await ack(response_action="errors", errors=errors_for_view(failed.errors, view))
        return None
    await ack()
    return found


def session_of(view: dict[str, Any], meta: dict[str, Any]) -> int | None:
    """The session a feedback or notes modal was opened for (None: an older modal)."""
    found = meta.get("session")
    return found if isinstance(found, int) and not isinstance(found, bool) else None
