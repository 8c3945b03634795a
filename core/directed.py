"""Who may claim a request now, and whether its dates still leave anything to book.

Two rules the claim, the queue, the announcements and the sweeps all share:

- a request addressed to one mentor is theirs alone until ``exclusive_until``; after
  that (or once they decline) it opens to every mentor only if the student agreed;
- a request whose last available day has ended (in the student's own zone, where the
  dates were given) can never be booked, so it is never claimable nor announced.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.lifecycle import RequestStatus
from core.requests import MentorshipRequest
from core.timefmt import zone_or_utc

RESERVED = "This request was addressed to another mentor: only they can claim it for now."
RESERVED_CLOSED = (
    "This request was addressed to another mentor: only they can claim it. The student "
    "chose not to open it to other mentors."
)


def stale_message(request: MentorshipRequest) -> str:
    return (
        f"Request #{request.id} was for {request.available_from} to "
        f"{request.available_until}, and those days have passed: it can no longer be "
        "claimed. The student can post it again with new dates."
    )


def student_today(zone: str, now: datetime) -> date:
    return now.astimezone(zone_or_utc(zone)).date()  # an unknown stored zone: UTC


def dates_ended(request: MentorshipRequest, student_zone: str, now: datetime) -> bool:
    """The last available day is over where the student lives."""
    return request.available_until < student_today(student_zone, now)


def dates_ended_everywhere(request: MentorshipRequest, now: datetime) -> bool:
    """The last day is over even in the latest zone on Earth (UTC-12): for checks made
    without the student's zone, so that they never drop a request still bookable."""
    return request.available_until < (now - timedelta(hours=12)).date()


def days_left(request: MentorshipRequest, student_zone: str, now: datetime) -> int:
    """Whole days after today still in the range (0: today is the last day)."""
    return (request.available_until - student_today(student_zone, now)).days


def claim_refusal(
    request: MentorshipRequest, mentor_id: int, student_zone: str, now: datetime
) -> str | None:
    """Why ``mentor_id`` may not claim this open request now, or None if they may."""
    if request.status == RequestStatus.OPEN and dates_ended(request, student_zone, now):
        return stale_message(request)
    if not request.reserved or mentor_id == request.preferred_mentor_id:
        return None
    if not request.open_to_others:
        return RESERVED_CLOSED
    assert request.exclusive_until is not None
    if request.exclusive_until <= now:
        return None  # its time is up and the student agreed: the sweep is about to open it
    return RESERVED


def reservation_over(request: MentorshipRequest, now: datetime) -> dict[str, datetime]:
    """The change that ends the chosen mentor's time at once, for a request given back to
    the queue before it was ever open to every mentor: the sweep then opens it (if the
    student agreed) or closes it, as if the chosen mentor had let the time run out."""
    if not request.reserved or request.exclusive_until is None:
        return {}
    return {"exclusive_until": min(request.exclusive_until, now)}


def visible_in_queue(request: MentorshipRequest, mentor_id: int) -> bool:
    """A reserved request is in its chosen mentor's queue only."""
    return not request.reserved or request.preferred_mentor_id == mentor_id
