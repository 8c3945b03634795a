"""A submission and what its confirmation says of the mentors' feed, in one
transaction where they were two."""

from __future__ import annotations

import pytest

from core.delivery.feed_health import FEED_PROBLEM
from core.errors import LimitReached
from core.notifications import Audience
from core.services.feed_status import submit_noting_feed
from core.services.requests import get_request, my_requests
from tests.unit.fakes import a_draft, add_student, make_context, store_of


def test_a_submission_says_whether_the_feed_works_in_one_transaction() -> None:
    ctx = make_context()
    student = add_student(ctx, "Sam")
    commits = store_of(ctx).commits
    submitted = submit_noting_feed(ctx, student.id, a_draft())
    assert store_of(ctx).commits == commits + 1
    assert submitted.feed_failing is False
    assert get_request(ctx, student.id, submitted.request.id).title == a_draft().title


def test_a_feed_refusing_cards_is_said_and_the_request_still_stands() -> None:
    ctx = make_context()
    student = add_student(ctx, "Sam")
    first = submit_noting_feed(ctx, student.id, a_draft())
    card = next(
        n for n in store_of(ctx).tables.notifications if n.audience == Audience.MENTORS
    )  # the first request's card: the channel refused the bot
    card.last_error = f"{FEED_PROBLEM}the bot was removed from the channel"
    second = submit_noting_feed(ctx, student.id, a_draft(title="Another question"))
    assert second.feed_failing is True
    assert {r.id for r in my_requests(ctx, student.id)} == {first.request.id, second.request.id}


def test_a_second_press_is_the_same_request_and_a_refusal_keeps_nothing() -> None:
    ctx = make_context()
    student = add_student(ctx, "Sam")
    draft = a_draft(submission_key="form-1")
    first = submit_noting_feed(ctx, student.id, draft)
    again = submit_noting_feed(ctx, student.id, draft)
    assert again.request.id == first.request.id
    assert len(my_requests(ctx, student.id)) == 1
    with pytest.raises(LimitReached):
        for i in range(20):
            submit_noting_feed(ctx, student.id, a_draft(title=f"Question {i}"))
    before = len(my_requests(ctx, student.id))
    with pytest.raises(LimitReached):
        submit_noting_feed(ctx, student.id, a_draft(title="One too many"))
    assert len(my_requests(ctx, student.id)) == before
