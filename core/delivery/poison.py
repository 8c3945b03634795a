"""Keeping one bad notification from stopping the others (issue 12, "delivery isolation").

A row that cannot be planned or rendered (an unknown stored value, a text that raises)
fails alone: ``planning`` marks its job broken, the engine retries it with backoff and
gives it up after the maximum. The admins hear of the rows given up in one pass in ONE
notice, not one per row. ``recheck`` is the worker's second look, when it records a
batch, at the rows going back to PENDING: a cancel that met such a row locked by the
worker skipped it (SKIP LOCKED), so the worker checks it again against the state now.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from core.delivery.relevance import still_worth_sending
from core.notifications import Audience, Kind, Notification, to_audience
from core.policy import Policy
from core.ports import UnitOfWork

logger = logging.getLogger(__name__)
LISTED = 20  # rows named in the notice's payload; the rest are counted


def broken_notice(given_up: Sequence[Notification], now: datetime) -> Notification:
    """One admins' notice for every row given up in one recording pass."""
    ids = sorted(n.id or 0 for n in given_up)
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]
    for n in given_up:
        logger.warning(
            "notification %s (%s) given up after %s attempts: %s",
            n.id,
            n.kind.value,
            n.attempts,
            n.last_error,
        )
    return to_audience(
        Kind.DELIVERY_BROKEN,
        Audience.ADMINS,
        now,
        f"broken:{ids[0]}:{len(ids)}:{digest}",
        count=len(ids),
        attempts=max(n.attempts for n in given_up),
        rows=[
            {"id": n.id, "kind": n.kind.value, "error": (n.last_error or "")[:120]}
            for n in sorted(given_up, key=lambda g: g.id or 0)[:LISTED]
        ],
    )


def recheck(
    uow: UnitOfWork, notifications: Sequence[Notification], now: datetime, policy: Policy
) -> dict[int, str]:
    """The rows (by id) that are no longer worth sending, with the reason."""
    if not notifications:
        return {}
    requests = uow.requests.get_many({n.request_id for n in notifications if n.request_id})
    sessions = uow.sessions.get_many({n.session_id for n in notifications if n.session_id})
    moot: dict[int, str] = {}
    for n in notifications:
        request = requests.get(n.request_id) if n.request_id else None
        session = sessions.get(n.session_id) if n.session_id else None
        try:
            verdict = still_worth_sending(n, request, session, now, policy)
        except Exception:  # planning will find it broken on its next lease
            continue
        if not verdict.send and n.id is not None:
            moot[n.id] = verdict.reason
    return moot
