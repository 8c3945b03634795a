"""Requests that mean what they say, on SQLite and PostgreSQL.

A request addressed to one mentor is theirs alone for a while (Carol cannot take a
request meant for Frank); after that, or once Frank declines, it opens to every mentor
only if the student agreed, and the student is told either way. A request whose days have
passed expires with the offer to post it again, is never claimable and never announced
as new; a re-announcement says how long it has been waiting.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.catalogue import Catalogue
from core.clock import MovableClock
from core.delivery.texts import Facts, render
from core.errors import InvalidTransition, NotAllowed
from core.events import EntityKind
from core.lifecycle import RequestStatus
from core.notifications import Audience, Kind, Notification
from core.requests import MentorshipRequest
from core.services.claims import (
    assign_mentor,
    claim_request,
    open_requests_for_mentor,
    release_request,
)
from core.services.context import ServiceContext
from core.services.directed import decline_request, decline_would_act
from core.services.requests import repost_request, submit_request
from core.services.sweeps import reannounce_unclaimed, run_sweeps
from tests.integration.helpers import (
    START,
    add_admin,
    add_mentor,
    add_student,
    local_date,
    make_context,
    valid_draft,
)

HOURS_48 = timedelta(hours=48)


@pytest.fixture
def world(database_url):
    clock = MovableClock(START)
    ctx = make_context(database_url, clock)
    admin = add_admin(ctx)
    people = {
        "admin": admin,
        "sam": add_student(ctx, "Sam", "America/Los_Angeles"),
        "frank": add_mentor(ctx, admin, "Frank"),
        "carol": add_mentor(ctx, admin, "Carol"),
    }
    return ctx, clock, people


def _submit(ctx: ServiceContext, student: int, **changes) -> MentorshipRequest:
    today = local_date(ctx.now(), "America/Los_Angeles")
    return submit_request(ctx, student, valid_draft(today, **changes))


def _told(ctx: ServiceContext, request_id: int) -> list[Notification]:
    with ctx.uow_factory() as uow:
        return [n for n in uow.notifications.pending() if n.request_id == request_id]


def _text(ctx: ServiceContext, n: Notification) -> str:
    with ctx.uow_factory() as uow:
        assert n.request_id is not None
        request = uow.requests.get(n.request_id)
        recipient = uow.members.get(n.recipient_id) if n.recipient_id else None
        names = {m.id: m.display_name for m in uow.members.get_many(range(1, 50)).values()}
    facts = Facts(n, recipient, Catalogue.load(), request, None, names)
    message = render(facts)
    return message.text + "".join(f" [{a.label}]" for a in message.actions)


def _kinds_to(ctx: ServiceContext, request_id: int, recipient: int | None) -> list[Kind]:
    return [n.kind for n in _told(ctx, request_id) if n.recipient_id == recipient]


def _events(ctx: ServiceContext, request_id: int):
    with ctx.uow_factory() as uow:
        return uow.events.for_entity(EntityKind.REQUEST, request_id)


# ------------------------------------------------------------------ directed requests


def test_only_the_chosen_mentor_can_claim_and_only_they_are_told(world):
    ctx, _, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=True)

    assert request.reserved
    feed = [n for n in _told(ctx, request.id) if n.audience == Audience.MENTORS]
    assert [n.kind for n in feed] == []  # no card in the group/channel yet
    assert Kind.REQUEST_FOR_YOU in _kinds_to(ctx, request.id, p["frank"])
    assert _kinds_to(ctx, request.id, p["carol"]) == []  # shares the tags, but not hers
    assert request.id not in [r.id for r in open_requests_for_mentor(ctx, p["carol"])]
    assert request.id in [r.id for r in open_requests_for_mentor(ctx, p["frank"])]

    with pytest.raises(NotAllowed) as refused:
        claim_request(ctx, p["carol"], request.id)
    assert refused.value.user_message == (
        "This request was addressed to another mentor: only they can claim it for now."
    )
    claimed = claim_request(ctx, p["frank"], request.id)
    assert (claimed.status, claimed.claimed_by) == (RequestStatus.CLAIMED, p["frank"])


def test_the_chosen_mentor_card_says_until_when_and_offers_decline(world):
    ctx, _, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"])
    card = next(n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_FOR_YOU)
    text = _text(ctx, card)
    assert "Only you can claim it until Wed 4 Mar 2026, 09:00 (Europe/Berlin)" in text
    assert text.endswith("[Claim] [Decline]")


def test_after_the_time_is_up_it_opens_to_all_if_the_student_agreed(world):
    ctx, clock, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=True)
    clock.advance(HOURS_48 - timedelta(minutes=1))
    assert run_sweeps(ctx).reservations_ended == []
    clock.advance(timedelta(minutes=1))

    assert run_sweeps(ctx).reservations_ended == [request.id]
    assert run_sweeps(ctx).reservations_ended == []  # once

    student_news = [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_OPENED]
    assert [n.recipient_id for n in student_news] == [p["sam"]]
    assert _text(ctx, student_news[0]) == (
        'Frank has not taken "Help me prepare my next career step" in time, so as you '
        "agreed it is now open to every mentor."
    )
    posted = [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_POSTED]
    assert len(posted) == 1
    assert _text(ctx, posted[0]).startswith("Still looking for a mentor (posted 2 days ago)")
    assert Kind.REQUEST_MATCHED in _kinds_to(ctx, request.id, p["carol"])
    assert claim_request(ctx, p["carol"], request.id).claimed_by == p["carol"]


def test_after_the_time_is_up_it_closes_if_the_student_did_not_agree(world):
    ctx, clock, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=False)
    clock.advance(HOURS_48)
    run_sweeps(ctx)

    with ctx.uow_factory() as uow:
        closed = uow.requests.get(request.id)
    assert closed is not None and closed.status == RequestStatus.EXPIRED
    expired = [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_EXPIRED]
    assert [n.recipient_id for n in expired] == [p["sam"]]
    assert _text(ctx, expired[0]) == (
        'Frank has not taken "Help me prepare my next career step" in time, and you asked '
        "for no other mentor, so it is closed. It no longer counts towards your limits. "
        "Post it again with one tap: [Post it again]"
    )
    assert not [
        n
        for n in _told(ctx, request.id)
        if n.audience == Audience.MENTORS and (n.kind == Kind.REQUEST_POSTED)
    ]
    with pytest.raises(InvalidTransition):
        claim_request(ctx, p["carol"], request.id)
    again = repost_request(ctx, p["sam"], request.id)
    assert again.status == RequestStatus.OPEN and again.reserved


def test_a_claim_when_the_sweep_is_late_follows_what_the_student_said(world):
    ctx, clock, p = world
    agreed = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=True)
    refused = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=False)
    clock.advance(HOURS_48 + timedelta(minutes=5))  # no sweep has run yet
    assert claim_request(ctx, p["carol"], agreed.id).claimed_by == p["carol"]
    with pytest.raises(NotAllowed, match="chose not to open it"):
        claim_request(ctx, p["carol"], refused.id)


def test_the_chosen_mentor_declines_with_a_reason_and_it_opens_at_once(world):
    ctx, _, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=True)
    with pytest.raises(NotAllowed, match="Only the mentor this request was addressed to"):
        decline_would_act(ctx, p["carol"], request.id)
    assert decline_would_act(ctx, p["frank"], request.id)

    opened = decline_request(ctx, p["frank"], request.id, "I am travelling that week")

    assert (opened.status, opened.reserved) == (RequestStatus.OPEN, False)
    last = _events(ctx, request.id)[-1]
    assert (last.from_status, last.to_status, last.actor_id) == ("OPEN", "OPEN", p["frank"])
    assert last.reason == "declined: I am travelling that week"
    told = next(n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_DECLINED)
    assert told.recipient_id == p["sam"]
    assert _text(ctx, told) == (
        'Frank cannot take "Help me prepare my next career step". Reason: I am travelling '
        "that week. As you agreed, it is now open to every mentor."
    )
    feed = [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_POSTED]
    assert len(feed) == 1
    assert Kind.REQUEST_MATCHED not in _kinds_to(ctx, request.id, p["frank"])
    assert claim_request(ctx, p["carol"], request.id).claimed_by == p["carol"]
    with pytest.raises(InvalidTransition):
        decline_request(ctx, p["frank"], request.id, "again")


def test_a_decline_closes_the_request_when_the_student_did_not_agree(world):
    ctx, _, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"])
    closed = decline_request(ctx, p["frank"], request.id, None)
    assert closed.status == RequestStatus.EXPIRED and not closed.counts_towards_limit
    told = next(n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_DECLINED)
    assert _text(ctx, told) == (
        'Frank cannot take "Help me prepare my next career step". You asked for no other '
        "mentor, so it is closed and no longer counts towards your limits. Post it again "
        "with one tap: [Post it again]"
    )
    assert _events(ctx, request.id)[-1].reason == "declined by the chosen mentor"
    assert not [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_POSTED]


def test_a_request_for_nobody_in_particular_is_open_to_all_at_once(world):
    ctx, _, p = world
    request = _submit(ctx, p["sam"], open_to_others=True)  # the answer means nothing here
    assert not request.reserved and not request.open_to_others
    with pytest.raises(NotAllowed):
        decline_request(ctx, p["frank"], request.id, None)
    assert claim_request(ctx, p["carol"], request.id).claimed_by == p["carol"]


def test_an_admin_may_still_assign_a_request_to_another_mentor(world):
    ctx, _, p = world
    request = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"])
    assert assign_mentor(ctx, p["admin"], request.id, p["carol"]).claimed_by == p["carol"]


# ------------------------------------------------------------------ stale requests


def test_a_request_whose_days_have_passed_cannot_be_claimed_and_expires(world):
    ctx, clock, p = world
    request = _submit(ctx, p["sam"], days=1)  # today and tomorrow in Los Angeles
    # 4 March 07:59 UTC is still 3 March in Los Angeles: the last day is not over
    clock.set(START + timedelta(days=2, minutes=-1))
    assert run_sweeps(ctx).dates_passed == []
    clock.set(START + timedelta(days=2))  # midnight in Los Angeles: 3 March is over
    with pytest.raises(NotAllowed) as refused:
        claim_request(ctx, p["carol"], request.id)
    assert refused.value.user_message == (
        f"Request #{request.id} was for 2026-03-02 to 2026-03-03, and those days have "
        "passed: it can no longer be claimed. The student can post it again with new dates."
    )
    with pytest.raises(NotAllowed, match="those days have passed"):
        assign_mentor(ctx, p["admin"], request.id, p["carol"])
    assert request.id not in [r.id for r in open_requests_for_mentor(ctx, p["carol"])]

    assert run_sweeps(ctx).dates_passed == [request.id]
    assert run_sweeps(ctx).dates_passed == []
    expired = [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_EXPIRED]
    assert [n.recipient_id for n in expired] == [p["sam"]]
    assert _text(ctx, expired[0]) == (
        'The days you gave for "Help me prepare my next career step" (2026-03-02 to '
        "2026-03-03) have passed, so it has expired. It no longer counts towards your "
        "limits. Post it again with new dates: [Post it again]"
    )
    assert _events(ctx, request.id)[-1].reason == "its dates have passed"
    again = repost_request(ctx, p["sam"], request.id)
    assert again.available_from == local_date(ctx.now(), "America/Los_Angeles")


def test_a_claim_judges_the_last_day_in_the_students_zone_not_utc(world):
    """The claim reads the student's zone with its own conditional write: at 07:59 UTC
    on 4 March it is still 3 March in Los Angeles, so Carol may claim; read as UTC, the
    days would already be over and she would be refused."""
    ctx, clock, p = world
    request = _submit(ctx, p["sam"], days=1)
    clock.set(START + timedelta(days=2, minutes=-1))
    claimed = claim_request(ctx, p["carol"], request.id)
    assert (claimed.status, claimed.claimed_by) == (RequestStatus.CLAIMED, p["carol"])


def test_a_stale_request_is_never_announced_again(world):
    ctx, clock, p = world
    request = _submit(ctx, p["sam"], days=1, urgency="high")
    clock.set(START + timedelta(days=2, hours=9))
    assert request.id not in reannounce_unclaimed(ctx)  # even before the stale sweep


def test_a_reannouncement_says_how_long_the_request_has_waited(world):
    ctx, clock, p = world
    request = _submit(ctx, p["sam"], days=10)
    clock.advance(timedelta(hours=49))
    assert reannounce_unclaimed(ctx) == [request.id]
    posted = [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_REANNOUNCED]
    text = _text(ctx, posted[0])
    assert text.startswith("Still looking for a mentor (posted 2 days ago)\n")
    assert "New mentorship request" not in text
    first = next(n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_POSTED)
    assert _text(ctx, first).startswith("New mentorship request\n")


def test_given_back_before_it_was_ever_open_to_all_the_students_answer_decides(world):
    ctx, _, p = world
    agreed = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"], open_to_others=True)
    refused = _submit(ctx, p["sam"], preferred_mentor_id=p["frank"])
    for request in (agreed, refused):
        claim_request(ctx, p["frank"], request.id)
        release_request(ctx, p["frank"], request.id, "something came up")
        # back, but not in front of every mentor: Frank's time is simply over
        assert not [n for n in _told(ctx, request.id) if n.kind == Kind.REQUEST_POSTED]

    assert sorted(run_sweeps(ctx).reservations_ended) == [agreed.id, refused.id]
    with ctx.uow_factory() as uow:
        now_agreed, now_refused = uow.requests.get(agreed.id), uow.requests.get(refused.id)
    assert now_agreed is not None and now_refused is not None
    assert (now_agreed.status, now_agreed.reserved) == (RequestStatus.OPEN, False)
    assert (now_refused.status, now_refused.reserved) == (RequestStatus.EXPIRED, True)
    assert len([n for n in _told(ctx, agreed.id) if n.kind == Kind.REQUEST_POSTED]) == 1
    # the feed never shows a card for the request that was never open to every mentor
    assert not [
        n
        for n in _told(ctx, refused.id)
        if n.audience == Audience.MENTORS and n.kind != Kind.CARD_UPDATE
    ]
