"""The outbox at a glance, for the operator's metrics (``bot.ops.metrics``): how much is
due and waiting, leased, given up, and how long the oldest due row has waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import NotificationRow as Row

PENDING, DEAD = "PENDING", "DEAD"


@dataclass(frozen=True)
class OutboxStats:
    due: int
    leased: int
    dead: int
    oldest_due_age_seconds: float


def outbox_stats(sessions: sessionmaker[Session], now: datetime) -> OutboxStats:
    """One query; "due" counts what no worker holds (its lease, if any, ran out)."""
    free = or_(Row.lease_until.is_(None), Row.lease_until <= now)
    due = and_(Row.status == PENDING, Row.due_at <= now, free)
    query = select(
        func.count(case((due, 1))),
        func.count(case((and_(Row.status == PENDING, ~free), 1))),
        func.count(case((Row.status == DEAD, 1))),
        func.min(case((due, Row.due_at)), type_=Row.__table__.c.due_at.type),
    )
    with sessions() as session:
        due_n, leased, dead, oldest = session.execute(query).one()
    age = (now - oldest).total_seconds() if oldest is not None else 0.0
    return OutboxStats(int(due_n), int(leased), int(dead), max(age, 0.0))
