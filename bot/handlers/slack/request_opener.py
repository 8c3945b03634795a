"""Opening the request modal: from the slash command, the shortcut, the Home tab, an
Edit or "Request <mentor>" button. Its own module, so that what renders a press
(``presses``) and the slash command (which renders presses) do not import each other.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.pickers import mentor_choices
from bot.handlers.slack.common import approved_mentors, deps, known_member, member_of
from bot.handlers.slack.modals import request_modal
from core.members import Member
from core.requests import RequestDraft

PROFILE_WAIT = 1.5  # seconds; Slack's trigger ids expire after 3


async def open_request_modal(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    trigger_id: str,
    draft: RequestDraft | None = None,
    edit_id: int | None = None,
) -> None:
    """Open the form; someone new is registered meanwhile (``users.info``). A trigger id
    is only valid for 3 seconds, so a slow ``users.info`` is waited for only
    ``PROFILE_WAIT`` seconds: the form opens anyway and the registration finishes after."""
    member = known_member(context)
    if member is not None:
        await _open(context, client, trigger_id, member, draft, edit_id)
        return
    pending = asyncio.ensure_future(member_of(context))
    try:
        done, _ = await asyncio.wait({pending}, timeout=PROFILE_WAIT)
        member = pending.result() if pending in done else None
        await _open(context, client, trigger_id, member, draft, edit_id)
    finally:
        await asyncio.wait({pending})  # registered before they can press Submit
    pending.result()


async def _open(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    trigger_id: str,
    member: Member | None,
    draft: RequestDraft | None,
    edit_id: int | None,
) -> None:
    services = deps(context).services
    mentors = await approved_mentors(context)
    me = member.id if member is not None else None
    draft = draft or RequestDraft()
    choices = mentor_choices(mentors, me, draft.preferred_mentor_id)
    meta: dict[str, Any] = {"key": secrets.token_hex(8)}
    if edit_id is not None:
        meta["edit"] = edit_id
    view = request_modal(draft, services.catalogue, services.policy, choices, meta)
    await client.views_open(trigger_id=trigger_id, view=view)
