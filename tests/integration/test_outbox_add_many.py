"""Several notifications booked in one round trip keep the outbox's one-row-per-key rule."""

from __future__ import annotations

from datetime import UTC, datetime

from core.clock import MovableClock
from core.notifications import Kind, to_member
from tests.integration.helpers import add_student, make_context

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_add_many_inserts_new_keys_once_and_counts_them(database_url):
    ctx = make_context(database_url, MovableClock(NOW))
    student = add_student(ctx, "Sam")
    batch = [
        to_member(Kind.REQUEST_MATCHED, student, NOW, f"k{n}", tags=["python"]) for n in (1, 2)
    ]
    with ctx.uow_factory() as uow:
        assert uow.notifications.add(to_member(Kind.REQUEST_MATCHED, student, NOW, "k0")) is True
        assert uow.notifications.add_many([]) == 0
        # k0 is taken, k1 and k2 are new; k2 twice in one call still makes one row
        again = to_member(Kind.REQUEST_MATCHED, student, NOW, "k2")
        assert (
            uow.notifications.add_many(
                [to_member(Kind.REQUEST_MATCHED, student, NOW, "k0"), *batch, again]
            )
            == 2
        )
        uow.commit()
    with ctx.uow_factory() as uow:
        rows = uow.notifications.pending()
    assert len(rows) == 3 == len({n.dedup_key for n in rows})
    [k1] = [n for n in rows if ":k1" in n.dedup_key]
    assert k1.payload["tags"] == ["python"]  # the row's own values, not another row's
