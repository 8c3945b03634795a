"""What every Slack listener shares: the services, who is acting, safe replies.

Two global middlewares run before any listener: ``once`` drops a repeated delivery (a
Slack retry with ``X-Slack-Retry-Num``, the same ``event_id``, the same action press) and
``identify`` puts the acting member, if already known, in ``context["member"]``.

Nothing before a listener's ``ack()`` calls the Web API: Slack gives 3 seconds for the
answer and ``users.info`` can take longer. Someone new is registered (with the name and
time zone from ``users.info``) by :func:`member_of`, which listeners call after the ack.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.turn import Turn, in_thread
from bot.handlers.slack.ack_first import AckFirst, AnsweringAck, answer_at_once, answers_nothing
from bot.handlers.slack.blocks import fallback_text
from bot.handlers.slack.home_presence import (
    ON_HOME,
    SEEN_AT,
    HomePresence,
    from_home,
    presence_key,
)
from bot.handlers.slack.home_refresh import HomeRefresher
from bot.handlers.slack.phrases import phrases
from bot.log_context import bind
from bot.ops.metrics import note_outcome
from bot.read_cache import ReadCache
from bot.state_batcher import StateBatcher
from core.errors import DomainError, ValidationFailed
from core.hints import with_hint
from core.members import Identity, Member, Platform
from core.services.admin_settings import is_listed
from core.services.context import ServiceContext
from core.services.members import find_member, note_contact, register_member, set_timezone
from core.services.mentors import MentorSummary, list_mentors
from core.transactions import run_retrying
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Not "nothing was changed": the error may come after a change was stored (a reply that
# failed), and a person who believes otherwise would do it a second time.
SORRY = (
    "Sorry, something went wrong on our side. The Home tab shows whether your last action went "
    "through; if not, please try again."
)
STALE = "This button no longer works. Open the app's Home tab for what you can do."
MAX_ID_DIGITS = 18
# Threads for the services run after an answer. Their work is mostly Python holding the
# GIL; the event loop, which parses, verifies and answers the next requests, needs it
# too. With the loop's default pool (6 threads on 2 cores) under a burst, a submission's
# answer waited p99 190 to 270 ms; with 2, 130 to 140 ms, for the same throughput.
# (MENTORBOT_SLACK_WORK_THREADS: more for a database far away, whose waits a thread
# spends without the GIL.)
WORK_THREADS = 2


@dataclass(frozen=True)
class Deps:
    """What the listeners share. The ack path (``once``, ``identify``, the form's checks)
    has its own threads and group-commits its idempotency keys: the 3 seconds Slack
    gives must not be spent queueing behind other requests' after-ack work."""

    services: ServiceContext
    store: FrontEndStore
    admins: frozenset[str] = frozenset()
    mentors_channel: str | None = None
    command: str = "/mentorship"
    threads: int = WORK_THREADS  # how many run the services after an answer
    batcher: StateBatcher = field(init=False)
    ack_threads: ThreadPoolExecutor = field(init=False)
    work_threads: ThreadPoolExecutor = field(init=False)
    # members and the mentor list, kept a minute per process (bot/read_cache.py)
    reads: ReadCache = field(init=False)
    # Home tabs to build again, off the requests' path, and who may be looking at theirs
    homes: HomeRefresher = field(init=False)
    presence: HomePresence = field(init=False)
    # requests not yet answered go before work done after an answer
    acks: AckFirst = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reads", ReadCache())
        object.__setattr__(self, "acks", AckFirst())
        object.__setattr__(self, "homes", HomeRefresher(wait_turn=self.acks.turn))
        object.__setattr__(self, "batcher", StateBatcher(self.store))
        object.__setattr__(self, "presence", HomePresence(self.batcher))
        object.__setattr__(self, "ack_threads", ThreadPoolExecutor(2, "slack-ack"))
        object.__setattr__(self, "work_threads", ThreadPoolExecutor(self.threads, "slack-work"))

    async def before_ack(self, fn: Callable[..., T], *args: Any) -> T:
        """A (synchronous) service call on the ack path's own threads."""
        return await in_thread(self.ack_threads, fn, self.services, *args)

    def close(self) -> None:
        self.homes.close()
        self.batcher.close()
        self.ack_threads.shutdown(wait=False)
        self.work_threads.shutdown(wait=False)


def deps(context: AsyncBoltContext) -> Deps:
    found: Deps = context["deps"]
    return found


def turn_for(
    context: AsyncBoltContext,
    member: Member,
    wait_turn: Callable[[], Awaitable[None]] | None = None,
) -> Turn:
    """This person's turn, its services on Slack's work threads."""
    shared = deps(context)
    return Turn(member, shared.services, shared.reads, wait_turn, shared.work_threads)


def known_member(context: AsyncBoltContext) -> Member | None:
    """The acting member if already registered (read from the database by ``identify``):
    what a listener may use before its ack."""
    member: Member | None = context.get("member")
    return member


async def member_of(context: AsyncBoltContext) -> Member:
    """The acting member, registering them on first contact (``users.info``, which can be
    slow: call this after the ack)."""
    member = known_member(context)
    user, team, client = context.user_id, context.team_id, context.client
    if member is None and user and team and client is not None:
        member = await ensure_member(deps(context), client, team, user)
        context["member"] = member
    if member is None:
        raise DomainError("I could not tell who you are. Please try again from Slack.")
    return member


async def call(context: AsyncBoltContext, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (synchronous) core service off the event loop; once this request has been
    answered, requests still waiting for theirs go first (``ack_first``)."""
    shared = deps(context)
    if getattr(context.get("ack"), "response", None) is not None:
        await shared.acks.turn()
    return await in_thread(shared.work_threads, run_retrying, fn, shared.services, *args, **kwargs)


async def approved_mentors(context: AsyncBoltContext) -> list[MentorSummary]:
    """The approved mentors, best rated first; fresh within a minute (approvals made
    through this process show at once)."""
    return await deps(context).reads.mentors(lambda: call(context, list_mentors))


def ints(value: str) -> list[int]:
    """The numeric ids in a button value; anything forged or garbled is dropped."""
    return [int(p) for p in value.split(":") if p.isdigit() and len(p) <= MAX_ID_DIGITS]


def dedup_key(body: dict[str, Any]) -> str | None:
    """What makes this delivery unique, so a repeat of it can be recognised."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"slack:event:{body['event_id']}"
    if body.get("type") == "block_actions":
        action = (body.get("actions") or [{}])[0]
        user = (body.get("user") or {}).get("id", "")
        stamp = action.get("action_ts") or body.get("trigger_id")
        return f"slack:action:{user}:{stamp}" if stamp else None
    if body.get("trigger_id"):  # slash commands, shortcuts, view submissions
        return f"slack:trigger:{body['trigger_id']}"
    return None


def install_middleware(app: AsyncApp, deps_: Deps) -> None:
    @app.middleware
    async def once(
        req: AsyncBoltRequest,
        body: dict[str, Any],
        context: AsyncBoltContext,
        next: Callable[[], Awaitable[None]],
    ) -> BoltResponse | None:
        context["deps"] = deps_
        token = id(req)  # unanswered until its listener acks (ack_first)
        # A press, a command or an event is answered now, before its de-duplication and
        # lookups (issue 14: a claim's answer waited for two round trips and the queue).
        if not (answers_nothing(body) and answer_at_once(context)):
            deps_.acks.entered(token)
        context["ack"] = AnsweringAck(context.get("ack"), deps_.acks, token)
        key = dedup_key(body)
        context[ON_HOME] = from_home(body)
        if key is not None:
            bind(update=key)
            team, user = context.team_id, context.user_id
            # when they were last on their Home, read in the same round trip
            seen = (presence_key(team, user),) if team and user else ()
            started = await deps_.batcher.start_update(key, seen)
            context[SEEN_AT] = started.states.get(seen[0]) if seen else None
            if not started.first_time:
                deps_.acks.answered(token)  # answered here: no listener will run
                note_outcome("repeat")
                retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
                logger.info("repeated Slack delivery ignored (retry %s)", retry)
                return BoltResponse(status=200, body="")
        await next()
        if context.get(ON_HOME):  # a press on their Home: they are looking at it
            deps_.presence.note(context, deps_.services.now())
        return None

    @app.middleware
    async def identify(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        """The database only: no Web API call before the ack (see :func:`member_of`)."""
        if context.user_id and context.team_id:
            identity = Identity(Platform.SLACK, f"{context.team_id}:{context.user_id}")
            member = await deps_.reads.member(identity, lambda: _find(deps_, identity))
            if member is not None:
                context["member"] = member
                bind(person=member.id)
        await next()


async def _find(deps_: Deps, identity: Identity) -> Member | None:
    member = await deps_.before_ack(find_member, identity)
    if member is not None and any(i == identity and i.unreachable for i in member.identities):
        await deps_.before_ack(note_contact, member, identity)  # they are back
    return member


async def ensure_member(deps_: Deps, client: AsyncWebClient, team: str, user: str) -> Member:
    """Find or register the member behind a Slack user (``users.info`` for someone new)."""
    identity = Identity(Platform.SLACK, f"{team}:{user}")
    found = await asyncio.to_thread(find_member, deps_.services, identity)
    if found is not None:
        return found
    name, zone = await profile(client, user)
    admin = is_listed(identity, deps_.admins)
    try:
        member, _ = await asyncio.to_thread(
            register_member, deps_.services, identity, name, zone, admin=admin
        )
    except ValidationFailed:  # a zone or name core does not accept: keep defaults
        member, _ = await asyncio.to_thread(
            register_member, deps_.services, identity, "Slack user", None, admin=admin
        )
    return member


async def profile(client: AsyncWebClient, user: str) -> tuple[str, str | None]:
    """Name and IANA time zone from ``users.info`` (the defaults if it cannot be read)."""
    try:
        info = await client.users_info(user=user)
    except SlackApiError:
        logger.warning("users.info failed for a new member; using defaults")
        return "Slack user", None
    found = info.get("user") or {}
    details = found.get("profile") or {}
    name = details.get("real_name") or found.get("real_name") or found.get("name") or "Slack user"
    return str(name)[:100], found.get("tz")


async def refresh_timezone(deps_: Deps, member: Member, zone: str | None) -> Member:
    """Slack's ``tz`` changed (``user_change`` or a fresh ``users.info``): follow it."""
    if not zone or zone == member.timezone:
        return member
    deps_.reads.forget_member(member)
    try:
        return await asyncio.to_thread(set_timezone, deps_.services, member.id, zone)
    except ValidationFailed:
        return member


async def tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """An ephemeral note where the person pressed (a channel or DM), else a DM."""
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if not user:
        return
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if channel and body.get("type") != "view_submission":
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=fallback_text(text))
            return
        except SlackApiError:
            pass  # e.g. the app is not in that channel: fall back to a DM
    await client.chat_postMessage(channel=user, text=fallback_text(text))


Listener = Callable[..., Awaitable[None]]


def explain(context: AsyncBoltContext, exc: DomainError) -> str:
    """A refusal in plain words, with Slack's own pointer for its hint (core.hints)."""
    return with_hint(exc.user_message, exc.hint, phrases(deps(context).command))


def deps_of(kwargs: dict[str, Any]) -> Deps | None:
    context = kwargs.get("context")
    found = context.get("deps") if context is not None else None
    return found if isinstance(found, Deps) else None


def guarded(listener: Listener) -> Listener:
    """A DomainError becomes a plain note to the person; nothing else is changed."""

    @functools.wraps(listener)
    async def wrapper(body: dict[str, Any], client: AsyncWebClient, **kwargs: Any) -> None:
        try:
            await listener(body=body, client=client, **kwargs)
        except DomainError as exc:
            found = deps_of(kwargs)
            command = found.command if found is not None else "/mentorship"
            await tell(client, body, with_hint(exc.user_message, exc.hint, phrases(command)))

    return wrapper
