"""Usage limits: how many requests a student may hold, and what they are told."""

from __future__ import annotations

from itertools import count

import pytest

from core.catalogue import Catalogue
from core.errors import LimitReached
from core.lifecycle import RequestStatus
from core.limits import check_can_submit, usage_report
from core.policy import Policy
from core.requests import MentorshipRequest, Urgency
from tests.unit.fakes import START

CATALOGUE = Catalogue.load()
POLICY = Policy()
_ids = count(1)


def held(session_type, status=RequestStatus.OPEN, *, refunded=False):
    day = START.date()
    return MentorshipRequest(
        id=next(_ids),
        student_id=1,
        session_type=session_type,
        title="t",
        description="d",
        extra={},
        duration_minutes=30,
        urgency=Urgency.NORMAL,
        available_from=day,
        available_until=day,
        tags=[],
        preferred_mentor_id=None,
        status=status,
        expires_at=START,
        created_at=START,
        updated_at=START,
        quota_refunded=refunded,
    )


def may_submit(session_type, requests):
    check_can_submit(CATALOGUE, POLICY, session_type, requests)
    return True


def refused(session_type, requests):
    with pytest.raises(LimitReached) as caught:
        check_can_submit(CATALOGUE, POLICY, session_type, requests)
    return caught.value


@pytest.mark.parametrize("session_type", ["MOCK_INTERVIEW", "DOMAIN_COACHING", "BEHAVIORAL_PREP"])
def test_a_fourth_interview_prep_request_is_refused_whatever_the_mix(session_type):
    mix = [held("MOCK_INTERVIEW"), held("DOMAIN_COACHING"), held("BEHAVIORAL_PREP")]
    error = refused(session_type, mix)
    assert (error.limit_label, error.limit, error.counted) == ("Interview prep", 3, 3)


def test_the_limit_message_names_the_limit_the_counts_and_what_does_not_count():
    error = refused("MOCK_INTERVIEW", [held("MOCK_INTERVIEW") for _ in range(3)])
    assert error.user_message.startswith("You have reached the Interview prep limit (3 of 3 used).")
    assert "Cancelled and expired requests do not count" in error.user_message


def test_two_interview_prep_requests_leave_room_for_a_third():
    assert may_submit("MOCK_INTERVIEW", [held("MOCK_INTERVIEW"), held("BEHAVIORAL_PREP")])


def test_a_fourth_reference_request_is_refused():
    error = refused("PERSONAL_REFERENCE", [held("PERSONAL_REFERENCE") for _ in range(3)])
    assert "References limit (3 of 3 used)" in error.user_message


def test_full_interview_prep_does_not_block_other_groups():
    full = [held("MOCK_INTERVIEW") for _ in range(3)]
    assert may_submit("PERSONAL_REFERENCE", full)
    assert may_submit("career-guidance", full)


def test_finished_mentorship_requests_never_run_out():
    done = [held("career-guidance", RequestStatus.COMPLETED) for _ in range(25)]
    assert may_submit("resume-review", done)


def test_finished_interview_prep_sessions_still_count_towards_the_group():
    done = [held("MOCK_INTERVIEW", RequestStatus.COMPLETED) for _ in range(3)]
    assert refused("DOMAIN_COACHING", done).limit_label == "Interview prep"


def test_a_sixth_active_request_is_refused_even_when_unlimited():
    error = refused("career-guidance", [held("resume-review") for _ in range(5)])
    assert error.user_message.startswith(
        "You have reached the Active requests at once limit (5 of 5 used)."
    )


@pytest.mark.parametrize(
    "status", [RequestStatus.OPEN, RequestStatus.CLAIMED, RequestStatus.SCHEDULED]
)
def test_claimed_and_scheduled_requests_are_active_too(status):
    assert refused("career-guidance", [held("resume-review", status) for _ in range(5)])


def test_cancelled_expired_and_refunded_requests_do_not_count():
    gone = [
        held("MOCK_INTERVIEW", RequestStatus.CANCELLED),
        held("MOCK_INTERVIEW", RequestStatus.EXPIRED),
        held("MOCK_INTERVIEW", RequestStatus.NO_SHOW, refunded=True),
        held("MOCK_INTERVIEW", RequestStatus.CANCELLED),
    ]
    assert may_submit("MOCK_INTERVIEW", gone)
    assert all(not r.counts_towards_limit for r in gone)
    assert usage_report(CATALOGUE, POLICY, gone)[0].used == 0


def test_a_student_no_show_still_counts():
    missed = held("MOCK_INTERVIEW", RequestStatus.NO_SHOW)
    assert missed.counts_towards_limit
    assert usage_report(CATALOGUE, POLICY, [missed])[0].used == 1


def test_the_usage_report_has_a_line_per_group_and_one_for_active_requests():
    requests = [
        held("MOCK_INTERVIEW"),
        held("career-guidance", RequestStatus.CLAIMED),
        held("resume-review", RequestStatus.COMPLETED),
        held("PERSONAL_REFERENCE", RequestStatus.EXPIRED),
    ]
    lines = [line.describe() for line in usage_report(CATALOGUE, POLICY, requests)]
    assert lines == [
        "Interview prep: 1 of 3 used, 2 left",
        "References: 0 of 3 used, 3 left",
        "Mentorship: 2 used, unlimited",
        "Active requests at once: 2 of 5 used, 3 left",
    ]


def test_a_stricter_policy_lowers_the_active_cap():
    strict = Policy(max_active_requests=1)
    with pytest.raises(LimitReached, match=r"\(1 of 1 used\)"):
        check_can_submit(CATALOGUE, strict, "career-guidance", [held("resume-review")])
