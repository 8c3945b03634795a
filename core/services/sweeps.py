"""Time-driven work that changes state: run every tick by every process, safely.

Each step is a conditional update (only if the row is still as we saw it) plus
notifications with unique keys, so several processes running the same sweep at the
same moment change each request once and tell each person once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.directed import dates_ended_everywhere, reservation_over
from core.events import EntityKind
from core.lifecycle import RequestStatus
from core.notifications import Audience, Kind, to_audience, to_member
from core.ports import record
from core.requests import Urgency
from core.services.common import card_update, load_request, revision
from core.services.context import ServiceContext
from core.services.directed import open_or_close_reserved
from core.services.expiry import expire_stale_requests
from core.services.requests import announce_request
from core.services.stale import expire_past_dates


@dataclass
class SweepReport:
    expired: list[int] = field(default_factory=list)
    reannounced: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    dates_passed: list[int] = field(default_factory=list)
    reservations_ended: list[int] = field(default_factory=list)


def run_sweeps(ctx: ServiceContext, batch_size: int = 200) -> SweepReport:
    # in this order: a request whose dates have passed is closed before anything could
    # open or re-announce it
    return SweepReport(
        dates_passed=expire_past_dates(ctx, batch_size),
        reservations_ended=open_or_close_reserved(ctx, batch_size),
        expired=expire_everything_due(ctx, batch_size),
        reannounced=reannounce_unclaimed(ctx, batch_size),
        released=release_unscheduled_claims(ctx, batch_size),
    )


def expire_everything_due(ctx: ServiceContext, batch_size: int = 200) -> list[int]:
    """Every request past its expiry, batch after batch, before anything is re-announced:
    after downtime the backlog can be longer than one batch (issue 12: requests already
    past their expiry were announced with a Claim button)."""
    expired: list[int] = []
    while True:
        batch = expire_stale_requests(ctx, batch_size)
        expired += batch
        if len(batch) < batch_size:
            return expired


def reannounce_unclaimed(ctx: ServiceContext, batch_size: int = 200) -> list[int]:
    """Urgent requests go back to the mentors every 12 h; normal ones once after 48 h."""
    now, policy = ctx.now(), ctx.policy
    done: list[int] = []
    with ctx.uow_factory() as uow:
        due = uow.requests.unannounced_since(
            Urgency.HIGH.value, now - policy.reannounce_high_every, batch_size
        ) + [
            r
            for r in uow.requests.unannounced_since(
                Urgency.NORMAL.value, now - policy.reannounce_normal_after, batch_size
            )
            if r.last_announced_at is None
        ]
        for request in due:
            if request.status != RequestStatus.OPEN or request.expires_at <= now:
                continue  # past its expiry (after downtime): expired, never announced
            if request.reserved or dates_ended_everywhere(request, now):
                continue  # the chosen mentor's alone, or nothing left to book
            if not uow.requests.mark_announced(request.id, request.last_announced_at, now):
                continue  # another process got there first
            uow.notifications.add(
                to_audience(
                    Kind.REQUEST_REANNOUNCED,
                    Audience.MENTORS,
                    now,
                    f"r{request.id}:{request.last_announced_at or 'first'}",
                    request_id=request.id,
                )
            )
            done.append(request.id)
        uow.commit()
    return done


def release_unscheduled_claims(ctx: ServiceContext, batch_size: int = 200) -> list[int]:
    """A claim with no time after 72 h goes back to the queue, so the student is not stuck."""
    now = ctx.now()
    released: list[int] = []
    with ctx.uow_factory() as uow:
        for stale in uow.requests.claimed_before(
            now - ctx.policy.release_unscheduled_after, batch_size
        ):
            if not uow.requests.transition(
                stale.id,
                [RequestStatus.CLAIMED],
                RequestStatus.OPEN,
                now,
                if_claimed_by=stale.claimed_by,
                claimed_by=None,
                claimed_at=None,
                expires_at=max(stale.expires_at, now + ctx.policy.expiry_warning_before),
                **reservation_over(stale, now),
            ):
                continue
            record(
                uow,
                EntityKind.REQUEST,
                stale.id,
                RequestStatus.CLAIMED,
                RequestStatus.OPEN,
                None,
                now,
                "no time was picked in time",
            )
            key = f"r{stale.id}:v{revision(uow, EntityKind.REQUEST, stale.id)}"
            uow.notifications.cancel_pending(request_id=stale.id, kinds=[Kind.MENTOR_NUDGE])
            uow.notifications.add(
                to_member(Kind.REQUEST_RELEASED, stale.student_id, now, key, request_id=stale.id)
            )
            card_update(uow, stale.id, now, "auto-released")
            announce_request(
                uow,
                ctx,
                load_request(uow, stale.id),
                reason="auto-released",
                skip=[stale.claimed_by] if stale.claimed_by is not None else [],
            )
            released.append(stale.id)
        uow.commit()
    return released
