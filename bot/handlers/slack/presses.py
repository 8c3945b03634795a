"""Button presses: decoded, then pressed through the one dispatcher.

Nothing here decides what a press does or who may press it (``bot.conversation``); this
module renders the neutral answer the Slack way: a modal when input is expected (opened
first, while the trigger id is fresh), an ephemeral note where the button was pressed,
replies by DM, and the Home tab (or an open availability modal) redrawn when it changed.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.dispatcher import press
from bot.conversation.replies import Answer, Expect, Input, Part, Reply, Surface, plain
from bot.handlers.slack.action_codec import action_id, decode
from bot.handlers.slack.blocks import (
    action_button,
    actions_blocks,
    button,
    fallback_text,
    sections,
)
from bot.handlers.slack.common import call, deps, guarded, member_of, tell, turn_for
from bot.handlers.slack.home import publish_home
from bot.handlers.slack.modals import (
    availability_modal,
    feedback_modal,
    notes_modal,
    reason_modal,
)
from bot.handlers.slack.phrases import phrases
from bot.handlers.slack.request_opener import open_request_modal
from core.delivery.messages import Action
from core.members import Member
from core.requests import RequestDraft
from core.services.mentors import my_availability

logger = logging.getLogger(__name__)


def _pressed(body: dict[str, Any]) -> tuple[str, str]:
    pressed = (body.get("actions") or [{}])[0]
    return str(pressed.get("action_id") or ""), str(pressed.get("value") or "")


def text_of(context: AsyncBoltContext, parts: tuple[Part, ...]) -> str:
    """Plain text; ``tell`` and ``sections`` escape it (user text included) for mrkdwn."""
    return plain(parts, phrases(deps(context).command), str)


def element(action: Action, index: int) -> dict[str, Any]:
    if action.url:
        return action_button(action, index)
    return button(action.label, action_id(action, index), ":".join(action.args))


@guarded
async def on_press(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Any button of the vocabulary, wherever it was shown (channel, DM, Home, modal)."""
    await ack()
    name, raw_args = decode(*_pressed(body))
    member = await member_of(context)
    shared = deps(context)
    turn = turn_for(context, member, shared.acks.turn)  # acked above
    result = await press(turn, name, raw_args)
    await render(context, client, body, member, result)


async def render(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    body: dict[str, Any],
    member: Member,
    result: Answer,
) -> None:
    if result.expect is not None:
        await _open_input(context, client, body, result.expect)
    note = text_of(context, result.note_parts())
    shown = False
    if note and Surface.AVAILABILITY in result.changed and not result.refused:
        shown = await _redraw_availability(context, client, body, member, note)
    if note and not shown:
        await tell(client, body, note)
    for message in result.replies:
        await _dm(context, client, message)
    if Surface.HOME in result.changed and not result.refused:
        await publish_home(context, client)


async def _dm(context: AsyncBoltContext, client: AsyncWebClient, message: Reply) -> None:
    text = text_of(context, message.parts)
    elements = [element(a, i) for i, a in enumerate(message.actions)]
    blocks = [*sections(text), *actions_blocks(elements, "reply")] if elements else None
    await client.chat_postMessage(
        channel=context.user_id or "", text=fallback_text(text), blocks=blocks
    )


async def _open_input(
    context: AsyncBoltContext, client: AsyncWebClient, body: dict[str, Any], expect: Expect
) -> None:
    trigger = str(body.get("trigger_id") or "")
    if expect.input == Input.FEEDBACK and expect.ref is not None:
        await client.views_open(trigger_id=trigger, view=feedback_modal(expect.ref))
    elif expect.input == Input.NOTES and expect.ref is not None:
        notes = str(expect.values.get("mentor_notes") or "")
        minutes = expect.values.get("duration_minutes")
        modal = notes_modal(expect.ref, notes, minutes if isinstance(minutes, int) else None)
        await client.views_open(trigger_id=trigger, view=modal)
    elif expect.input == Input.REASON and expect.ref is not None:
        modal = reason_modal(
            str(expect.values.get("action", "")),
            expect.ref,
            str(expect.values.get("title", "")),
            expect.prompt,
            deps(context).services.policy.reason_max,
        )
        await client.views_open(trigger_id=trigger, view=modal)
    elif expect.input == Input.REQUEST_FORM:
        draft = expect.values.get("draft")
        found = draft if isinstance(draft, RequestDraft) else None
        await open_request_modal(context, client, trigger, found, expect.ref)


async def _redraw_availability(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    body: dict[str, Any],
    member: Member,
    note: str,
) -> bool:
    """The availability modal the press came from, redrawn with the note; False when
    there is none (or it was closed meanwhile), so the note is told another way."""
    view = body.get("view") or {}
    if not view.get("id"):
        return False
    windows = await call(context, my_availability, member.id)
    try:
        await client.views_update(
            view_id=view["id"], view=availability_modal(windows, member.timezone, note)
        )
    except SlackApiError:
        logger.info("could not update the availability modal")
        return False
    return True
