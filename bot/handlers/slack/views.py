"""View submissions: the request form, feedback, mentor notes, availability.

Slack needs the answer (the ack) within 3 seconds, and the ack carries the field errors
(``response_action: errors``). So each handler first checks what can be checked without
writing (``core.validation``, plus reads such as the limits), answers, and only then
writes and calls the Web API; a refusal that only the write can find (someone else got
there first) is told by DM. The request form's idempotency key still makes a double
submit one request.

The availability form is the exception: adding a window is one small insert, and its ack
shows the updated list in the modal (``response_action: update``).
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.forms.request_steps import submitted_note
from bot.conversation.inputs import check_feedback, check_notes
from bot.conversation.pickers import mentor_choices
from bot.handlers.slack.blocks import fallback_text
from bot.handlers.slack.common import (
    approved_mentors,
    call,
    deps,
    explain,
    guarded,
    known_member,
    member_of,
    tell,
)
from bot.handlers.slack.form_checks import ack_if_valid, session_of
from bot.handlers.slack.home import publish_home
from bot.handlers.slack.modals import (
    AVAILABILITY_CALLBACK,
    FEEDBACK_CALLBACK,
    NOTES_CALLBACK,
    REQUEST_CALLBACK,
    availability_modal,
    draft_from_view,
    errors_for_view,
    meta_of,
    request_modal,
    saved_modal,
    state_values,
)
from bot.handlers.slack.timely import answer_shown
from core.errors import DomainError, ValidationFailed
from core.members import Member
from core.requests import RequestDraft
from core.services.context import ServiceContext, local_today
from core.services.feed_status import submit_noting_feed
from core.services.mentors import add_availability, my_availability
from core.services.outcomes import leave_feedback, update_mentor_notes
from core.services.requests import update_request
from core.validation import validate_draft

logger = logging.getLogger(__name__)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOT_YET = "One moment: I am still setting up your account. Please press the button again."


async def _refuse(ack: AsyncAck, view: dict[str, Any], errors: dict[str, str]) -> None:
    await ack(response_action="errors", errors=errors_for_view(errors, view))


def check_fields(ctx: ServiceContext, member: Member, draft: RequestDraft) -> None:
    """The fields (dates in the student's own zone), without the database: refused here,
    a field's error shows under it even when saving would be slow. Limits and edit
    rights are checked by the save itself, whose refusal shows on the form too when it
    answers within the ack budget (else it comes by DM)."""
    validate_draft(draft, ctx.catalogue, ctx.policy, local_today(member, ctx.now()))


SAVING = "⏳ Saving your request…"


async def on_request_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Answered at once, saved after (issue 14: the ack waited for the save, 0.8 to 1.2 s
    under load). The ack keeps the form as typed and says it is being saved; the save
    then turns it into the saved note, or back into the form with the reason on top,
    and a DM says the same. Should this process die before the save, the form is still
    there, filled in: Submit again stores it once (its submission key)."""
    draft, read_errors = draft_from_view(view)
    if read_errors:
        await _refuse(ack, view, read_errors)
        return
    member = known_member(context)
    if member is None:  # the form was opened, but registering them has not finished
        await _refuse(ack, view, {"title": NOT_YET})
        await member_of(context)
        return
    meta = meta_of(view)
    draft.submission_key = str(meta.get("key") or "")[:40] or None
    edit = meta.get("edit")
    edit_id = edit if isinstance(edit, int) and not isinstance(edit, bool) else None
    try:
        check_fields(deps(context).services, member, draft)
    except ValidationFailed as failed:
        await _refuse(ack, view, failed.errors)
        return
    await ack(response_action="update", view=await _form(context, member, draft, meta, SAVING))
    feed_failing = False
    try:
        if edit_id is not None:
            request = await call(context, update_request, member.id, edit_id, draft)
        else:
            submitted = await call(context, submit_noting_feed, member.id, draft)
            request, feed_failing = submitted.request, submitted.feed_failing
    except DomainError as exc:  # a limit, a request no longer editable, the database
        reason = explain(context, exc)
        again = await _form(context, member, draft, meta, f"⚠️ Not saved: {reason}")
        await answer_shown(context)
        await _show(client, view, again)
        await tell(client, body, f"Your request was not saved: {reason}")
        return
    if edit_id is not None:
        text = f"Request #{request.id} updated."
    else:
        mentors = await approved_mentors(context) if request.reserved else []
        chosen = next((m.name for m in mentors if m.member_id == request.preferred_mentor_id), None)
        text = submitted_note(request, chosen, feed_failing)
    await answer_shown(context)
    await _show(client, view, saved_modal(text))
    await client.chat_postMessage(channel=context.user_id or "", text=fallback_text(text))
    await publish_home(context, client)


async def _form(
    context: AsyncBoltContext,
    member: Member,
    draft: RequestDraft,
    meta: dict[str, Any],
    banner: str,
) -> dict[str, Any]:
    """The form again as it was submitted (same key), ``banner`` on top."""
    services = deps(context).services
    mentors = await approved_mentors(context)  # kept a minute per process
    choices = mentor_choices(mentors, member.id, draft.preferred_mentor_id)
    return request_modal(draft, services.catalogue, services.policy, choices, meta, banner=banner)


async def _show(client: AsyncWebClient, view: dict[str, Any], new_view: dict[str, Any]) -> None:
    """The open form becomes ``new_view``; closed meanwhile, the DM is what they get."""
    try:
        await client.views_update(view_id=str(view.get("id") or ""), view=new_view)
    except SlackApiError as exc:
        error = (exc.response or {}).get("error")
        logger.info("the request form could not be updated after its save (%s)", error)


async def on_feedback_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    session_id = session_of(view, meta_of(view))
    if session_id is None:
        await ack()
        return
    raw = str(state_values(view).get("feedback") or "")
    policy = deps(context).services.policy
    text = await ack_if_valid(ack, view, lambda: check_feedback(policy, raw))
    if text is None:
        return
    try:
        await call(context, leave_feedback, (await member_of(context)).id, session_id, text)
    except DomainError as exc:  # not theirs, not rated yet, already written
        await tell(client, body, exc.user_message)
        return
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
    session_id = session_of(view, meta_of(view))
    if session_id is None:
        await ack()
        return
    values = state_values(view)
    policy = deps(context).services.policy
    checked = await ack_if_valid(
        ack,
        view,
        lambda: check_notes(
            policy,
            str(values.get("duration_minutes") or ""),
            str(values.get("mentor_notes") or ""),
        ),
    )
    if checked is None:
        return
    minutes, notes = checked
    try:
        await call(
            context,
            update_mentor_notes,
            (await member_of(context)).id,
            session_id,
            mentor_notes=notes,  # the modal shows the saved notes: emptied means removed
            duration_minutes=minutes,
        )
    except DomainError as exc:  # not their session, not over yet, a duration out of range
        await tell(client, body, exc.user_message)
        return
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
    member = known_member(context)
    if member is None:
        await ack(response_action="errors", errors={"weekday": NOT_YET})
        await member_of(context)
        return
    try:
        await call(context, add_availability, member.id, WEEKDAYS.index(day), start, end)
    except ValidationFailed as failed:
        await _refuse(ack, view, failed.errors)
        return
    except DomainError as exc:
        await ack(response_action="errors", errors={"end": exc.user_message})
        return
    windows = await call(context, my_availability, member.id)
    note = f"Added {day} {start:%H:%M}-{end:%H:%M}."
    await ack(response_action="update", view=availability_modal(windows, member.timezone, note))
    await publish_home(context, client)


def register(app: AsyncApp) -> None:
    app.view(REQUEST_CALLBACK)(on_request_submitted)
    app.view(FEEDBACK_CALLBACK)(on_feedback_submitted)
    app.view(NOTES_CALLBACK)(on_notes_submitted)
    app.view(AVAILABILITY_CALLBACK)(on_availability_submitted)
