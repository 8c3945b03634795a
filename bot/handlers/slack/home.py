"""The App Home tab: what a student, a mentor and an admin each need at a glance.

Built fresh from the services (which authorize each list) on ``app_home_opened`` and
after every change made from Slack, off the request's path (``home_refresh``). Its top
row of buttons reaches what the slash command's sub-commands reach: each presses an
action of the shared vocabulary (``a:<name>:<index>``), except the two forms (request,
mentor application), which open modals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.forms.mentor_application import offers_application
from bot.handlers.slack.blocks import Block, actions_blocks, button, plain, section
from bot.handlers.slack.common import approved_mentors, call, deps, member_of
from bot.handlers.slack.modals import windows_summary
from bot.views import (
    days_left_of,
    limits_text,
    mentors_text,
    queue_line,
    request_line,
    session_line,
    stats_text,
)
from core.errors import DomainError
from core.limits import UsageLine
from core.members import Member
from core.mentors import AvailabilityWindow, MentorProfile, MentorStatus
from core.requests import MentorshipRequest
from core.services.admin import admin_stats, get_members
from core.services.claims import my_claims, open_requests_for_mentor
from core.services.context import ServiceContext
from core.services.mentor_status import mentor_status
from core.services.mentors import my_availability, pending_mentors
from core.services.read_together import read_together
from core.services.requests import my_requests, usage_left
from core.services.sessions import my_sessions
from core.sessions import MentorshipSession
from core.stats import Stats

logger = logging.getLogger(__name__)
MAX_BLOCKS = 100
MENTORS_SHOWN = 10
ASK_ACTION = "home:ask"  # "Request <name>": the form with that mentor chosen
APPLY_ACTION = "apply:open"  # "Become a mentor": opens the application (mentor_application)


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def top_row(member: Member, status: MentorStatus | None) -> list[Block]:
    """What each role can reach from the Home tab, as buttons."""
    buttons = [
        button("Request a session", "home:new", style="primary"),
        button("Limits", "a:limits:1"),
    ]
    if offers_application(status):
        buttons.append(button("Become a mentor", APPLY_ACTION))
    if status == MentorStatus.APPROVED:
        buttons.append(button("Queue", "a:queue:2"))
    if member.is_admin:
        buttons.append(button("Admin", "a:admin:3"))
    return actions_blocks(buttons, "home")


@dataclass
class HomeReads:
    """What a Home tab shows, read in one transaction (``read_together``)."""

    requests: list[MentorshipRequest]
    sessions: list[MentorshipSession]
    status: MentorStatus | None
    usage: list[UsageLine]
    claims: list[MentorshipRequest] = field(default_factory=list)
    queue: list[MentorshipRequest] = field(default_factory=list)
    windows: list[AvailabilityWindow] = field(default_factory=list)
    waiting: list[tuple[str, MentorProfile]] = field(default_factory=list)
    stats: Stats | None = None
    members: dict[int, Member] = field(default_factory=dict)


def read_home(ctx: ServiceContext, member: Member) -> HomeReads:
    """Every list of ``member``'s Home, each from the service that authorizes it."""
    found = HomeReads(
        my_requests(ctx, member.id),
        my_sessions(ctx, member.id),
        mentor_status(ctx, member.id),
        usage_left(ctx, member.id),
    )
    if member.is_approved_mentor:
        found.claims = my_claims(ctx, member.id)
        found.queue = open_requests_for_mentor(ctx, member.id)[:8]
    if member.is_approved_mentor or found.status == MentorStatus.PENDING:
        found.windows = my_availability(ctx, member.id)
    if member.is_admin:
        found.waiting = pending_mentors(ctx, member.id)
        found.stats = admin_stats(ctx, member.id)
    ids = {r.claimed_by for r in found.requests if r.claimed_by}
    ids |= {s.mentor_id for s in found.sessions} | {s.student_id for s in found.sessions}
    ids |= {r.student_id for r in [*found.claims, *found.queue]}
    found.members = get_members(ctx, [i for i in ids if i])
    return found


async def home_view(context: AsyncBoltContext, member: Member) -> dict[str, Any]:
    catalogue = deps(context).services.catalogue
    reads = await call(context, read_together, read_home, member)
    requests, sessions, status = reads.requests, reads.sessions, reads.status
    claims, queue, members = reads.claims, reads.queue, reads.members
    blocks: list[Block] = [
        header(f"Hi {member.display_name}"),
        section(f"Times are shown in your time zone: {member.timezone}."),
        *top_row(member, status),
        header("Your requests"),
    ]
    names = {i: m.display_name for i, m in members.items()}
    mine = [r for r in requests if r.status.value in ("OPEN", "CLAIMED", "SCHEDULED")][:8]
    if not mine:
        blocks.append(section("No open requests."))
    for r in mine:
        blocks.append(section(request_line(r, catalogue, names)))
        buttons = [button("Cancel", "a:cancel:0", str(r.id), "danger")]
        if r.status.value == "OPEN":
            buttons.insert(0, button("Edit", "a:edit:0", str(r.id)))
        blocks += actions_blocks(buttons, f"req:{r.id}")
    upcoming = [s for s in sessions if s.status.value == "SCHEDULED"][:8]
    blocks.append(header("Your sessions"))
    if not upcoming:
        blocks.append(section("No upcoming sessions."))
    for s in upcoming:
        blocks.append(section(session_line(s, member.timezone, names, member.id)))
        blocks += actions_blocks(
            [
                button("Reschedule", "a:reschedule:0", str(s.id)),
                button("Cancel", "a:cancel_session:0", str(s.id), "danger"),
            ],
            f"ses:{s.id}",
        )
    blocks.append(section(limits_text(reads.usage)))
    mentors = await approved_mentors(context)  # best rated first, as /mentors on Telegram
    blocks.append(header("Mentors"))
    blocks.append(section(mentors_text(mentors[:MENTORS_SHOWN])))
    asks = [
        button(f"Request {m.name}"[:75], f"{ASK_ACTION}:{i}", str(m.member_id))
        for i, m in enumerate(m for m in mentors[:MENTORS_SHOWN] if m.member_id != member.id)
    ]
    blocks += actions_blocks(asks, "mentors")
    if member.is_approved_mentor:
        blocks.append(header("Mentor: what you claimed"))
        if not claims:
            blocks.append(section("Nothing claimed right now."))
        for r in claims[:6]:
            blocks.append(section(request_line(r, catalogue, names)))
            if r.status.value == "CLAIMED":
                blocks += actions_blocks(
                    [
                        button("Pick a time", "a:slots:0", str(r.id), "primary"),
                        button("Release", "a:release:0", str(r.id)),
                    ],
                    f"claim:{r.id}",
                )
        blocks.append(header("Mentor: open requests"))
        if not queue:
            blocks.append(section("No open requests right now."))
        left = days_left_of(queue, members, deps(context).services.now())
        for r in queue:
            blocks.append(section(queue_line(r, catalogue, names, left[r.id])))
            blocks += actions_blocks(
                [button("Claim", "a:claim:0", str(r.id), "primary")], f"queue:{r.id}"
            )
    if member.is_approved_mentor or status == MentorStatus.PENDING:  # windows while waiting
        blocks.append(section(windows_summary(reads.windows, member.timezone)))
        blocks += actions_blocks([button("Edit availability", "home:availability")], "availability")
    if member.is_admin:
        blocks.append(header("Admin"))
        waiting = reads.waiting
        if not waiting:
            blocks.append(section("No mentor applications waiting."))
        for name, profile in waiting[:8]:
            blocks.append(section(f"{name}: {profile.domain}, {profile.years_experience} y"))
            blocks += actions_blocks(
                [
                    button("Approve", "a:approve:0", str(profile.member_id), "primary"),
                    button("Reject", "a:reject:1", str(profile.member_id), "danger"),
                ],
                f"mentor:{profile.member_id}",
            )
        if reads.stats is not None:
            blocks.append(section(stats_text(reads.stats)))
    if len(blocks) > MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 1], section("(more in the lists above)")]
    return {"type": "home", "blocks": blocks}


async def publish_home(
    context: AsyncBoltContext, client: AsyncWebClient, *, opened: bool = False
) -> None:
    """Have the person's Home tab rebuilt, after this request and off its path
    (``home_refresh``), if they may be looking at it (``home_presence``); a failure there
    never undoes what they just did. ``opened``: they are looking at it right now."""
    user, shared = context.user_id or "", deps(context)
    if not user:
        return
    now = shared.services.now()
    if opened:  # (a press on the Home is noted by common.once)
        shared.presence.note(context, now)
    elif not shared.presence.looking(context, now):
        return  # not on their Home lately: it is built when they next open it
    shared.homes.mark(user, lambda: _publish_once(context, client), first=opened)


async def _publish_once(context: AsyncBoltContext, client: AsyncWebClient) -> None:
    try:
        member = await member_of(context)
        view = await home_view(context, member)
        await client.views_publish(user_id=context.user_id or "", view=view)
    except (DomainError, SlackApiError):
        logger.warning("could not publish the App Home", exc_info=True)
