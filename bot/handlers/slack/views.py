"""View submissions: the request form, feedback, mentor notes, availability.

Validation happens before the ack, because the ack carries the field errors
(``response_action: errors``); the confirmation DM and the Home refresh come after it.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.blocks import fallback_text
from bot.handlers.slack.common import call, guarded, member_of, tell
from bot.handlers.slack.home import publish_home
from bot.handlers.slack.modals import (
    AVAILABILITY_CALLBACK,
    FEEDBACK_CALLBACK,
    NOTES_CALLBACK,
    REQUEST_CALLBACK,
    draft_from_view,
    errors_for_view,
    meta_of,
    state_values,
)
from core.errors import DomainError, ValidationFailed
from core.services.mentors import add_availability
from core.services.outcomes import leave_feedback, update_mentor_notes
from core.services.requests import submit_request, update_request

logger = logging.getLogger(__name__)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


async def _refuse(ack: AsyncAck, view: dict[str, Any], errors: dict[str, str]) -> None:
    await ack(response_action="errors", errors=errors_for_view(errors, view))


async def on_request_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    member = member_of(context)
    draft, read_errors = draft_from_view(view)
    if read_errors:
        await _refuse(ack, view, read_errors)
        return
    meta = meta_of(view)
    draft.submission_key = str(meta.get("key") or "")[:40] or None
    edit_id = meta.get("edit")
    try:
        if isinstance(edit_id, int):
            request = await call(context, update_request, member.id, edit_id, draft)
            text = f"Request #{request.id} updated."
        else:
            request = await call(context, submit_request, member.id, draft)
            text = f"Request #{request.id} submitted. Mentors have been told."
    except ValidationFailed as failed:
        await _refuse(ack, view, failed.errors)
        return
    except DomainError as exc:  # a limit, a vanished request: shown on the form itself
        await _refuse(ack, view, {"session_type": exc.user_message})
        return
    await ack()
    await client.chat_postMessage(channel=context.user_id or "", text=fallback_text(text))
    await publish_home(context, client)


async def on_feedback_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    session_id = meta_of(view).get("session")
    text = str(state_values(view).get("feedback") or "")
    if not isinstance(session_id, int):
        await ack()
        return
    try:
        await call(context, leave_feedback, member_of(context).id, session_id, text)
    except ValidationFailed as failed:
        await _refuse(ack, view, {"feedback": " ".join(failed.errors.values())})
        return
    except DomainError as exc:
        await _refuse(ack, view, {"feedback": exc.user_message})
        return
    await ack()
    await client.chat_postMessage(
        channel=context.user_id or "", text="Thank you! Your mentor will see your feedback."
    )


async def on_notes_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    session_id = meta_of(view).get("session")
    values = state_values(view)
    if not isinstance(session_id, int):
        await ack()
        return
    raw = str(values.get("duration_minutes") or "")
    minutes = int(raw) if raw.isdigit() and len(raw) < 5 else None
    try:
        await call(
            context,
            update_mentor_notes,
            member_of(context).id,
            session_id,
            mentor_notes=str(values.get("mentor_notes") or "") or None,
            duration_minutes=minutes,
        )
    except ValidationFailed as failed:
        await _refuse(ack, view, failed.errors)
        return
    except DomainError as exc:
        await _refuse(ack, view, {"mentor_notes": exc.user_message})
        return
    await ack()
    await client.chat_postMessage(channel=context.user_id or "", text="Notes saved.")


@guarded
async def on_availability_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    values = state_values(view)
    day = str(values.get("weekday") or "")
    try:
        start = time.fromisoformat(str(values.get("start") or ""))
        end = time.fromisoformat(str(values.get("end") or ""))
    except ValueError:
        await ack(response_action="errors", errors={"start": "Pick both times."})
        return
    if day not in WEEKDAYS:
        await ack(response_action="errors", errors={"weekday": "Pick a day."})
        return
    try:
        await call(
            context, add_availability, member_of(context).id, WEEKDAYS.index(day), start, end
        )
    except DomainError as exc:
        await ack(response_action="errors", errors={"end": exc.user_message})
        return
    await ack()
    await tell(client, body, f"Added {day} {start:%H:%M}-{end:%H:%M}.")
    await publish_home(context, client)


def register(app: AsyncApp) -> None:
    app.view(REQUEST_CALLBACK)(on_request_submitted)
    app.view(FEEDBACK_CALLBACK)(on_feedback_submitted)
    app.view(NOTES_CALLBACK)(on_notes_submitted)
    app.view(AVAILABILITY_CALLBACK)(on_availability_submitted)
