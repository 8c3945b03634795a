"""Plain-text views shared by the front-ends: lists of requests, sessions, mentors, limits.

Texts shown to people live here and in ``core/delivery/texts.py`` (notifications), not
in handlers; each front-end escapes them for its own markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from core.catalogue import Catalogue
from core.directed import days_left
from core.limits import UsageLine
from core.members import Member
from core.mentors import AvailabilityWindow
from core.requests import MentorshipRequest
from core.services.mentors import MentorSummary
from core.sessions import MentorshipSession
from core.stats import Stats
from core.timefmt import local_time, short_time

HELP = """Commands:
  /start [time zone]        register (e.g. /start Europe/Berlin)
  /timezone ZONE            set your time zone (any IANA name)
  /request                  ask for a mentorship session (a short form; /back, /cancel)
  /my                       your requests and sessions
  /cancel_request ID [why]  withdraw a request
  /limits                   what you can still ask for
  /mentors                  approved mentors and their ratings
  /become_mentor            apply to mentor
  /availability             your weekly windows (add Mon 18:00-20:00 | remove ID)
  /queue                    open requests (mentors)
  /claim ID, /release ID    take a request, or give it back (mentors)
  /slots ID                 times you can offer for a claimed request; reply with a number
  /reschedule SESSION       pick a new time; /cancel_session SESSION [why]
  /outcome SESSION completed|mentor_no_show|student_no_show
  /rate SESSION 1-5 [feedback]; /feedback SESSION TEXT
  /notes SESSION [MINUTES] TEXT   the real duration and private notes (mentors)
  /extend ID, /repost ID    keep an open request alive, or post an expired one again
  /admin                    pending mentors (/approve ID, /reject ID),
                            /assign REQUEST MENTOR, /stats"""


def request_line(r: MentorshipRequest, catalogue: Catalogue, names: dict[int, str]) -> str:
    found = catalogue.get(r.session_type)
    label = found.label if found else r.session_type
    who = f", mentor {names.get(r.claimed_by, '?')}" if r.claimed_by else ""
    return f"#{r.id} {r.status.value.lower()}: {r.title} ({label}, {r.duration_minutes} min{who})"


def session_line(s: MentorshipSession, zone: str, names: dict[int, str], me: int) -> str:
    other = s.student_id if s.mentor_id == me else s.mentor_id
    role = "mentoring" if s.mentor_id == me else "with"
    rating = f", rated {s.session_rating}/5" if s.session_rating else ""
    return (
        f"session {s.id} {s.status.value.lower()}: {local_time(s.scheduled_at, zone)}, "
        f"{role} {names.get(other, '?')}{rating}\n    {s.meeting_link}"
    )


def queue_line(
    r: MentorshipRequest, catalogue: Catalogue, names: dict[int, str], left: int | None = None
) -> str:
    """One request of a mentor's queue; ``left``: whole days left after the student's
    today, when known (one day or less is marked: claim it now or it will expire)."""
    found = catalogue.get(r.session_type)
    tags = f" [{', '.join(r.tags)}]" if r.tags else ""
    return (
        f"#{r.id} {r.title} ({found.label if found else r.session_type}, "
        f"{r.duration_minutes} min, {r.urgency.value}){tags} from {names.get(r.student_id, '?')}"
        f", available {r.available_from} to {r.available_until}{_time_left(left)}"
    )


def _time_left(left: int | None) -> str:
    if left is None or left > 1:
        return ""
    return " (last day!)" if left <= 0 else " (1 day left)"


def days_left_of(
    requests: Sequence[MentorshipRequest], members: Mapping[int, Member], now: datetime
) -> dict[int, int]:
    """Days left for each request, counted in its student's zone (where the dates are)."""
    zones = {i: m.timezone for i, m in members.items()}
    return {r.id: days_left(r, zones.get(r.student_id, "UTC"), now) for r in requests}


def limits_text(lines: Sequence[UsageLine]) -> str:
    return "Your limits:\n" + "\n".join(f"  {line.describe()}" for line in lines)


def mentors_text(mentors: Sequence[MentorSummary]) -> str:
    if not mentors:
        return "No approved mentors yet."
    rows = []
    for m in mentors:
        rating = f"{m.average_rating:.1f}/5 ({m.ratings})" if m.average_rating else "no ratings yet"
        tags = ", ".join(m.profile.expertise_tags)
        rows.append(
            f"  {m.member_id}: {m.name}, {m.profile.domain}, {m.profile.years_experience} y, "
            f"{rating}; {tags} ({m.timezone})"
        )
    return "Mentors:\n" + "\n".join(rows)


def slots_text(slots: Sequence[datetime], zone: str) -> str:
    return "\n".join(f"  {i}. {short_time(s, zone)}" for i, s in enumerate(slots, 1))


def windows_text(windows: Sequence[AvailabilityWindow], zone: str) -> str:
    if not windows:
        return f"No availability yet. Times are in {zone}."
    return f"Your weekly availability ({zone}):\n" + "\n".join(
        f"  {w.id}: {w.describe()}" for w in windows
    )


def stats_text(stats: Stats) -> str:
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0%}"

    wait = stats.median_time_to_claim
    lines = [
        "Requests by status: "
        + (
            ", ".join(f"{k.lower()} {v}" for k, v in sorted(stats.requests_by_status.items()))
            or "none"
        ),
        "Requests by type: "
        + (", ".join(f"{k} {v}" for k, v in sorted(stats.requests_by_type.items())) or "none"),
        f"Claim rate: {pct(stats.claim_rate)}; median time to claim: "
        + (f"{wait.total_seconds() / 3600:.1f} h" if wait is not None else "n/a"),
        f"Completion rate: {pct(stats.completion_rate)}; no-show rate: {pct(stats.no_show_rate)}",
        "Average rating: "
        + (f"{stats.average_rating:.2f}/5 from {stats.ratings}" if stats.average_rating else "n/a"),
        f"Withdrawn or hidden (not counted above): {stats.hidden_requests} request(s), "
        f"{stats.hidden_sessions} session(s)",
        "Disputed no-shows: "
        + (", ".join(f"session {i}" for i in stats.disputed_sessions) or "none"),
    ]
    return "\n".join(lines)
