"""Button presses (block actions): every press is authorized again by the services.

Values are never trusted: a stale or forged button names an id the service refuses with
a plain message (an ephemeral note, or a DM from the Home tab); an unknown shape gets
'this button no longer works'.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.blocks import actions_blocks, button, fallback_text, sections
from bot.handlers.slack.commands import open_request_modal
from bot.handlers.slack.common import (
    STALE,
    approved_mentors,
    call,
    deps,
    guarded,
    ints,
    member_of,
    tell,
)
from bot.handlers.slack.home import ASK_ACTION, publish_home
from bot.handlers.slack.modals import (
    REMOVE_WINDOW_ACTION,
    availability_modal,
    draft_from_view,
    feedback_modal,
    meta_of,
    notes_modal,
    request_modal,
)
from core.errors import AlreadyClaimed, NotAllowed, NotFound
from core.forms import Choice
from core.members import Member
from core.services.claims import claim_request, release_request
from core.services.mentors import (
    decide_mentor,
    my_availability,
    remove_availability,
)
from core.services.outcomes import rate_session, record_outcome
from core.services.requests import (
    cancel_request,
    draft_for_edit,
    draft_for_mentor,
    extend_request,
    repost_request,
)
from core.services.sessions import (
    available_slots,
    cancel_session,
    get_session,
    reschedule_session,
    schedule_session,
)
from core.sessions import Outcome
from core.timefmt import local_time, short_time

logger = logging.getLogger(__name__)
OUTCOMES = frozenset(o.value for o in Outcome)
OUTCOME_ANSWERS = {
    Outcome.COMPLETED: "Recorded: completed. Thank you!",
    Outcome.MENTOR_NO_SHOW: "Recorded: the mentor did not come. Thank you for telling us.",
    Outcome.STUDENT_NO_SHOW: "Recorded: the student did not come. Thank you for telling us.",
}
MAX_SLOTS = 24


def _pressed(body: dict[str, Any]) -> tuple[str, str]:
    action = (body.get("actions") or [{}])[0]
    return str(action.get("action_id") or ""), str(action.get("value") or "")


async def _dm(
    client: AsyncWebClient, user: str, text: str, blocks: list[Any] | None = None
) -> None:
    await client.chat_postMessage(channel=user, text=fallback_text(text), blocks=blocks)


async def offer_slots(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    member: Member,
    verb: str,
    ref: int,
    request_id: int,
    current: datetime | None = None,
) -> None:
    """Slot buttons by DM, in the mentor's own zone (never in the mentors channel)."""
    found = await call(context, available_slots, member.id, request_id)
    slots = [s for s in found if s != current][:MAX_SLOTS]
    user = context.user_id or ""
    if not slots:
        await _dm(
            client,
            user,
            "No free time fits. Add availability (Home tab) or ask the student for more days.",
        )
        return
    buttons = [
        button(short_time(s, member.timezone), f"{verb}:{i}", f"{ref}:{int(s.timestamp())}")
        for i, s in enumerate(slots)
    ]
    text = f"Pick a time ({member.timezone}):"
    await _dm(client, user, text, [*sections(text), *actions_blocks(buttons, "slots")])


@guarded
async def on_action(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """``a:<name>:<index>`` with the ids in the value."""
    await ack()
    action_id, value = _pressed(body)
    name = action_id.split(":")[1] if action_id.count(":") >= 1 else ""
    ids = ints(value)
    parts = value.split(":")
    member = await member_of(context)
    if name == "claim" and ids:
        try:
            request = await call(context, claim_request, member.id, ids[0])
        except AlreadyClaimed as exc:
            await tell(client, body, exc.user_message)
            return
        await tell(client, body, f"You claimed #{request.id}. Pick a time in our DM.")
        await offer_slots(context, client, member, "s", request.id, request.id)
    elif name == "slots" and ids:
        await offer_slots(context, client, member, "s", ids[0], ids[0])
    elif name == "release" and ids:
        await call(context, release_request, member.id, ids[0])
        await tell(client, body, "Released: it is back in the queue.")
    elif name == "reschedule" and ids:
        session = await call(context, get_session, member.id, ids[0])
        await offer_slots(
            context, client, member, "r", session.id, session.request_id, session.scheduled_at
        )
    elif name == "cancel" and ids:
        await call(context, cancel_request, member.id, ids[0])
        await tell(client, body, f"Request #{ids[0]} cancelled.")
    elif name == "cancel_session" and ids:
        await call(context, cancel_session, member.id, ids[0])
        await tell(client, body, "Session cancelled; the other person has been told.")
    elif name == "extend" and ids:
        request = await call(context, extend_request, member.id, ids[0])
        await tell(
            client, body, f"Extended until {local_time(request.expires_at, member.timezone)}."
        )
    elif name == "repost" and ids:
        request = await call(context, repost_request, member.id, ids[0])
        await tell(client, body, f"Posted again as #{request.id}.")
    elif name == "edit" and ids:
        draft = await call(context, draft_for_edit, member.id, ids[0])
        await open_request_modal(context, client, body["trigger_id"], draft, ids[0])
        return
    elif name == "outcome" and ids and len(parts) > 1 and parts[1] in OUTCOMES:
        await call(context, record_outcome, member.id, ids[0], Outcome(parts[1]))
        await tell(client, body, OUTCOME_ANSWERS[Outcome(parts[1])])
    elif name == "rate" and len(ids) == 2:
        await call(context, rate_session, member.id, ids[0], ids[1])
        await client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(ids[0]))
        return
    elif name == "notes" and ids:
        session = await call(context, get_session, member.id, ids[0])
        if session.mentor_id != member.id:
            raise NotAllowed("Only the mentor of this session writes its notes.")
        modal = notes_modal(
            session.id, session.mentor_notes or "", session.session_duration_minutes
        )
        await client.views_open(trigger_id=body["trigger_id"], view=modal)
        return
    elif name in ("approve", "reject") and ids:
        profile = await call(context, decide_mentor, member.id, ids[0], name == "approve")
        deps(context).reads.forget_mentors()  # the pickers and Home list change
        await tell(client, body, f"Mentor {profile.member_id} {profile.status.value.lower()}.")
    else:
        await tell(client, body, STALE)
        return
    await publish_home(context, client)


@guarded
async def on_slot(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """``s:<i>`` value ``<request>:<epoch>`` books; ``r:<i>`` value ``<session>:<epoch>`` moves."""
    await ack()
    action_id, value = _pressed(body)
    ids = ints(value)
    if len(ids) != 2 or len(value.split(":")) != 2 or not 0 < ids[1] < 2**33:
        await tell(client, body, STALE)
        return
    member = await member_of(context)
    start = datetime.fromtimestamp(ids[1], UTC)
    if action_id.startswith("s:"):
        session = await call(context, schedule_session, member.id, ids[0], start)
    else:
        session = await call(context, reschedule_session, member.id, ids[0], start)
    await tell(
        client,
        body,
        f"Booked for {local_time(session.scheduled_at, member.timezone)}. "
        "Both of you get the link and an invite.",
    )
    await publish_home(context, client)


async def on_type_chosen(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Choosing a session type redraws the modal with that type's extra fields; what was
    typed is carried over (same block ids, and initial values from the state)."""
    await ack()
    view = body.get("view") or {}
    draft, _ = draft_from_view(view)
    member = await member_of(context)
    services = deps(context).services
    mentors = await approved_mentors(context)
    choices = [Choice(str(m.member_id), m.name) for m in mentors if m.member_id != member.id][:20]
    if choices:
        choices.insert(0, Choice("none", "No preference"))
    new_view = request_modal(draft, services.catalogue, services.policy, choices, meta_of(view))
    await client.views_update(view_id=view.get("id"), hash=view.get("hash"), view=new_view)


@guarded
async def on_home_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    action_id, value = _pressed(body)
    if action_id == "home:new":
        await open_request_modal(context, client, body["trigger_id"])
    elif action_id.startswith(f"{ASK_ACTION}:"):
        ids = ints(value)
        if len(ids) != 1 or value != str(ids[0]):
            await tell(client, body, STALE)
            return
        member = await member_of(context)
        # refused (own button, a mentor no longer approved, a forged id) before a form opens
        draft = await call(context, draft_for_mentor, member.id, ids[0])
        await open_request_modal(context, client, body["trigger_id"], draft)
    elif action_id == "home:availability":
        member = await member_of(context)
        windows = await call(context, my_availability, member.id)
        modal = availability_modal(windows, member.timezone)
        await client.views_open(trigger_id=body["trigger_id"], view=modal)


@guarded
async def on_remove_window(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """``avail:remove:<i>`` with a window id: removed only if it is the presser's own (the
    delete names the mentor too); anything else is answered 'no longer exists'."""
    await ack()
    _, value = _pressed(body)
    ids = ints(value)
    if len(ids) != 1 or value != str(ids[0]):
        await tell(client, body, STALE)
        return
    member = await member_of(context)
    before = await call(context, my_availability, member.id)
    gone = next((w for w in before if w.id == ids[0]), None)
    if gone is None:
        raise NotFound("That availability window no longer exists.")
    await call(context, remove_availability, member.id, ids[0])
    windows = [w for w in before if w.id != ids[0]]
    note = f"Removed {gone.describe()}."
    view = body.get("view") or {}
    if view.get("id"):
        try:
            await client.views_update(
                view_id=view["id"], view=availability_modal(windows, member.timezone, note)
            )
        except SlackApiError:  # the modal was closed meanwhile: say it another way
            logger.info("could not update the availability modal")
            await tell(client, body, note)
    else:
        await tell(client, body, note)
    await publish_home(context, client)


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
    app.action(re.compile(r"^a:"))(on_action)
    app.action(re.compile(r"^[sr]:\d+$"))(on_slot)
    app.action(re.compile(r"^home:"))(on_home_button)
    app.action(re.compile(rf"^{REMOVE_WINDOW_ACTION}:\d+$"))(on_remove_window)
    app.action(re.compile(r"^link:"))(on_link)
    app.action(re.compile(r"."))(on_unknown)  # last: only what nothing above handles
