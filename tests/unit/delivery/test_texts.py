"""``core.delivery.texts``: every kind renders, in the reader's zone, with working buttons.

The session is on Monday 9 March 2026 at 17:00 UTC: 13:00 for Sam in New York, 18:00 for
Mia in Berlin, 02:00 the next day for Ada in Tokyo; a feed (no recipient) shows UTC.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from core.catalogue import Catalogue
from core.delivery.messages import ActionName, Message
from core.delivery.texts import RENDERERS, Facts, render
from core.lifecycle import RequestStatus, SessionStatus
from core.notifications import Audience, Kind
from tests.unit.delivery.builders import (
    ADMIN,
    LINK,
    MENTOR,
    MENTOR_ID,
    NAMES,
    NOW,
    REQUEST_ID,
    SESSION_ID,
    START,
    STUDENT,
    STUDENT_ID,
    a_notification,
    a_request,
    a_session,
)

CATALOGUE = Catalogue.load()
RID, SID = str(REQUEST_ID), str(SESSION_ID)

PAYLOADS = {
    Kind.REMINDER: {"offset_minutes": 60},
    Kind.NO_SHOW_RECORDED: {"no_show_by": "mentor"},
    Kind.MENTOR_APPLIED: {"mentor_id": MENTOR_ID},
    Kind.REQUEST_MATCHED: {"tags": ["python"]},
    Kind.REQUEST_CANCELLED: {"by": STUDENT_ID},
    Kind.SESSION_CANCELLED: {"by": MENTOR_ID},
    Kind.DELIVERY_FAILED: {
        "failed_kind": "reminder",
        "recipient": "Sam",
        "attempts": 6,
        "error": "HTTP 502",
    },
    Kind.DELIVERY_BROKEN: {
        "count": 2,
        "attempts": 6,
        "rows": [{"id": 7, "kind": "reminder", "error": "could not be prepared: KeyError"}],
    },
    Kind.FEED_PROBLEM: {"platform": "slack", "chat": "C0MENTORS", "reason": "not_in_channel"},
}
REQUEST_STATE = {
    Kind.REQUEST_POSTED: RequestStatus.OPEN,
    Kind.REQUEST_REANNOUNCED: RequestStatus.OPEN,
    Kind.REQUEST_FOR_YOU: RequestStatus.OPEN,
    Kind.REQUEST_MATCHED: RequestStatus.OPEN,
    Kind.EXPIRY_WARNING: RequestStatus.OPEN,
    Kind.REQUEST_CLAIMED: RequestStatus.CLAIMED,
    Kind.REQUEST_ASSIGNED: RequestStatus.CLAIMED,
    Kind.MENTOR_NUDGE: RequestStatus.CLAIMED,
    Kind.REQUEST_RELEASED: RequestStatus.OPEN,
    Kind.REQUEST_CANCELLED: RequestStatus.CANCELLED,
    Kind.SESSION_CANCELLED: RequestStatus.CANCELLED,
    Kind.REQUEST_EXPIRED: RequestStatus.EXPIRED,
    Kind.NO_SHOW_RECORDED: RequestStatus.NO_SHOW,
}
SESSION_STATE = {
    Kind.RATING_PROMPT: SessionStatus.COMPLETED,
    Kind.RATING_REMINDER: SessionStatus.COMPLETED,
    Kind.MENTOR_NOTES_PROMPT: SessionStatus.COMPLETED,
    Kind.NO_SHOW_RECORDED: SessionStatus.NO_SHOW,
    Kind.SESSION_CANCELLED: SessionStatus.CANCELLED,
}


def facts(kind, recipient=STUDENT, *, audience=Audience.MEMBER, request=None, **payload):
    n = a_notification(
        kind,
        audience=audience,
        recipient_id=recipient.id if recipient else None,
        **{**PAYLOADS.get(kind, {}), **payload},
    )
    if request is None:
        request = a_request(REQUEST_STATE.get(kind, RequestStatus.SCHEDULED))
    session = a_session(SESSION_STATE.get(kind, SessionStatus.SCHEDULED))
    return Facts(n, recipient, CATALOGUE, request, session, dict(NAMES))


def actions_by_name(message: Message) -> dict[ActionName, list[tuple[str, ...]]]:
    found: dict[ActionName, list[tuple[str, ...]]] = {}
    for action in message.actions:
        found.setdefault(action.name, []).append(action.args)
    return found


# ------------------------------------------------------------------ every kind renders


def test_every_kind_has_a_renderer():
    assert set(RENDERERS) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("recipient", [STUDENT, MENTOR, ADMIN, None], ids=["s", "m", "a", "feed"])
def test_every_kind_renders_for_every_kind_of_reader(kind, recipient):
    audience = Audience.MEMBER if recipient else Audience.MENTORS
    message = render(facts(kind, recipient, audience=audience))
    assert isinstance(message, Message)
    assert message.text.strip()
    assert "None" not in message.text
    for action in message.actions:
        assert action.label
        assert all(isinstance(arg, str) and arg for arg in action.args)


@pytest.mark.parametrize("status", list(RequestStatus))
def test_the_feed_card_renders_for_every_request_status(status):
    message = render(facts(Kind.CARD_UPDATE, None, request=a_request(status)))
    assert f"#{REQUEST_ID} Mock interview" in message.text
    assert "Status: " in message.text
    claim = [a for a in message.actions if a.name == ActionName.CLAIM]
    assert bool(claim) == (status == RequestStatus.OPEN)
    if status == RequestStatus.CLAIMED:
        assert "claimed by Mia" in message.text


def test_the_request_card_shows_what_mentors_need():
    text = render(facts(Kind.REQUEST_POSTED, None, audience=Audience.MENTORS)).text
    for part in (
        f"#{REQUEST_ID}",
        "Mock interview",
        "60 min",
        "high urgency",
        "Mock interview for a backend role",
        "Domain: backend",
        "Target role: Senior engineer",
        "Student: Sam",
        "2026-03-03 to 2026-03-13",
        "python, interviews",
    ):
        assert part in text


@pytest.mark.parametrize(
    "minutes,words", [(1440, "24 hours"), (60, "1 hour"), (15, "15 minutes"), (90, "90 minutes")]
)
def test_reminders_say_how_long_until_the_start(minutes, words):
    text = render(facts(Kind.REMINDER, offset_minutes=minutes)).text
    assert f"starts in {words}," in text
    assert LINK in text


def test_the_dead_letter_notice_names_what_failed():
    text = render(facts(Kind.DELIVERY_FAILED, ADMIN)).text
    assert text == (
        "A message could not be delivered after 6 attempts: reminder to Sam (HTTP 502)."
    )


# ------------------------------------------------------------------ times in the reader's zone

SESSION_KINDS = [
    Kind.SESSION_SCHEDULED,
    Kind.SESSION_RESCHEDULED,
    Kind.REMINDER,
    Kind.OUTCOME_PROMPT,
]


@pytest.mark.parametrize("kind", SESSION_KINDS)
@pytest.mark.parametrize(
    "recipient,shown",
    [
        (STUDENT, "Mon 9 Mar 2026, 13:00 (America/New_York)"),
        (MENTOR, "Mon 9 Mar 2026, 18:00 (Europe/Berlin)"),
        (ADMIN, "Tue 10 Mar 2026, 02:00 (Asia/Tokyo)"),
        (None, "Mon 9 Mar 2026, 17:00 (UTC)"),
    ],
    ids=["new-york", "berlin", "tokyo", "feed"],
)
def test_session_times_are_shown_in_the_readers_zone(kind, recipient, shown):
    audience = Audience.MEMBER if recipient else Audience.MENTORS
    assert shown in render(facts(kind, recipient, audience=audience)).text


def test_a_no_show_note_uses_the_readers_zone():
    assert "13:00 (America/New_York)" in render(facts(Kind.NO_SHOW_RECORDED, STUDENT)).text
    assert "18:00 (Europe/Berlin)" in render(facts(Kind.NO_SHOW_RECORDED, MENTOR)).text


def test_the_expiry_warning_shows_the_deadline_in_the_readers_zone():
    # expires 9 March 09:00 UTC = 05:00 in New York (EDT from 8 March)
    text = render(facts(Kind.EXPIRY_WARNING, STUDENT)).text
    assert "expires on Mon 9 Mar 2026, 05:00 (America/New_York)" in text


def test_daylight_saving_time_is_respected():
    """Berlin is still on CET on 9 March: 17:00 UTC is 18:00, and 26 April would be 19:00."""
    later = facts(Kind.REMINDER, MENTOR)
    assert later.session is not None
    later.session.scheduled_at = START + timedelta(days=48)
    assert "Sun 26 Apr 2026, 19:00 (Europe/Berlin)" in render(later).text


# ------------------------------------------------------------------ the calendar invite


@pytest.mark.parametrize("kind", [Kind.SESSION_SCHEDULED, Kind.SESSION_RESCHEDULED])
@pytest.mark.parametrize("recipient", [STUDENT, MENTOR])
def test_the_invite_parses_and_has_the_sessions_start_and_end(kind, recipient):
    message = render(facts(kind, recipient))
    (attachment,) = message.attachments
    assert attachment.filename == f"mentorship-{SESSION_ID}.ics"
    assert attachment.mime_type == "text/calendar"
    calendar = Calendar.from_ical(attachment.content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == START + timedelta(hours=1)
    assert str(event["uid"]) == f"session-{SESSION_ID}@mentorbot"
    assert str(event["url"]) == LINK
    assert "Mock interview for a backend role" in str(event["summary"])
    assert str(calendar["method"]) == "REQUEST"
    assert "Mentor: Mia" in str(event["description"])
    assert "Student: Sam" in str(event["description"])


def test_only_booking_messages_carry_an_invite():
    """Booked, moved, and the cancellation (its METHOD:CANCEL: tests/unit/delivery/
    test_invite_updates.py); a cancelled request with no session has no invite."""
    with_invite = {kind for kind in Kind if render(facts(kind, STUDENT)).attachments}
    assert with_invite == {
        Kind.SESSION_SCHEDULED,
        Kind.SESSION_RESCHEDULED,
        Kind.SESSION_CANCELLED,
    }


# ------------------------------------------------------------------ buttons carry the ids


def test_claim_buttons_carry_the_request_id():
    for kind in (
        Kind.REQUEST_POSTED,
        Kind.REQUEST_REANNOUNCED,
        Kind.REQUEST_FOR_YOU,
        Kind.REQUEST_MATCHED,
    ):
        message = render(facts(kind, MENTOR))
        expected = {ActionName.CLAIM: [(RID,)]}
        if kind == Kind.REQUEST_FOR_YOU:  # the chosen mentor may also turn it down
            expected[ActionName.DECLINE] = [(RID,)]
        assert actions_by_name(message) == expected


def test_a_matching_mentor_gets_the_feed_card_and_why_it_came_to_them():
    feed = render(facts(Kind.REQUEST_POSTED, None, audience=Audience.MENTORS)).text
    dm = render(facts(Kind.REQUEST_MATCHED, MENTOR, tags=["python", "interviews"])).text
    head, card = dm.split("\n", 1)
    assert head == "New mentorship request matching your expertise (your tags: python, interviews)"
    assert card == feed.split("\n", 1)[1]  # the same card as in the mentors' group


def test_session_buttons_carry_the_session_id_and_the_join_link():
    message = render(facts(Kind.SESSION_SCHEDULED, STUDENT))
    assert actions_by_name(message) == {
        ActionName.JOIN: [(SID,)],
        ActionName.RESCHEDULE: [(SID,)],
        ActionName.CANCEL_SESSION: [(SID,)],
    }
    join = message.actions[0]
    assert join.url == LINK
    (reminder_join,) = render(facts(Kind.REMINDER, MENTOR)).actions
    assert (reminder_join.name, reminder_join.args, reminder_join.url) == (
        ActionName.JOIN,
        (SID,),
        LINK,
    )


@pytest.mark.parametrize(
    ("recipient", "outcomes", "never"),
    [
        (STUDENT, ["completed", "mentor_no_show"], "The student didn't come"),
        (MENTOR, ["completed", "student_no_show"], "The mentor didn't come"),
    ],
)
def test_each_side_is_offered_only_the_outcomes_it_may_report(recipient, outcomes, never):
    message = render(facts(Kind.OUTCOME_PROMPT, recipient))
    assert actions_by_name(message) == {
        ActionName.OUTCOME: [(SID, o) for o in outcomes],
        ActionName.RESCHEDULE: [(SID,)],
    }
    assert never not in [a.label for a in message.actions]


@pytest.mark.parametrize("kind", [Kind.RATING_PROMPT, Kind.RATING_REMINDER])
def test_rating_buttons_carry_the_session_id_and_the_stars(kind):
    message = render(facts(kind, STUDENT))
    assert actions_by_name(message) == {ActionName.RATE: [(SID, str(n)) for n in range(1, 6)]}
    assert [a.label for a in message.actions] == ["1", "2", "3", "4", "5"]
    assert ("gentle reminder" in message.text) == (kind == Kind.RATING_REMINDER)


def test_request_buttons_carry_the_request_id():
    expected = {
        Kind.EXPIRY_WARNING: {
            ActionName.EXTEND_ONCE: [(RID, str(int((NOW + timedelta(days=7)).timestamp())))],
            ActionName.EDIT: [(RID,)],
            ActionName.CANCEL_REQUEST: [(RID,)],
        },
        Kind.REQUEST_EXPIRED: {ActionName.REPOST: [(RID,)]},
        Kind.REQUEST_ASSIGNED: {ActionName.PICK_SLOT: [(RID,)]},
        Kind.MENTOR_NUDGE: {ActionName.PICK_SLOT: [(RID,)], ActionName.RELEASE: [(RID,)]},
        Kind.MENTOR_NOTES_PROMPT: {ActionName.NOTES: [(SID,)]},
        Kind.MENTOR_APPLIED: {
            ActionName.APPROVE_MENTOR: [(str(MENTOR_ID),)],
            ActionName.REJECT_MENTOR: [(str(MENTOR_ID),)],
        },
    }
    for kind, actions in expected.items():
        assert actions_by_name(render(facts(kind, STUDENT))) == actions, kind


def test_only_the_student_gets_the_repost_button_on_a_cancellation():
    student = render(facts(Kind.REQUEST_CANCELLED, STUDENT))
    assert actions_by_name(student) == {ActionName.REPOST: [(RID,)]}
    assert "cancelled by Sam. Reason: found help elsewhere." in student.text
    assert render(facts(Kind.REQUEST_CANCELLED, MENTOR)).actions == ()


def test_news_without_buttons():
    for kind in (
        Kind.REQUEST_CLAIMED,
        Kind.REQUEST_RELEASED,
        Kind.NO_SHOW_RECORDED,
        Kind.MENTOR_APPROVED,
        Kind.MENTOR_REJECTED,
        Kind.DELIVERY_FAILED,
    ):
        assert render(facts(kind, STUDENT)).actions == (), kind
