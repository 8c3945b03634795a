"""A claim and its times in one transaction; the claim stands if the times cannot be listed."""

from __future__ import annotations

import pytest

from core.errors import AlreadyClaimed, NotAllowed
from core.lifecycle import RequestStatus
from core.services import slot_offers
from core.services.claims import claim_request
from core.services.requests import get_request, submit_request
from core.services.slot_offers import claim_with_offer, offer_slots
from tests.unit.fakes import a_draft, add_mentor, add_student, make_context, store_of


def test_a_claim_comes_with_the_times_it_would_offer_in_one_transaction() -> None:
    ctx = make_context()
    student, mentor = add_student(ctx, "Sam"), add_mentor(ctx, "Mia")
    request = submit_request(ctx, student.id, a_draft())
    commits = store_of(ctx).commits
    claimed = claim_with_offer(ctx, mentor.id, request.id)
    assert store_of(ctx).commits == commits + 1
    assert claimed.request.status == RequestStatus.CLAIMED
    assert claimed.offer == offer_slots(ctx, mentor.id, request.id)
    assert claimed.offer is not None and claimed.offer.starts
    assert claimed.offer.other_name == "Sam"


def test_times_that_cannot_be_listed_leave_the_claim_standing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = make_context()
    student, mentor = add_student(ctx, "Sam"), add_mentor(ctx, "Mia")
    request = submit_request(ctx, student.id, a_draft())

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("slot listing broke")

    monkeypatch.setattr(slot_offers, "_offer_in", broken)
    claimed = claim_with_offer(ctx, mentor.id, request.id)
    assert claimed.offer is None
    assert claimed.request.claimed_by == mentor.id
    assert get_request(ctx, student.id, request.id).status == RequestStatus.CLAIMED


def test_the_claims_own_refusals_are_unchanged() -> None:
    ctx = make_context()
    student = add_student(ctx, "Sam")
    mia, leo = add_mentor(ctx, "Mia"), add_mentor(ctx, "Leo")
    request = submit_request(ctx, student.id, a_draft())
    with pytest.raises(NotAllowed):
        claim_with_offer(ctx, student.id, request.id)  # not a mentor
    claim_request(ctx, mia.id, request.id)
    with pytest.raises(AlreadyClaimed):
        claim_with_offer(ctx, leo.id, request.id)
    again = claim_with_offer(ctx, mia.id, request.id)  # her second press: no new claim
    assert again.request.claimed_by == mia.id and again.offer is None
