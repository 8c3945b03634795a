"""python-telegram-bot persistence in our database, written after every update.

Only ``user_data`` is kept, one row per person: the forms in progress and a question
awaited, all plain JSON. It is written by a handler that runs last for every update
(see ``application.py``), so a crash between two updates loses nothing; the library's own
interval (60 s by default) stays as a safety net.

The row is read at the start of each update (``start_update``), in the same round trip
that claims the update id, and replaces what this process holds, so several webhook
processes can take turns on one form. Nothing is loaded at start-up, and people gone
idle are forgotten (``forget``): memory follows who is active, not who has a form.
Writes and those reads go through a ``StateBatcher``, which commits concurrent updates
together.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.state_batcher import StateBatcher
from db.frontend_state import FrontEndStore
from db.state_json import state_text, state_value

logger = logging.getLogger(__name__)
PREFIX = "tg"
# python-telegram-bot's own aliases, spelled out (its module for them is private)
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


def user_key(user_id: int) -> str:
    return f"{PREFIX}:user:{user_id}"


class DatabasePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(self, store: FrontEndStore, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.store = store
        self.batcher = StateBatcher(store)
        # What this process last read or wrote per row: an unchanged value is not written
        # again (a list, a refused press: nothing in user_data changed).
        self._known: dict[str, str] = {}
        # The version of each row this process last read or wrote: its next write is
        # made only over that version, so two processes cannot both move one form on.
        self._versions: dict[str, int] = {}

    def _changed(self, key: str, value: object) -> str | None:
        """The value as JSON text when it differs from what is stored, else None."""
        text = state_text(value)
        if self._known.get(key) == text:
            return None
        self._known[key] = text
        return text

    async def _save(self, key: str, value: dict[str, Any]) -> None:
        before = self._known.get(key)
        text = self._changed(key, value)
        if text is None:
            return
        try:  # a copy: the live dict may change before the commit
            await self._write(key, state_value(text))
        except BaseException:
            if before is not None:  # not written: what is stored is what was
                self._known[key] = before
            raise

    async def save_now(self, user_id: int, data: dict[str, Any]) -> bool:
        """Write ``data`` before the person is answered (a form's next step is shown only
        once it is stored). If it cannot be written, ``data`` goes back to what is
        stored, the step the person last saw, and False is returned: the end-of-update
        write then has nothing to do, and the person is told plainly instead of with
        the error handler's apology."""
        key = user_key(user_id)
        try:
            await self._save(key, data)
        except Exception as exc:  # the database, or another process's newer version
            logger.warning(
                "state not stored (%s); the person is kept at their step", type(exc).__name__
            )
            stored = state_value(self._known.get(key) or "null")
            data.clear()
            data.update(stored if isinstance(stored, dict) else {})
            return False
        return True

    async def _delete(self, key: str) -> None:
        if self._known.get(key) != "null":
            self._known[key] = "null"
            await self._write(key, None)

    async def _write(self, key: str, value: dict[str, Any] | None) -> None:
        expected = self._versions.pop(key, None)
        try:
            await self.batcher.write(key, value, None if value is None else expected)
        except BaseException:
            self._known.pop(key, None)  # not stored after all: the next save must write
            if expected is not None:
                self._versions[key] = expected
            raise
        if value is None:
            self._versions[key] = 0
        elif expected is not None:
            self._versions[key] = expected + 1

    async def start_update(
        self, update_key: str, state_keys: tuple[str, ...]
    ) -> dict[str, dict[str, Any] | None] | None:
        """Claim the update (None when it was handled before) and read the person's rows:
        each wanted key maps to its stored value, or None where there is no row."""
        started = await self.batcher.start_update(update_key, state_keys)
        if not started.first_time:
            return None
        found: dict[str, dict[str, Any] | None] = {}
        for key in state_keys:
            value = started.states.get(key)
            self._changed(key, value)
            self._versions[key] = started.versions.get(key, 0)
            found[key] = value
        return found

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        """Nothing at start-up: every update reads its person's row first
        (``start_update``), so loading everyone's would only fill memory (issue 14:
        10,000 half-filled forms were 97 MB of a 186 MB process)."""
        return {}

    def forget(self, user_id: int) -> None:
        """This process's copy of a person gone idle (``PerPersonUpdateProcessor``):
        their row stays as stored, and their next update reads it again."""
        key = user_key(user_id)
        self._known.pop(key, None)
        self._versions.pop(key, None)

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._save(user_key(user_id), data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._delete(user_key(user_id))

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Done by ``start_update`` instead, in the round trip that claims the update."""
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        """Not stored: the bot has no ConversationHandler; its forms keep their state in
        ``user_data`` (one row per person)."""
        return {}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        return None

    # Not stored: the bot keeps no chat_data, bot_data or arbitrary callback data.
    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        return None

    async def flush(self) -> None:
        """Called at shutdown: every write has already been committed."""
        self.batcher.close()
