"""The reason modal's submission: the cancel or release it was opened for goes ahead.

The modal carries the action and its id (``bot.conversation.reasons``); what the press
then does, and who may do it, is the shared action's, as if the reason had been typed.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation import reasons
from bot.conversation.dispatcher import press
from bot.handlers.slack.common import deps, guarded, member_of, turn_for
from bot.handlers.slack.form_checks import ack_if_valid
from bot.handlers.slack.modals import REASON_CALLBACK, meta_of, state_values
from bot.handlers.slack.presses import render


@guarded
async def on_reason_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    meta = meta_of(view)
    name, ref = meta.get("action"), meta.get("ref")
    if not isinstance(name, str) or not isinstance(ref, int):
        await ack()  # a modal of an older version: nothing to press
        return
    raw = str(state_values(view).get("reason") or "")
    policy = deps(context).services.policy
    checked = await ack_if_valid(ack, view, lambda: (reasons.check(policy, raw),))
    if checked is None:
        return
    (reason,) = checked
    member = await member_of(context)
    turn = turn_for(context, member)
    result = await press(turn, name, [str(ref), reason or reasons.NO_REASON])
    await render(context, client, body, member, result)


def register(app: AsyncApp) -> None:
    app.view(REASON_CALLBACK)(on_reason_submitted)
