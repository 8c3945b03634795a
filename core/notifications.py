"""What to tell whom, and when: rows written by services, delivered later by the engine.

A service never sends anything itself: it records the notifications its change implies
in the same transaction, so a message exists if and only if the change committed. The
``dedup_key`` names the fact ("24 h reminder for session 7 to member 3 for the 10:00
slot"), and storage keeps one row per key, so re-running a service or a sweep cannot
double a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Audience(StrEnum):
    MEMBER = "member"  # one person's DM
    MENTORS = "mentors"  # the mentors' feed (channel / group)
    ADMINS = "admins"


class NotificationStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    CANCELLED = "CANCELLED"
    SKIPPED = "SKIPPED"  # no longer useful when it fell due; the reason is kept
    DEAD = "DEAD"


class Kind(StrEnum):
    REQUEST_POSTED = "request_posted"
    REQUEST_FOR_YOU = "request_for_you"  # preferred mentor
    REQUEST_MATCHED = "request_matched"  # a DM to a mentor whose tags the request shares
    REQUEST_CLAIMED = "request_claimed"
    REQUEST_RELEASED = "request_released"
    REQUEST_ASSIGNED = "request_assigned"
    REQUEST_CANCELLED = "request_cancelled"
    REQUEST_EXPIRED = "request_expired"
    EXPIRY_WARNING = "expiry_warning"
    SESSION_SCHEDULED = "session_scheduled"
    SESSION_RESCHEDULED = "session_rescheduled"
    SESSION_CANCELLED = "session_cancelled"
    REMINDER = "reminder"
    OUTCOME_PROMPT = "outcome_prompt"
    RATING_PROMPT = "rating_prompt"
    MENTOR_NOTES_PROMPT = "mentor_notes_prompt"
    NO_SHOW_RECORDED = "no_show_recorded"
    MENTOR_APPLIED = "mentor_applied"
    MENTOR_APPROVED = "mentor_approved"
    MENTOR_REJECTED = "mentor_rejected"
    CARD_UPDATE = "card_update"  # refresh the mentors' feed card after any change
    REQUEST_REANNOUNCED = "request_reannounced"
    RATING_REMINDER = "rating_reminder"
    MENTOR_NUDGE = "mentor_nudge"
    DELIVERY_FAILED = "delivery_failed"  # to admins: a message went dead
    # to admins, once per delivery pass: messages that could not even be prepared (a
    # stored value or a text that fails to render) were given up (core.delivery.poison)
    DELIVERY_BROKEN = "delivery_broken"
    # to admins, once a day per problem: the mentors' channel/group refuses the bot
    # (core.delivery.feed_health)
    FEED_PROBLEM = "feed_problem"
    # a request addressed to one mentor (core.directed), to its student: opened to every
    # mentor when the chosen one's time was up; declined by the chosen one (opened or closed)
    REQUEST_OPENED = "request_opened"
    REQUEST_DECLINED = "request_declined"
    OUTCOME_DISPUTED = "outcome_disputed"  # "it did happen": to the reporter and admins
    DISPUTE_SETTLED = "dispute_settled"  # an admin decided: to both sides


# A request's card sent to one mentor by DM (the feed card's twin, with its Claim
# button): the senders remember where it went and redraw it with the feed card.
DM_CARD_KINDS = frozenset({Kind.REQUEST_MATCHED, Kind.REQUEST_FOR_YOU})


@dataclass
class Notification:
    kind: Kind
    audience: Audience
    recipient_id: int | None
    due_at: datetime
    dedup_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    request_id: int | None = None
    session_id: int | None = None
    status: NotificationStatus = NotificationStatus.PENDING
    attempts: int = 0
    id: int | None = None
    # delivery bookkeeping: which addresses already got it (feeds have several)
    progress: tuple[str, ...] = ()
    last_error: str | None = None


def to_member(
    kind: Kind,
    recipient_id: int,
    due_at: datetime,
    key: str,
    *,
    request_id: int | None = None,
    session_id: int | None = None,
    **payload: Any,
) -> Notification:
    return Notification(
        kind=kind,
        audience=Audience.MEMBER,
        recipient_id=recipient_id,
        due_at=due_at,
        dedup_key=f"{kind}:{key}:to{recipient_id}",
        payload=payload,
        request_id=request_id,
        session_id=session_id,
    )


def to_audience(
    kind: Kind,
    audience: Audience,
    due_at: datetime,
    key: str,
    *,
    request_id: int | None = None,
    session_id: int | None = None,
    **payload: Any,
) -> Notification:
    return Notification(
        kind=kind,
        audience=audience,
        recipient_id=None,
        due_at=due_at,
        dedup_key=f"{kind}:{key}:{audience}",
        payload=payload,
        request_id=request_id,
        session_id=session_id,
    )
