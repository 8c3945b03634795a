"""Is a due notification still worth sending? The documented catch-up policy.

When processes were down, rows fall due late. Rather than replay everything or drop
anything silently, each row is checked against the state *now* and either sent or marked
SKIPPED with the reason below:

- announcements (in the feed, or by DM to a mentor whose tags match), "asked for you"
  and expiry warnings: only while the request is still open and not past its expiry
  (even if no sweep has expired it yet): a DM card found due after a claim is skipped,
  not sent to be refused;
  announcements also only while some day of the request is still ahead, and those to
  every mentor only once a request addressed to one mentor is open to all;
- the mentor's "pick a time" nudge: only while the request is claimed without a time;
- reminders: only before the session starts, and not when a closer reminder is due too
  (a 24 h reminder found 10 minutes before the start gives way to the 1 h one);
- "did it happen?": only while the session is still scheduled (past sessions go straight
  to this step, whatever reminders were skipped);
- rating prompts: only while the session is completed and unrated; notes prompts only
  while the mentor has written no notes;
- nothing that offers or prompts (announcements, nudges, reminders, "did it happen?")
  for a request or session that was withdrawn or hidden since;
- everything else (claimed, booked, cancelled, expired, approvals) is news: always sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.directed import dates_ended_everywhere
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Kind, Notification
from core.policy import Policy
from core.requests import MentorshipRequest
from core.sessions import MentorshipSession

_NEEDS_OPEN_REQUEST = {
    Kind.REQUEST_POSTED,
    Kind.REQUEST_REANNOUNCED,
    Kind.REQUEST_FOR_YOU,
    Kind.REQUEST_MATCHED,
    Kind.EXPIRY_WARNING,
}

# A withdrawn or hidden request or session is offered to nobody and prompts nobody.
_NOT_FOR_HIDDEN = {*_NEEDS_OPEN_REQUEST, Kind.MENTOR_NUDGE, Kind.REMINDER, Kind.OUTCOME_PROMPT}

# a request addressed to one mentor reaches the others only once it is open to them all
_FOR_EVERY_MENTOR = {Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED, Kind.REQUEST_MATCHED}


@dataclass(frozen=True)
class Verdict:
    send: bool
    reason: str = ""


SEND = Verdict(True)


def _skip(reason: str) -> Verdict:
    return Verdict(False, reason)


def still_worth_sending(
    n: Notification,
    request: MentorshipRequest | None,
    session: MentorshipSession | None,
    now: datetime,
    policy: Policy,
) -> Verdict:
    if n.kind in _NOT_FOR_HIDDEN and (
        (request is not None and request.is_deleted) or (session is not None and session.is_deleted)
    ):
        return _skip("withdrawn or hidden")
    if n.kind in _NEEDS_OPEN_REQUEST:
        if request is None or request.status != RequestStatus.OPEN:
            return _skip("the request is no longer open")
        if request.expires_at <= now:  # not yet swept: no Claim button for it (issue 12)
            return _skip("the request has already expired")
        if n.kind in _FOR_EVERY_MENTOR and request.reserved:
            return _skip("the request is still for its chosen mentor only")
        if n.kind != Kind.EXPIRY_WARNING and dates_ended_everywhere(request, now):
            return _skip("the request's dates have passed")
        return SEND
    if n.kind == Kind.CARD_UPDATE and request is not None and request.reserved:
        # never shown to every mentor (the chosen mentor's own card is a DM): no feed card
        return _skip("the request was never open to every mentor")
    if n.kind == Kind.MENTOR_NUDGE:
        if request is None or request.status != RequestStatus.CLAIMED:
            return _skip("a time was picked or the request moved on")
        return SEND
    if n.kind in (Kind.REMINDER, Kind.OUTCOME_PROMPT):
        if session is None or session.status != SessionStatus.SCHEDULED:
            return _skip("the session is no longer scheduled")
        if n.kind == Kind.REMINDER:
            return _reminder_verdict(n, session, now, policy)
        return SEND
    if n.kind in (Kind.RATING_PROMPT, Kind.RATING_REMINDER):
        if session is None or session.status != SessionStatus.COMPLETED:
            return _skip("the session was not completed")
        if session.session_rating is not None:
            return _skip("already rated")
        return SEND
    if n.kind == Kind.MENTOR_NOTES_PROMPT and session is not None and session.mentor_notes:
        return _skip("notes already written")
    return SEND


def _reminder_verdict(
    n: Notification, session: MentorshipSession, now: datetime, policy: Policy
) -> Verdict:
    if now >= session.scheduled_at:
        return _skip("the session has already started")
    offset = timedelta(minutes=int(n.payload.get("offset_minutes", 0)))
    closer_due = [
        o for o in policy.reminder_offsets if o < offset and session.scheduled_at - o <= now
    ]
    if closer_due:
        minutes = int(min(closer_due).total_seconds() // 60)
        return _skip(f"superseded by the {minutes}-minute reminder")
    return SEND
