"""The slash command and the global shortcut: both open the request modal."""

from __future__ import annotations

import secrets
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.common import call, deps, guarded, member_of
from bot.handlers.slack.modals import request_modal
from core.forms import Choice
from core.requests import RequestDraft
from core.services.mentors import list_mentors

SHORTCUT_CALLBACK = "mentorship_request"


async def open_request_modal(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    trigger_id: str,
    draft: RequestDraft | None = None,
    edit_id: int | None = None,
) -> None:
    member = member_of(context)
    services = deps(context).services
    mentors = await call(context, list_mentors)
    choices = [Choice(str(m.member_id), m.name) for m in mentors if m.member_id != member.id][:20]
    if choices:
        choices.insert(0, Choice("none", "No preference"))
    draft = draft or RequestDraft()
    meta: dict[str, Any] = {"key": secrets.token_hex(8)}
    if edit_id is not None:
        meta["edit"] = edit_id
    view = request_modal(draft, services.catalogue, services.policy, choices, meta)
    await client.views_open(trigger_id=trigger_id, view=view)


@guarded
async def on_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await open_request_modal(context, client, body["trigger_id"])


@guarded
async def on_shortcut(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await open_request_modal(context, client, body["trigger_id"])


def register(app: AsyncApp, command: str) -> None:
    app.command(command)(on_command)
    app.shortcut(SHORTCUT_CALLBACK)(on_shortcut)
