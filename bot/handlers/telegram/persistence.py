"""python-telegram-bot persistence in our database, written after every update.

Only conversation states and ``user_data`` (the form in progress, a pending choice) are
kept; both are plain JSON. ``Application.update_persistence`` is called by a handler that
runs last for every update (see ``application.py``), so a crash between two updates
loses nothing; the library's own interval (60 s by default) stays as a safety net.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from db.frontend_state import FrontEndStore

PREFIX = "tg"


class DatabasePersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    def __init__(self, store: FrontEndStore, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.store = store
        # What this process last read or wrote per row: an unchanged value is not written
        # again (most form steps change user_data but not the conversation state).
        self._known: dict[str, str] = {}

    def _changed(self, key: str, value: object) -> bool:
        text = json.dumps(value, sort_keys=True, default=str)
        if self._known.get(key) == text:
            return False
        self._known[key] = text
        return True

    async def _save(self, key: str, value: dict[str, Any]) -> None:
        if self._changed(key, value):
            await asyncio.to_thread(self.store.save, key, value)

    async def _delete(self, key: str) -> None:
        if self._known.get(key) != "null":
            self._known[key] = "null"
            await asyncio.to_thread(self.store.delete, key)

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        rows = await asyncio.to_thread(self.store.load_prefix, f"{PREFIX}:user:")
        for key, value in rows.items():
            self._changed(key, value)
        return {int(key.rsplit(":", 1)[1]): value for key, value in rows.items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._save(f"{PREFIX}:user:{user_id}", data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._delete(f"{PREFIX}:user:{user_id}")

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Another process may have moved this person's form on; take the stored copy."""
        key = f"{PREFIX}:user:{user_id}"
        stored = await asyncio.to_thread(self.store.load, key)
        self._changed(key, stored)
        if stored is not None:
            user_data.clear()
            user_data.update(stored)

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await asyncio.to_thread(self.store.load_prefix, f"{PREFIX}:conv:{name}:")
        found: dict[ConversationKey, object] = {}
        for row_key, value in rows.items():
            self._changed(row_key, value)
            found[tuple(value["key"])] = value["state"]
        return found

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        row_key = f"{PREFIX}:conv:{name}:{json.dumps(list(key))}"
        if new_state is None:
            await self._delete(row_key)
        else:
            await self._save(row_key, {"key": list(key), "state": new_state})

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
        return None
