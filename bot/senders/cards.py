"""Where a request's cards went, so that later changes edit them in place: the step both
chat senders share (each then edits or posts its own platform's way).

A card posted to the mentors' feed (``REQUEST_POSTED``, ``REQUEST_REANNOUNCED``) or sent
by DM to a mentor (``DM_CARD_KINDS``) is remembered by the request; a ``CARD_UPDATE`` to
the feed edits the remembered post, and one whose card was never posted (the feed was
added later) becomes a new post.
"""

from __future__ import annotations

import asyncio

from core.delivery.ports import Address
from core.notifications import DM_CARD_KINDS, Kind, Notification
from db.frontend_state import FrontEndStore

FEED_CARD_KINDS = frozenset({Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED})


async def feed_post_to_edit(
    store: FrontEndStore, platform: str, address: Address, notification: Notification
) -> str | None:
    """The stored feed post this notification updates in place, if any."""
    request_id = notification.request_id
    if not address.is_group or request_id is None or notification.kind != Kind.CARD_UPDATE:
        return None
    return await asyncio.to_thread(store.feed_post, request_id, platform, address.chat_id)


async def remember_card(
    store: FrontEndStore,
    platform: str,
    address: Address,
    notification: Notification,
    ref: str,
    chat: str | None = None,
) -> None:
    """Keep where this card went (``ref``: the message id or ts; ``chat``: the chat it
    landed in when it differs from the address, as a Slack DM's ``D…`` id)."""
    request_id = notification.request_id
    if request_id is None:
        return
    if address.is_group and notification.kind in FEED_CARD_KINDS:
        await asyncio.to_thread(
            store.remember_feed_post, request_id, platform, address.chat_id, ref
        )
    elif notification.kind in DM_CARD_KINDS:
        await asyncio.to_thread(
            store.remember_dm_card, request_id, platform, chat or address.chat_id, ref
        )
