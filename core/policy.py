"""The operator's knobs, as one immutable object handed to every service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    expiry_after: timedelta = timedelta(days=7)
    expiry_warning_before: timedelta = timedelta(hours=48)
    extension: timedelta = timedelta(days=7)
    horizon_days: int = 60
    max_active_requests: int = 5
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    min_notice: timedelta = timedelta(hours=2)
    slot_step: timedelta = timedelta(minutes=30)
    max_slots_offered: int = 200
    reannounce_high_every: timedelta = timedelta(hours=12)
    reannounce_normal_after: timedelta = timedelta(hours=48)
    nudge_unscheduled_after: timedelta = timedelta(hours=24)
    # a request addressed to one mentor is theirs alone to claim for this long
    directed_exclusive_for: timedelta = timedelta(hours=48)
    release_unscheduled_after: timedelta = timedelta(hours=72)
    rating_reminder_after: timedelta = timedelta(hours=24)
    meeting_link_template: str = "https://meet.jit.si/mentorbot-{token}"
    # a new request is also sent by DM to each approved mentor whose tags it shares: a
    # card in a busy group scrolls away, a personal one reaches the mentor who knows it
    dm_matching_mentors: bool = True
    # text limits (characters): chosen so a whole request fits in one Telegram message
    title_max: int = 200
    description_max: int = 3000
    reason_max: int = 500
    feedback_max: int = 2000
    notes_max: int = 4000
    bio_max: int = 2000
    domain_max: int = 100
    display_name_max: int = 100
    max_tags: int = 10
    tag_max: int = 30
