"""The mentor application on Slack: a modal (``modals.application_modal``) opened from the
Home tab's "Become a mentor" button or ``/mentorship become_mentor``.

Submitting reads every answer with the shared form's reading
(``bot.conversation.forms.mentor_application``), the one Telegram and the console use step
by step: a refused answer comes back under its own field (``response_action: errors``),
the others stay as typed. Reading needs no database, so it fits before the ack; the
application is stored after it, and a refusal only the store can find comes by DM.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.forms.mentor_application import (
    FIELDS,
    MentorApplication,
    read_all,
    submit,
)
from bot.conversation.forms.mentor_application import done as done_for
from bot.conversation.replies import plain
from bot.handlers.slack.blocks import fallback_text
from bot.handlers.slack.common import call, deps, explain, guarded, known_member, member_of, tell
from bot.handlers.slack.home import APPLY_ACTION, publish_home
from bot.handlers.slack.modals import APPLICATION_CALLBACK, application_modal, state_values
from bot.handlers.slack.phrases import phrases
from bot.handlers.slack.views import NOT_YET
from core.errors import DomainError, ValidationFailed


async def open_application(
    context: AsyncBoltContext, client: AsyncWebClient, trigger_id: str
) -> None:
    """The modal first (a trigger id lasts 3 seconds), then someone new is registered
    (``users.info``), well before they can press Apply."""
    await client.views_open(
        trigger_id=trigger_id, view=application_modal(deps(context).services.policy)
    )
    await member_of(context)


@guarded
async def on_open(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await open_application(context, client, str(body.get("trigger_id") or ""))


async def on_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    values = state_values(view)
    answers = {f.name: str(values.get(f.name) or "") for f in FIELDS}
    try:
        read_all(answers, deps(context).services)
    except ValidationFailed as failed:
        await ack(response_action="errors", errors=failed.errors)
        return
    member = known_member(context)
    if member is None:  # the modal was opened, but registering them has not finished
        await ack(response_action="errors", errors={FIELDS[0].name: NOT_YET})
        await member_of(context)
        return
    await ack()
    try:
        profile = await call(context, submit, member.id, MentorApplication(answers, len(FIELDS)))
    except DomainError as exc:
        await tell(client, body, f"Your application was not saved: {explain(context, exc)}")
        return
    done = plain(done_for(profile), phrases(deps(context).command), str)
    await client.chat_postMessage(channel=context.user_id or "", text=fallback_text(done))
    await publish_home(context, client)


def register(app: AsyncApp) -> None:
    """Registered before the catch-all button listener (``actions.on_unknown``)."""
    app.action(APPLY_ACTION)(on_open)  # the Home tab's "Become a mentor"
    app.view(APPLICATION_CALLBACK)(on_submitted)
