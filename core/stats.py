"""The admin's numbers, computed from plain lists so they are easy to test and to trust."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from core.lifecycle import RequestStatus, SessionStatus
from core.requests import MentorshipRequest
from core.sessions import MentorshipSession


@dataclass(frozen=True)
class Stats:
    requests_by_status: dict[str, int]
    requests_by_type: dict[str, int]
    claim_rate: float | None  # claimed at some point / requests that could be claimed
    median_time_to_claim: timedelta | None
    completion_rate: float | None  # completed / sessions that reached an end
    no_show_rate: float | None
    average_rating: float | None
    ratings: int
    # counted apart: withdrawn or hidden rows are in no other number above
    hidden_requests: int = 0
    hidden_sessions: int = 0
    # no-show reports the other side disputed, not yet settled (session ids, oldest first)
    disputed_sessions: tuple[int, ...] = ()


def compute_stats(
    requests: Sequence[MentorshipRequest], sessions: Sequence[MentorshipSession]
) -> Stats:
    live = [r for r in requests if not r.is_deleted]
    claimed = [r for r in live if r.claimed_at is not None]
    decided = [r for r in live if r.status != RequestStatus.OPEN]
    shown = [s for s in sessions if not s.is_deleted]
    ended = [s for s in shown if s.status in (SessionStatus.COMPLETED, SessionStatus.NO_SHOW)]
    rated = [s.session_rating for s in shown if s.session_rating is not None]
    waits = [r.claimed_at - r.created_at for r in claimed if r.claimed_at is not None]
    return Stats(
        requests_by_status=dict(Counter(r.status.value for r in live)),
        requests_by_type=dict(Counter(r.session_type for r in live)),
        claim_rate=_ratio(len(claimed), len(decided)),
        median_time_to_claim=_median(waits),
        completion_rate=_ratio(
            sum(1 for s in ended if s.status == SessionStatus.COMPLETED), len(ended)
        ),
        no_show_rate=_ratio(sum(1 for s in ended if s.status == SessionStatus.NO_SHOW), len(ended)),
        average_rating=sum(rated) / len(rated) if rated else None,
        ratings=len(rated),
        hidden_requests=len(requests) - len(live),
        hidden_sessions=len(sessions) - len(shown),
        disputed_sessions=tuple(s.id for s in shown if s.is_disputed),
    )


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=median(v.total_seconds() for v in values))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
