"""The catch-up policy in ``core.delivery.relevance``: every rule of its docstring.

A row that falls due late is checked against the state *now*: it is sent, or skipped with
a reason a person can read. Unless a test says otherwise the session starts on Monday
9 March 2026 at 17:00 UTC and the reminders are the default 24 h and 1 h ones.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from core.delivery.relevance import still_worth_sending
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Audience, Kind
from core.policy import Policy
from tests.unit.delivery.builders import (
    NOW,
    START,
    a_notification,
    a_reminder,
    a_request,
    a_session,
)

POLICY = Policy()
HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)
R, S = RequestStatus, SessionStatus


def verdict(n, request=None, session=None, now=NOW, policy=POLICY):
    return still_worth_sending(n, request, session, now, policy)


# ------------------------------------------------ announcements, "for you", expiry warnings

REQUEST_NEWS = [
    Kind.REQUEST_POSTED,
    Kind.REQUEST_REANNOUNCED,
    Kind.REQUEST_FOR_YOU,
    Kind.REQUEST_MATCHED,  # the card by DM to a mentor whose tags match
]


@pytest.mark.parametrize("kind", [*REQUEST_NEWS, Kind.EXPIRY_WARNING])
def test_request_offers_are_sent_while_the_request_is_open(kind):
    assert verdict(a_notification(kind, audience=Audience.MENTORS), a_request(R.OPEN)).send


@pytest.mark.parametrize("kind", [*REQUEST_NEWS, Kind.EXPIRY_WARNING])
@pytest.mark.parametrize("status", [s for s in RequestStatus if s != R.OPEN])
def test_request_offers_are_skipped_once_the_request_moved_on(kind, status):
    v = verdict(a_notification(kind, audience=Audience.MENTORS), a_request(status))
    assert not v.send
    assert v.reason == "the request is no longer open"


@pytest.mark.parametrize("kind", [*REQUEST_NEWS, Kind.EXPIRY_WARNING])
def test_request_offers_about_a_missing_request_are_skipped(kind):
    v = verdict(a_notification(kind), None)
    assert (v.send, v.reason) == (False, "the request is no longer open")


def test_expiry_warning_is_skipped_when_the_request_has_already_expired():
    # the expiry sweep has not run yet (still OPEN), but the deadline is behind us
    request = a_request(R.OPEN, expires_at=NOW)
    v = verdict(a_notification(Kind.EXPIRY_WARNING), request)
    assert (v.send, v.reason) == (False, "the request has already expired")
    assert verdict(a_notification(Kind.EXPIRY_WARNING), request, now=NOW - HOUR).send


def test_no_announcement_for_a_request_past_its_expiry_not_yet_swept():
    # issue 12: after downtime such requests went out with a Claim button
    request = a_request(R.OPEN, expires_at=NOW - HOUR)
    for kind in (Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED, Kind.REQUEST_MATCHED):
        assert not verdict(a_notification(kind), request).send
    assert verdict(a_notification(Kind.REQUEST_POSTED), a_request(R.OPEN)).send


# ------------------------------------------------ the mentor's "pick a time" nudge


def test_nudge_is_sent_while_the_request_is_claimed_without_a_time():
    assert verdict(a_notification(Kind.MENTOR_NUDGE), a_request(R.CLAIMED)).send


@pytest.mark.parametrize("status", [s for s in RequestStatus if s != R.CLAIMED])
def test_nudge_is_skipped_once_a_time_was_picked_or_the_request_moved_on(status):
    v = verdict(a_notification(Kind.MENTOR_NUDGE), a_request(status))
    assert (v.send, v.reason) == (False, "a time was picked or the request moved on")


def test_nudge_about_a_missing_request_is_skipped():
    assert not verdict(a_notification(Kind.MENTOR_NUDGE), None).send


# ------------------------------------------------ reminders


def test_reminders_are_sent_on_time():
    session = a_session()
    assert verdict(a_reminder(DAY), session=session, now=START - DAY).send
    assert verdict(a_reminder(HOUR), session=session, now=START - HOUR).send


def test_a_late_24h_reminder_is_still_sent_while_the_1h_one_is_not_due():
    session = a_session()
    assert verdict(a_reminder(DAY), session=session, now=START - 2 * HOUR).send


def test_a_24h_reminder_found_10_minutes_before_the_start_gives_way_to_the_1h_one():
    session = a_session()
    now = START - timedelta(minutes=10)
    v = verdict(a_reminder(DAY), session=session, now=now)
    assert (v.send, v.reason) == (False, "superseded by the 60-minute reminder")
    assert verdict(a_reminder(HOUR), session=session, now=now).send


def test_the_24h_reminder_gives_way_exactly_when_the_1h_one_falls_due():
    session = a_session()
    assert verdict(a_reminder(DAY), session=session, now=START - HOUR - timedelta(seconds=1)).send
    assert not verdict(a_reminder(DAY), session=session, now=START - HOUR).send


def test_the_closest_due_reminder_wins_with_configured_offsets():
    policy = Policy(reminder_offsets=(DAY, HOUR, timedelta(minutes=15)))
    session = a_session()
    half_hour_before = START - timedelta(minutes=30)
    v = verdict(a_reminder(DAY), session=session, now=half_hour_before, policy=policy)
    assert v.reason == "superseded by the 60-minute reminder"
    assert verdict(a_reminder(HOUR), session=session, now=half_hour_before, policy=policy).send
    five_before = START - timedelta(minutes=5)
    for offset in (DAY, HOUR):
        v = verdict(a_reminder(offset), session=session, now=five_before, policy=policy)
        assert v.reason == "superseded by the 15-minute reminder"
    reminder = a_reminder(timedelta(minutes=15))
    assert verdict(reminder, session=session, now=five_before, policy=policy).send


@pytest.mark.parametrize("offset", [DAY, HOUR])
@pytest.mark.parametrize("late", [timedelta(0), timedelta(minutes=1), timedelta(days=3)])
def test_reminders_after_the_start_are_skipped(offset, late):
    v = verdict(a_reminder(offset), session=a_session(), now=START + late)
    assert (v.send, v.reason) == (False, "the session has already started")


@pytest.mark.parametrize("status", [S.COMPLETED, S.NO_SHOW, S.CANCELLED])
def test_reminders_for_a_session_that_is_no_longer_scheduled_are_skipped(status):
    v = verdict(a_reminder(HOUR), session=a_session(status), now=START - 2 * HOUR)
    assert (v.send, v.reason) == (False, "the session is no longer scheduled")


def test_reminder_for_a_missing_session_is_skipped():
    v = verdict(a_reminder(HOUR), session=None, now=START - 2 * HOUR)
    assert (v.send, v.reason) == (False, "the session is no longer scheduled")


# ------------------------------------------------ "did it happen?"


@pytest.mark.parametrize("late", [timedelta(0), timedelta(hours=2), timedelta(days=8)])
def test_past_sessions_go_straight_to_the_outcome_question(late):
    """Whatever reminders were skipped, a scheduled session that ended gets the question."""
    session = a_session()
    assert verdict(a_notification(Kind.OUTCOME_PROMPT), session=session, now=START + late).send


@pytest.mark.parametrize("status", [S.COMPLETED, S.NO_SHOW, S.CANCELLED])
def test_outcome_question_is_skipped_once_the_session_is_settled(status):
    n = a_notification(Kind.OUTCOME_PROMPT)
    v = verdict(n, session=a_session(status), now=START + DAY)
    assert (v.send, v.reason) == (False, "the session is no longer scheduled")
    assert not verdict(n, session=None, now=START + DAY).send


# ------------------------------------------------ ratings and notes


@pytest.mark.parametrize("kind", [Kind.RATING_PROMPT, Kind.RATING_REMINDER])
def test_rating_prompts_are_sent_while_completed_and_unrated(kind):
    assert verdict(a_notification(kind), session=a_session(S.COMPLETED)).send


@pytest.mark.parametrize("kind", [Kind.RATING_PROMPT, Kind.RATING_REMINDER])
@pytest.mark.parametrize("status", [S.SCHEDULED, S.NO_SHOW, S.CANCELLED])
def test_rating_prompts_need_a_completed_session(kind, status):
    v = verdict(a_notification(kind), session=a_session(status))
    assert (v.send, v.reason) == (False, "the session was not completed")
    assert not verdict(a_notification(kind), session=None).send


@pytest.mark.parametrize("kind", [Kind.RATING_PROMPT, Kind.RATING_REMINDER])
def test_rating_prompts_are_skipped_once_rated(kind):
    v = verdict(a_notification(kind), session=a_session(S.COMPLETED, session_rating=4))
    assert (v.send, v.reason) == (False, "already rated")


def test_notes_prompt_is_sent_until_the_mentor_wrote_notes():
    n = a_notification(Kind.MENTOR_NOTES_PROMPT)
    assert verdict(n, session=a_session(S.COMPLETED)).send
    assert verdict(n, session=a_session(S.COMPLETED, mentor_notes="")).send
    v = verdict(n, session=a_session(S.COMPLETED, mentor_notes="Went well."))
    assert (v.send, v.reason) == (False, "notes already written")


# ------------------------------------------------ everything else is news

NEWS = [
    Kind.CARD_UPDATE,
    Kind.REQUEST_CLAIMED,
    Kind.REQUEST_RELEASED,
    Kind.REQUEST_ASSIGNED,
    Kind.REQUEST_CANCELLED,
    Kind.REQUEST_EXPIRED,
    Kind.REQUEST_OPENED,
    Kind.REQUEST_DECLINED,
    Kind.SESSION_SCHEDULED,
    Kind.SESSION_RESCHEDULED,
    Kind.SESSION_CANCELLED,
    Kind.NO_SHOW_RECORDED,
    Kind.OUTCOME_DISPUTED,
    Kind.DISPUTE_SETTLED,
    Kind.MENTOR_APPLIED,
    Kind.MENTOR_APPROVED,
    Kind.MENTOR_REJECTED,
    Kind.DELIVERY_FAILED,
    Kind.DELIVERY_BROKEN,
    Kind.FEED_PROBLEM,
]


def test_the_news_list_and_the_rules_cover_every_kind():
    ruled = {
        *REQUEST_NEWS,
        Kind.EXPIRY_WARNING,
        Kind.MENTOR_NUDGE,
        Kind.REMINDER,
        Kind.OUTCOME_PROMPT,
        Kind.RATING_PROMPT,
        Kind.RATING_REMINDER,
        Kind.MENTOR_NOTES_PROMPT,
    }
    assert ruled | set(NEWS) == set(Kind)
    assert not ruled & set(NEWS)


@pytest.mark.parametrize("kind", NEWS)
@pytest.mark.parametrize(
    "request_status,session_status",
    [(None, None), (R.CANCELLED, S.CANCELLED), (R.EXPIRED, None), (R.COMPLETED, S.COMPLETED)],
)
def test_news_is_always_sent_however_late(kind, request_status, session_status):
    request = a_request(request_status) if request_status else None
    session = a_session(session_status) if session_status else None
    v = verdict(a_notification(kind), request, session, now=START + timedelta(days=30))
    assert v.send and v.reason == ""


def test_nothing_offers_or_prompts_about_a_withdrawn_or_hidden_item():
    hidden_request = replace(a_request(R.OPEN), is_deleted=True)
    for kind in (Kind.REQUEST_POSTED, Kind.REQUEST_REANNOUNCED, Kind.EXPIRY_WARNING):
        v = verdict(a_notification(kind), request=hidden_request)
        assert (v.send, v.reason) == (False, "withdrawn or hidden"), kind
    hidden_session = replace(a_session(S.SCHEDULED), is_deleted=True)
    for kind in (Kind.REMINDER, Kind.OUTCOME_PROMPT):
        v = verdict(a_notification(kind), session=hidden_session)
        assert (v.send, v.reason) == (False, "withdrawn or hidden"), kind
