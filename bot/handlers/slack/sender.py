"""Delivers notifications through the Slack Web API, mapping its errors to the engine's.

A member's address is their identity (``TEAM:USER``): the DM goes to the user id. A feed
address (the mentors channel) is a channel id; the request card posted there is
remembered (``FrontEndStore.remember_feed_post``), later card updates edit it in place
(``chat.update``) and add one audit line to its thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.blocks import fallback_text, message_blocks
from bot.handlers.slack.phrases import phrases
from bot.senders.cards import feed_post_to_edit, remember_card
from core.delivery.messages import Message
from core.delivery.ports import Address, ChatProblem, RetryLater, SendError, Unreachable
from core.members import Platform
from core.notifications import Notification
from db.frontend_state import FrontEndStore

UNREACHABLE_ERRORS = frozenset(
    {
        "account_inactive",
        "user_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_disabled",
        "cannot_dm_bot",
    }
)
# A channel (the mentors' feed) that refuses the app: an admin can fix these, so they are
# retried and reported (core.delivery.feed_health), never taken as a person who left.
CHANNEL_PROBLEMS = {
    "channel_not_found": "channel_not_found",
    "not_in_channel": "not_in_channel",
    "is_archived": "is_archived",
    "missing_scope": "no_permission",
    "no_permission": "no_permission",
    "restricted_action": "no_permission",
    "restricted_action_read_only_channel": "no_permission",
    "restricted_action_thread_only_channel": "no_permission",
    "restricted_action_non_threadable_channel": "no_permission",
    "ekm_access_denied": "no_permission",
    "team_access_not_granted": "no_permission",
}


def slack_channel(address: Address) -> str:
    """The channel to post to: a DM goes to the user id, the part after 'TEAM:'."""
    return address.chat_id if address.is_group else address.chat_id.rsplit(":", 1)[-1]


def map_error(exc: SlackApiError, address: Address | None = None) -> SendError:
    response = exc.response
    if response.status_code == 429:
        retry = response.headers.get("Retry-After") or response.headers.get("retry-after") or 1
        try:
            seconds = float(retry)
        except (TypeError, ValueError):
            seconds = 1.0
        return RetryLater(seconds)
    code = str(response.get("error", "")) if isinstance(response.data, dict) else ""
    if address is not None and address.is_group and code in CHANNEL_PROBLEMS:
        return ChatProblem(CHANNEL_PROBLEMS[code])
    if code in UNREACHABLE_ERRORS:
        return Unreachable(code)
    return SendError(f"Slack API error: {code or response.status_code}")


class SlackSender:
    platform = Platform.SLACK

    def __init__(
        self, client: AsyncWebClient, store: FrontEndStore, command: str = "/mentorship"
    ) -> None:
        self.client = client
        self.store = store
        self.phrases = phrases(command)

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        try:
            await self._send(address, message.phrased(self.phrases), notification)
        except SlackApiError as exc:
            raise map_error(exc, address) from exc
        except (TimeoutError, SlackClientError, aiohttp.ClientError) as exc:
            raise SendError(f"{exc.__class__.__name__}: {exc}") from exc

    async def _send(self, address: Address, message: Message, notification: Notification) -> None:
        channel = slack_channel(address)
        blocks = message_blocks(message.text, message.actions)
        text = fallback_text(message.text)
        posted = await feed_post_to_edit(self.store, "slack", address, notification)
        if posted is not None:
            await self.client.chat_update(channel=channel, ts=posted, text=text, blocks=blocks)
            status = message.text.rsplit("\n", 1)[-1]
            await self.client.chat_postMessage(
                channel=channel, thread_ts=posted, text=fallback_text(status)
            )
            await self._redraw_dm_cards(notification.request_id or 0, text, blocks)
            return
        # A message with a file is two sends; a retry after a failed upload sends only the
        # file, not the text again.
        progress_key = f"slack:sending:{notification.id}:{address.chat_id}"
        done: dict[str, Any] = {}
        if message.attachments:
            stored: dict[str, Any] | None = await asyncio.to_thread(self.store.load, progress_key)
            done = stored or {}
        if "text" not in done:
            sent = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            dm_channel = str(sent.get("channel") or channel)  # a DM's D... id, for chat.update
            await remember_card(
                self.store, "slack", address, notification, str(sent["ts"]), dm_channel
            )
            if message.attachments:
                done["text"] = str(sent.get("channel") or channel)  # the DM's D... id
                await asyncio.to_thread(self.store.save, progress_key, done)
        for index, attachment in enumerate(message.attachments):
            if str(index) in done:
                continue
            await self.client.files_upload_v2(
                channel=done.get("text") or channel,
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.filename,
            )
            done[str(index)] = True
            await asyncio.to_thread(self.store.save, progress_key, done)
        if message.attachments:
            await asyncio.to_thread(self.store.delete, progress_key)

    async def _redraw_dm_cards(self, request_id: int, text: str, blocks: list[Any]) -> None:
        """The same card sent by DM to mentors shows the new state too. A card that can
        no longer be edited (deleted, the DM closed) is left alone; a 429 is not."""
        for channel, ts in await asyncio.to_thread(self.store.dm_cards, request_id, "slack"):
            try:
                await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            except SlackApiError as exc:
                if exc.response.status_code == 429:
                    raise
