"""Updates python-telegram-bot cannot read ("poison") are skipped, never retried for ever.

PTB parses the whole ``getUpdates`` answer at once: one update it cannot read makes the
call fail, the offset never moves past it, and the bot fetches the same batch again
hundreds of times a second, logging every user's message at CRITICAL each time. In
webhook mode the same update gets a 400, so Telegram resends it.

Here each raw update is read on its own. One that cannot be read is logged once at
WARNING with its ids and the error's class (never its text), counted, and replaced by a
bare update that carries only its ``update_id``: the offset moves past it like any other,
and no handler matches an update with nothing in it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.ops.api_health import API_HEALTH
from bot.ops.metrics import process_metrics

logger = logging.getLogger(__name__)


class PoisonCount:
    """How many unreadable updates this process skipped (for tests and status)."""

    skipped = 0


def _ids(data: Mapping[str, Any]) -> tuple[object, object, object]:
    """The update id, and the sender and chat ids where they can be found (never text)."""
    sender: object = None
    chat: object = None
    for value in data.values():
        if isinstance(value, Mapping):
            who = value.get("from")
            where = value.get("chat")
            if sender is None and isinstance(who, Mapping):
                sender = who.get("id")
            if chat is None and isinstance(where, Mapping):
                chat = where.get("id")
    return data.get("update_id"), _plain_id(sender), _plain_id(chat)


def _plain_id(value: object) -> object:
    """An id as logged: a number, else only a marker (an id field could carry text)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_update(data: object, bot: ExtBot[Any]) -> Update | None:
    """The update in ``data``, ready to queue (as PTB's webhook handler makes it), or None
    if it cannot be read (logged once and counted)."""
    update = _parse(data, bot)
    if update is not None:
        bot.insert_callback_data(update)
    return update


def _parse(data: object, bot: ExtBot[Any]) -> Update | None:
    try:
        if not isinstance(data, dict):
            raise TypeError("an update must be a JSON object")
        update = Update.de_json(data, bot)
    except Exception as exc:
        ids = _ids(data) if isinstance(data, Mapping) else (None, None, None)
        PoisonCount.skipped += 1
        process_metrics().poison.labels("telegram").inc()
        logger.warning(
            "skipped an update that could not be read: update_id=%s user=%s chat=%s error=%s",
            _plain_id(ids[0]),
            ids[1],
            ids[2],
            type(exc).__name__,
        )
        return None
    return update


def screen_updates(result: list[Any], bot: ExtBot[Any]) -> list[JSONDict]:
    """A ``getUpdates`` answer with each unreadable update replaced by a bare one (only
    its id), so PTB can parse the rest and still confirm past it. An entry without a
    usable id is dropped; the ones after it confirm it."""
    screened: list[JSONDict] = []
    for data in result:
        if _parse(data, bot) is not None:
            screened.append(data)
            continue
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if isinstance(update_id, int) and not isinstance(update_id, bool):
            screened.append({"update_id": update_id})
    return screened


class TolerantBot(ExtBot[Any]):
    """The Application's bot: ``getUpdates`` answers are screened before PTB reads them."""

    __slots__ = ()

    async def _post(
        self,
        endpoint: str,
        data: JSONDict | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> Any:
        try:
            result = await super()._post(
                endpoint,
                data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
                api_kwargs=api_kwargs,
            )
        except (TimedOut, NetworkError) as exc:  # /readyz: did the Bot API answer at all?
            API_HEALTH.record("telegram", isinstance(exc, BadRequest))
            raise
        except TelegramError:
            API_HEALTH.record("telegram", True)  # an answer, if a refusal
            raise
        API_HEALTH.record("telegram", True)
        if endpoint == "getUpdates" and isinstance(result, list):
            return screen_updates(result, self)
        return result
