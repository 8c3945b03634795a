"""Turning leased rows into sends: who gets it, on which chat, saying what, or why not."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.catalogue import Catalogue
from core.delivery.comeback import NO_REACHABLE_CHAT
from core.delivery.messages import Message
from core.delivery.ports import Address
from core.delivery.relevance import Verdict, still_worth_sending
from core.delivery.texts import Facts, render
from core.members import Member, Platform
from core.notifications import Audience, Kind, Notification, to_audience
from core.policy import Policy
from core.ports import UnitOfWork
from core.requests import MentorshipRequest
from core.sessions import MentorshipSession

logger = logging.getLogger(__name__)


@dataclass
class Job:
    notification: Notification
    addresses: list[Address] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)  # by address key
    skip_reason: str | None = None
    # chats on platforms this process cannot send to: another process must finish the job
    elsewhere: list[Address] = field(default_factory=list)
    # planning or rendering this row raised (a bad stored value, a text bug): only this
    # row fails; it is retried with backoff and given up after the maximum (issue 12)
    broken: str | None = None


def member_address(member: Member, platforms: Sequence[Platform]) -> Address | None:
    """The person's first reachable account on a platform this process can send to."""
    for identity in member.identities:
        if identity.platform in platforms and not identity.unreachable:
            return Address(identity.platform, identity.external_id)
    return None


def plan_jobs(
    uow: UnitOfWork,
    leased: Sequence[Notification],
    feeds: Mapping[Audience, Sequence[Address]],
    platforms: Sequence[Platform],
    catalogue: Catalogue,
    policy: Policy,
    now: datetime,
    other_platforms: frozenset[Platform] = frozenset(),
) -> list[Job]:
    # Everyone and everything a batch needs in a few queries, rather than four or more
    # queries per row: planning was most of a tick's database time and kept the engine
    # well below the platforms' limits (benchmarks/delivery_rate.py).
    admins = uow.members.admins()
    requests = uow.requests.get_many({n.request_id for n in leased if n.request_id})
    sessions = uow.sessions.get_many({n.session_id for n in leased if n.session_id})
    checked = []
    wanted: set[int] = set()
    broken: dict[int, str] = {}
    for n in leased:
        request = requests.get(n.request_id) if n.request_id else None
        session = sessions.get(n.session_id) if n.session_id else None
        try:
            verdict = still_worth_sending(n, request, session, now, policy)
        except Exception as exc:  # a poison row: it alone fails
            broken[id(n)] = poisoned(n, "checking", exc)
            verdict = Verdict(False, "")
        checked.append((n, request, session, verdict))
        if verdict.send:
            wanted |= _mentioned(n, request, session)
            if n.audience == Audience.MEMBER and n.recipient_id is not None:
                wanted.add(n.recipient_id)
    members = uow.members.get_many(wanted) if wanted else {}
    names = {m.id: m.display_name for m in admins} | {i: m.display_name for i, m in members.items()}
    jobs = []
    for n, request, session, verdict in checked:
        job = Job(n, broken=broken.get(id(n)))
        if job.broken is not None:
            jobs.append(job)
            continue
        try:
            _address_and_render(
                job,
                request,
                session,
                verdict,
                admins,
                members,
                names,
                feeds,
                platforms,
                catalogue,
                now,
                other_platforms,
            )
        except Exception as exc:  # a poison row: it alone fails, the batch goes out
            jobs.append(Job(n, broken=poisoned(n, "preparing", exc)))
            continue
        jobs.append(job)
    return jobs


def poisoned(n: Notification, stage: str, exc: Exception) -> str:
    """Log a row that cannot be planned (ids and the error class, never content) and
    say what went wrong, for the row's ``last_error``."""
    logger.warning(
        "notification %s (%s) failed while %s: %s",
        n.id,
        n.kind.value,
        stage,
        exc.__class__.__name__,
    )
    # the traceback only at DEBUG: an exception's message may quote stored text
    logger.debug("notification %s: traceback", n.id, exc_info=exc)
    return f"could not be prepared: {exc.__class__.__name__}"[:500]


def _address_and_render(
    job: Job,
    request: MentorshipRequest | None,
    session: MentorshipSession | None,
    verdict: Verdict,
    admins: Sequence[Member],
    members: Mapping[int, Member],
    names: dict[int, str],
    feeds: Mapping[Audience, Sequence[Address]],
    platforms: Sequence[Platform],
    catalogue: Catalogue,
    now: datetime,
    other_platforms: frozenset[Platform],
) -> None:
    n = job.notification
    if not verdict.send:
        job.skip_reason = verdict.reason
        return
    recipients: list[Member | None]
    if n.audience == Audience.MEMBER and n.recipient_id is not None:
        recipients = [members.get(n.recipient_id)]
    elif n.audience == Audience.ADMINS:
        recipients = list(admins)
    else:
        recipients = [None]
    for recipient in recipients:
        for address in _targets(n, recipient, feeds, platforms, other_platforms):
            if address.key in n.progress:
                continue
            if address.platform not in platforms:
                if address.platform in other_platforms:
                    job.elsewhere.append(address)
                continue
            facts = Facts(n, recipient, catalogue, request, session, names, now)
            job.messages[address.key] = render(facts)
            job.addresses.append(address)
    if not job.addresses and not job.elsewhere and not n.progress:
        job.skip_reason = NO_REACHABLE_CHAT


def _targets(
    n: Notification,
    recipient: Member | None,
    feeds: Mapping[Audience, Sequence[Address]],
    platforms: Sequence[Platform],
    other_platforms: frozenset[Platform],
) -> list[Address]:
    """Every chat the notification should reach, on any platform; the caller sends to the
    ones this process serves and leaves the rest to a process that serves them."""
    if recipient is None:
        return list(feeds.get(n.audience, ()))
    address = member_address(recipient, platforms) or member_address(
        recipient, sorted(other_platforms)
    )
    return [address] if address else []


def _mentioned(n: Notification, request: object, session: object) -> set[int]:
    ids: set[int] = set()
    for thing in (request, session):
        for attribute in ("student_id", "claimed_by", "mentor_id", "preferred_mentor_id"):
            value = getattr(thing, attribute, None)
            if isinstance(value, int):
                ids.add(value)
    for key in ("mentor_id", "by"):
        value = n.payload.get(key)
        if isinstance(value, int):
            ids.add(value)
    return ids


def dead_letter_notice(dead: Notification, recipient_name: str) -> Notification | None:
    """Tell the admins a message could not be delivered (but never about such a notice)."""
    if dead.kind == Kind.DELIVERY_FAILED or dead.id is None:
        return None
    return to_audience(
        Kind.DELIVERY_FAILED,
        Audience.ADMINS,
        dead.due_at,
        f"n{dead.id}",
        failed_kind=dead.kind.value,
        recipient=recipient_name,
        attempts=dead.attempts,
        error=(dead.last_error or "unknown error")[:200],
    )
