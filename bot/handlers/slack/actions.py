"""Buttons that are Slack's own: the form's type picker, the Home tab's openers, links.

Every other button is an action of the vocabulary, handled by ``presses.on_press``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.pickers import mentor_choices
from bot.handlers.slack.action_codec import PATTERN
from bot.handlers.slack.commands import open_request_modal
from bot.handlers.slack.common import (
    STALE,
    approved_mentors,
    call,
    deps,
    explain,
    guarded,
    member_of,
    tell,
)
from bot.handlers.slack.modals import (
    availability_modal,
    draft_from_view,
    meta_of,
    request_modal,
)
from bot.handlers.slack.presses import on_press
from core.errors import DomainError
from core.services.mentors import (
    my_availability,
)
from core.services.request_limits import check_request_limit

logger = logging.getLogger(__name__)
# The newest type pick applied to each open form (view id → action_ts), so that a redraw
# retried after losing a race never puts back an older pick.
_latest_pick: dict[str, float] = {}


def _pressed_at(body: dict[str, Any]) -> float:
    stamp = ((body.get("actions") or [{}])[0]).get("action_ts") or 0
    try:
        return float(stamp)
    except (TypeError, ValueError):
        return 0.0


async def redraw_form(
    client: AsyncWebClient, view: dict[str, Any], new_view: dict[str, Any], picked_at: float
) -> None:
    """``views.update`` guarded by the view's hash. Two quick picks race: the one that
    loses (``hash_conflict``) is applied again without the hash, unless a newer pick has
    already been drawn; the person never sees an apology for it."""
    view_id = str(view.get("id") or "")
    if picked_at < _latest_pick.get(view_id, 0.0):
        return
    _latest_pick[view_id] = picked_at
    while len(_latest_pick) > 10_000:
        del _latest_pick[next(iter(_latest_pick))]
    try:
        await client.views_update(view_id=view_id, hash=view.get("hash"), view=new_view)
    except SlackApiError as exc:
        if (exc.response or {}).get("error") != "hash_conflict":
            raise
        if picked_at < _latest_pick.get(view_id, 0.0):
            return  # a newer pick was drawn meanwhile
        logger.info("form redraw lost a race (hash_conflict); drawing the newest pick")
        await client.views_update(view_id=view_id, view=new_view)


async def on_type_chosen(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Choosing a session type redraws the modal with that type's extra fields; what was
    typed is carried over (same block ids, and initial values from the state). A type
    whose limit is reached says so at once, under the type, as the other front-ends do
    when the type is chosen: nobody fills the rest of the form for nothing."""
    await ack()
    view = body.get("view") or {}
    draft, _ = draft_from_view(view)
    member = await member_of(context)
    services = deps(context).services
    mentors = await approved_mentors(context)
    choices = mentor_choices(mentors, member.id, draft.preferred_mentor_id)
    meta = meta_of(view)
    editing = meta.get("edit") if isinstance(meta.get("edit"), int) else None
    notice: str | None = None
    try:
        await call(context, check_request_limit, member.id, draft.session_type, editing)
    except DomainError as refused:
        notice = explain(context, refused)
    new_view = request_modal(draft, services.catalogue, services.policy, choices, meta, notice)
    await redraw_form(client, view, new_view, _pressed_at(body))


@guarded
async def on_home_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    action_id = str(((body.get("actions") or [{}])[0]).get("action_id") or "")
    if action_id == "home:new":
        await open_request_modal(context, client, body["trigger_id"])
    elif action_id == "home:availability":
        member = await member_of(context)
        windows = await call(context, my_availability, member.id)
        modal = availability_modal(windows, member.timezone)
        await client.views_open(trigger_id=body["trigger_id"], view=modal)


async def on_link(ack: AsyncAck) -> None:
    """Link buttons (join the meeting) open in the browser; Slack still sends the press."""
    await ack()


@guarded
async def on_unknown(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    """A button of an older version of the app, or a forged action id: acked (no error
    icon in Slack) and answered plainly."""
    await ack()
    await tell(client, body, STALE)


def register(app: AsyncApp) -> None:
    app.action("form:type")(on_type_chosen)
    app.action(PATTERN)(on_press)  # every action of the vocabulary
    app.action(re.compile(r"^home:"))(on_home_button)
    app.action(re.compile(r"^link:"))(on_link)
    app.action(re.compile(r"."))(on_unknown)  # last: only what nothing above handles
