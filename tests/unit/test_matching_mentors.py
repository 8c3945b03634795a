"""A new request, by DM, to the mentors whose tags it shares: who is told, when, and when not.

The mentors' group (Audience.MENTORS) keeps its one card per announcement; on top of it
each approved mentor whose expertise tags meet the request's tags gets a personal copy
(Kind.REQUEST_MATCHED) with the same Claim button. The clock and people are those of
``tests/unit/test_services.py``: Sam studies; Mia mentors python.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import Settings
from core.delivery.messages import ActionName
from core.delivery.planning import plan_jobs
from core.delivery.ports import Address
from core.errors import AlreadyClaimed
from core.lifecycle import RequestStatus
from core.members import Platform
from core.mentors import MentorStatus, shared_tags
from core.notifications import Audience, Kind, NotificationStatus
from core.policy import Policy
from core.services.claims import claim_request, release_request
from core.services.directed import decline_request
from core.services.expiry import expire_stale_requests
from core.services.requests import repost_request, submit_request
from core.services.sweeps import reannounce_unclaimed, release_unscheduled_claims
from tests.unit.fakes import (
    a_draft,
    add_mentor,
    add_student,
    clock_of,
    make_context,
    store_of,
)

FEED = Address(Platform.CONSOLE, "mentors", is_group=True)
PENDING, CANCELLED = NotificationStatus.PENDING, NotificationStatus.CANCELLED


@pytest.fixture
def ctx():
    return make_context()


def dms(ctx, status=None):
    """The REQUEST_MATCHED rows, as {mentor id: row}; one row per mentor is asserted."""
    rows = [
        n
        for n in store_of(ctx).tables.notifications
        if n.kind == Kind.REQUEST_MATCHED and (status is None or n.status == status)
    ]
    found = {n.recipient_id: n for n in rows}
    assert len(found) == len(rows), f"a mentor got two DMs of one announcement: {rows}"
    return found


def of_kind(ctx, kind):
    return [n for n in store_of(ctx).tables.notifications if n.kind == kind]


def plan(ctx, rows):
    """What the delivery engine would send for these rows right now (console process)."""
    with ctx.uow_factory() as uow:
        return plan_jobs(
            uow,
            rows,
            {Audience.MENTORS: [FEED]},
            [Platform.CONSOLE],
            ctx.catalogue,
            ctx.policy,
            ctx.now(),
        )


# ------------------------------------------------------------------ who is told


def test_mentors_whose_tags_match_get_a_dm_and_the_others_do_not(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python", "sql"])
    leo = add_mentor(ctx, "Leo", tags=["Python"])  # stored before tags were lower-cased
    ida = add_mentor(ctx, "Ida", tags=["#SQL"])
    add_mentor(ctx, "Zoe", tags=["design"])
    add_mentor(ctx, "Pia", tags=["python"], approved=False)  # still waiting for approval

    request = submit_request(ctx, sam.id, a_draft(tags=["python", "sql"]))

    told = dms(ctx)
    assert set(told) == {mia.id, leo.id, ida.id}
    assert told[mia.id].payload["tags"] == ["python", "sql"]
    assert told[leo.id].payload["tags"] == ["python"]
    assert told[ida.id].payload["tags"] == ["sql"]
    for mentor_id, n in told.items():
        assert (n.audience, n.request_id, n.due_at, n.status) == (
            Audience.MEMBER,
            request.id,
            ctx.now(),
            PENDING,
        )
        assert n.dedup_key.endswith(f":to{mentor_id}")
    assert len({n.dedup_key for n in told.values()}) == 3
    # the mentors' group still gets its one card
    [feed] = of_kind(ctx, Kind.REQUEST_POSTED)
    assert (feed.audience, feed.request_id) == (Audience.MENTORS, request.id)


def test_a_suspended_mentor_is_not_told(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    with ctx.uow_factory() as uow:
        profile = uow.mentors.get(mia.id)
        assert profile is not None
        uow.mentors.update(replace(profile, status=MentorStatus.SUSPENDED), ctx.now())
        uow.commit()
    submit_request(ctx, sam.id, a_draft(tags=["python"]))
    assert dms(ctx) == {}


def test_a_mentor_asking_for_help_is_not_told_of_their_own_request(ctx):
    mia = add_mentor(ctx, "Mia", tags=["python"])
    leo = add_mentor(ctx, "Leo", tags=["python"])
    submit_request(ctx, mia.id, a_draft(tags=["python"]))
    assert set(dms(ctx)) == {leo.id}


def test_the_preferred_mentor_is_told_once_whatever_their_tags(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    zoe = add_mentor(ctx, "Zoe", tags=["design"])
    leo = add_mentor(ctx, "Leo", tags=["python"])

    first = submit_request(
        ctx, sam.id, a_draft(tags=["python"], preferred_mentor_id=zoe.id, open_to_others=True)
    )
    [for_zoe] = of_kind(ctx, Kind.REQUEST_FOR_YOU)
    assert for_zoe.recipient_id == zoe.id
    assert dms(ctx) == {}  # Zoe's alone for now: the others hear of it once it opens
    decline_request(ctx, zoe.id, first.id, "on holiday")
    assert set(dms(ctx)) == {mia.id, leo.id}

    # named and matching: the personal "asked for you" message, not a second DM
    second = submit_request(
        ctx, sam.id, a_draft(tags=["python"], preferred_mentor_id=mia.id, open_to_others=True)
    )
    decline_request(ctx, mia.id, second.id, None)
    about_it = [
        (n.kind, n.recipient_id)
        for n in store_of(ctx).tables.notifications
        if n.request_id == second.id and n.audience == Audience.MEMBER and n.recipient_id != sam.id
    ]
    assert sorted(about_it) == [(Kind.REQUEST_FOR_YOU, mia.id), (Kind.REQUEST_MATCHED, leo.id)]


def test_a_request_without_tags_goes_to_the_group_only(ctx):
    sam = add_student(ctx, "Sam")
    add_mentor(ctx, "Mia", tags=["python"])
    submit_request(ctx, sam.id, a_draft(tags=[]))
    assert dms(ctx) == {}
    assert len(of_kind(ctx, Kind.REQUEST_POSTED)) == 1


def test_the_operator_can_turn_the_dms_off(ctx):
    ctx = make_context(policy=Policy(dm_matching_mentors=False))
    sam = add_student(ctx, "Sam")
    add_mentor(ctx, "Mia", tags=["python"])
    zoe = add_mentor(ctx, "Zoe", tags=["design"])
    submit_request(ctx, sam.id, a_draft(tags=["python"], preferred_mentor_id=zoe.id))
    assert dms(ctx) == {}
    assert of_kind(ctx, Kind.REQUEST_POSTED) == []  # Zoe's alone: no feed card yet
    [for_zoe] = of_kind(ctx, Kind.REQUEST_FOR_YOU)  # being asked for by name is not a feed
    assert for_zoe.recipient_id == zoe.id


def test_a_second_press_of_submit_adds_no_second_dm(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    draft = a_draft(tags=["python"], submission_key="form-1")
    submit_request(ctx, sam.id, draft)
    submit_request(ctx, sam.id, draft)
    assert list(dms(ctx)) == [mia.id]


def test_tags_are_compared_as_core_stores_them():
    assert shared_tags(["Python", "#SQL", "machine learning"], ["sql", "python", "go"]) == [
        "sql",
        "python",
    ]
    assert shared_tags(["machine learning"], ["machine-learning"]) == ["machine-learning"]
    assert shared_tags([], ["python"]) == [] and shared_tags(["python"], []) == []


# ------------------------------------------------------------------ when, and when not


def test_after_a_claim_the_dms_not_yet_sent_never_go_out(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    leo = add_mentor(ctx, "Leo", tags=["python"])
    request = submit_request(ctx, sam.id, a_draft(tags=["python"]))
    waiting = list(dms(ctx).values())

    claim_request(ctx, leo.id, request.id)

    assert {n.recipient_id: n.status for n in waiting} == {mia.id: CANCELLED, leo.id: CANCELLED}
    # a row already leased when the claim landed: the delivery check skips it, it is
    # not sent to be refused
    (job,) = plan(ctx, [replace(waiting[0], status=PENDING, id=999)])
    assert job.skip_reason == "the request is no longer open" and job.messages == {}
    # the claim path a DM's button takes refuses a second mentor
    with pytest.raises(AlreadyClaimed, match=r"Already claimed by Leo\."):
        claim_request(ctx, mia.id, request.id)


def test_a_dm_is_planned_to_the_mentors_own_chat_with_the_card_and_claim(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    request = submit_request(ctx, sam.id, a_draft(tags=["python"], title="Flask or FastAPI?"))
    [dm] = dms(ctx).values()
    [feed] = of_kind(ctx, Kind.REQUEST_POSTED)

    dm_job, feed_job = plan(ctx, [replace(dm, id=1), replace(feed, id=2)])

    mia_chat = Address(Platform.CONSOLE, mia.identities[0].external_id)
    assert dm_job.skip_reason is None and dm_job.addresses == [mia_chat]
    message = dm_job.messages[mia_chat.key]
    assert message.text.startswith("New mentorship request matching your expertise (your tags")
    assert "Flask or FastAPI?" in message.text and "Student: Sam" in message.text
    [claim] = message.actions
    assert (claim.name, claim.args) == (ActionName.CLAIM, (str(request.id),))
    assert feed_job.messages[FEED.key].actions == message.actions  # the group card's button


def test_a_released_request_is_announced_again_but_not_to_the_mentor_who_gave_it_back(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    leo = add_mentor(ctx, "Leo", tags=["python"])
    request = submit_request(ctx, sam.id, a_draft(tags=["python"]))
    claim_request(ctx, leo.id, request.id)
    first_keys = {n.dedup_key for n in dms(ctx).values()}

    release_request(ctx, leo.id, request.id)

    fresh = dms(ctx, PENDING)
    assert list(fresh) == [mia.id]
    assert fresh[mia.id].dedup_key not in first_keys  # a new announcement, a new key


def test_an_automatic_release_skips_the_mentor_who_never_picked_a_time(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    leo = add_mentor(ctx, "Leo", tags=["python"])
    request = submit_request(ctx, sam.id, a_draft(tags=["python"]))
    claim_request(ctx, leo.id, request.id)

    clock_of(ctx).advance(ctx.policy.release_unscheduled_after + timedelta(minutes=1))
    assert release_unscheduled_claims(ctx) == [request.id]

    assert list(dms(ctx, PENDING)) == [mia.id]


def test_a_reposted_request_is_a_new_request_and_told_again(ctx):
    sam = add_student(ctx, "Sam")
    mia = add_mentor(ctx, "Mia", tags=["python"])
    old = submit_request(ctx, sam.id, a_draft(tags=["python"]))
    clock_of(ctx).advance(ctx.policy.expiry_after + timedelta(minutes=1))
    expire_stale_requests(ctx)

    new = repost_request(ctx, sam.id, old.id)

    assert new.status == RequestStatus.OPEN and new.id != old.id
    told = [n for n in of_kind(ctx, Kind.REQUEST_MATCHED) if n.request_id == new.id]
    assert [n.recipient_id for n in told] == [mia.id]


def test_the_periodic_reannouncement_goes_to_the_group_only(ctx):
    sam = add_student(ctx, "Sam")
    add_mentor(ctx, "Mia", tags=["python"])
    request = submit_request(ctx, sam.id, a_draft(tags=["python"], urgency="high"))
    clock_of(ctx).advance(ctx.policy.reannounce_high_every + timedelta(minutes=1))

    assert reannounce_unclaimed(ctx) == [request.id]

    assert len(of_kind(ctx, Kind.REQUEST_REANNOUNCED)) == 1
    assert len(dms(ctx)) == 1  # still only the DM of the submission


def test_the_operator_switch_is_read_from_the_environment(monkeypatch):
    monkeypatch.delenv("MENTORBOT_DM_MATCHING_MENTORS", raising=False)
    assert Settings(_env_file=None).policy().dm_matching_mentors is True  # on by default
    monkeypatch.setenv("MENTORBOT_DM_MATCHING_MENTORS", "false")
    assert Settings(_env_file=None).policy().dm_matching_mentors is False


def test_an_edit_tells_only_the_mentors_it_newly_concerns(ctx):
    from core.requests import RequestDraft
    from core.services.requests import update_request

    sam = add_student(ctx, "Sam").id
    mia = add_mentor(ctx, "Mia", tags=["python"]).id
    gus = add_mentor(ctx, "Gus", tags=["go"]).id
    ada = add_mentor(ctx, "Ada", tags=["rust"]).id
    request = submit_request(ctx, sam, a_draft(tags=["python"]))
    assert set(dms(ctx)) == {mia}

    edited = RequestDraft(**{**vars(a_draft(tags=["python", "go"])), "preferred_mentor_id": ada})
    update_request(ctx, sam, request.id, edited)

    assert set(dms(ctx)) == {mia, gus}  # Gus newly matches; Mia was told already
    [for_ada] = of_kind(ctx, Kind.REQUEST_FOR_YOU)
    assert for_ada.recipient_id == ada and for_ada.request_id == request.id

    update_request(ctx, sam, request.id, edited)  # the same again: nobody new
    assert set(dms(ctx)) == {mia, gus} and len(of_kind(ctx, Kind.REQUEST_FOR_YOU)) == 1
