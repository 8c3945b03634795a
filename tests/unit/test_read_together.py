"""Several read-only services in one transaction (Slack's Home tab, issue 14)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import NotAllowed
from core.ports import UnitOfWork
from core.services.admin import admin_stats
from core.services.claims import claim_request, my_claims
from core.services.context import ServiceContext
from core.services.read_together import ReadOnlyTogether, read_together
from core.services.requests import my_requests, submit_request, usage_left
from core.services.sessions import my_sessions
from tests.unit.fakes import FakeUnitOfWorkFactory, a_draft, add_mentor, add_student, make_context


class CountingFactory:
    def __init__(self, inner: FakeUnitOfWorkFactory) -> None:
        self.inner = inner
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self.inner()


def counted(ctx: ServiceContext) -> tuple[ServiceContext, CountingFactory]:
    assert isinstance(ctx.uow_factory, FakeUnitOfWorkFactory)
    factory = CountingFactory(ctx.uow_factory)
    return replace(ctx, uow_factory=factory), factory


def test_the_reads_of_a_screen_share_one_transaction_and_answer_as_alone() -> None:
    ctx = make_context()
    student, mentor = add_student(ctx, "Sam").id, add_mentor(ctx, "Mia").id
    request = submit_request(ctx, student, a_draft())
    claim_request(ctx, mentor, request.id)
    alone = (my_requests(ctx, student), my_sessions(ctx, student), usage_left(ctx, student))
    ctx, factory = counted(ctx)

    def screen(shared: ServiceContext, who: int) -> tuple[object, ...]:
        return (my_requests(shared, who), my_sessions(shared, who), usage_left(shared, who))

    together = read_together(ctx, screen, student)
    assert factory.opened == 1, "one transaction for the three reads"
    assert together == alone
    assert [r.id for r in read_together(ctx, lambda s: my_claims(s, mentor))] == [request.id]


def test_a_service_that_writes_is_refused_and_nothing_is_kept() -> None:
    ctx = make_context()
    student = add_student(ctx, "Sam").id
    with pytest.raises(ReadOnlyTogether):
        read_together(ctx, lambda shared: submit_request(shared, student, a_draft()))
    assert my_requests(ctx, student) == []


def test_a_refusal_inside_reaches_the_caller_as_itself() -> None:
    ctx = make_context()
    student = add_student(ctx, "Sam").id
    with pytest.raises(NotAllowed):
        read_together(ctx, lambda shared: admin_stats(shared, student))
