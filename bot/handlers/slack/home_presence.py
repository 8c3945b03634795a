"""Who may be looking at their Home tab: only their Home is rebuilt after a change.

Slack sends ``app_home_opened`` each time a person enters the App Home, and the Home is
built then. So a change made elsewhere (a card in the channel, a modal opened by the
slash command) needs no rebuild for someone not looking at their Home: it would be
reads and a ``views.publish`` nobody sees (issue 14: a sixth of the Slack path's CPU).

Someone who opened their Home, or pressed a button on it, within ``LOOKING_FOR`` may be
looking at it still (a modal opened from the Home closes back onto it). That moment is
kept in the database, one row per person, so every process knows it. It is read in the
round trip that de-duplicates the request (``common.once``), not by a read of its own,
and written after the request's answer, at most every ``REFRESH_EVERY``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from bot.handlers.slack.home_refresh import TASK_NAME
from bot.state_batcher import StateBatcher

logger = logging.getLogger(__name__)
LOOKING_FOR = timedelta(minutes=30)
REFRESH_EVERY = timedelta(minutes=5)  # a fresher mark is not written again
SEEN_AT = "home_seen_at"  # in the request's context: when they were last on their Home
ON_HOME = "on_home"  # in the request's context: it came from their Home tab


def presence_key(team: str, user: str) -> str:
    return f"slack:home:{team}:{user}"


def from_home(body: dict[str, Any]) -> bool:
    """A press on the Home tab itself (its buttons' container is the Home view)."""
    container = body.get("container") or {}
    view = body.get("view") or {}
    return container.get("type") == "view" and view.get("type") == "home"


def seen_at(stored: dict[str, Any] | None) -> datetime | None:
    """The stored moment, or None for none or a value that does not read as one."""
    raw = stored.get("at") if isinstance(stored, dict) else None
    try:
        found = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return found if found is not None and found.tzinfo is not None else None


class HomePresence:
    def __init__(self, batcher: StateBatcher) -> None:
        self._batcher = batcher
        self._writes: set[asyncio.Task[None]] = set()

    def looking(self, context: dict[str, Any], now: datetime) -> bool:
        if context.get(ON_HOME):
            return True
        seen = seen_at(context.get(SEEN_AT))
        return seen is not None and now - seen < LOOKING_FOR

    def note(self, context: dict[str, Any], now: datetime) -> None:
        """They are on their Home now: keep the moment (in the background, after the
        answer; a mark fresher than ``REFRESH_EVERY`` is left as it is)."""
        team, user = context.get("team_id"), context.get("user_id")
        seen = seen_at(context.get(SEEN_AT))
        if not team or not user or (seen is not None and now - seen < REFRESH_EVERY):
            return
        context[SEEN_AT] = {"at": now.isoformat()}
        write = self._batcher.write(presence_key(team, user), {"at": now.isoformat()})
        task = asyncio.get_running_loop().create_task(self._quietly(write), name=TASK_NAME)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _quietly(self, write: Coroutine[Any, Any, None]) -> None:
        try:
            await write
        except Exception:  # only a Home rebuilt a little less: never the person's concern
            logger.warning("could not note that someone is on their Home tab", exc_info=True)
