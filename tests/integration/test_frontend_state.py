"""The front-ends' own state: forms in progress, handled updates, where cards were posted."""

from __future__ import annotations

from datetime import UTC, datetime

from core.clock import MovableClock
from core.services.requests import submit_request
from db.engine import make_session_factory
from db.frontend_state import FrontEndStore
from tests.integration.helpers import add_student, make_context, valid_draft

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_saved_conversation_reads_back_changes_and_goes_away(engine):
    store = FrontEndStore(make_session_factory(engine))
    store.save("tg:user:1", {"form": {"position": 2}})
    store.save("tg:user:1", {"form": {"position": 3}})
    store.save("tg:user:2", {"form": {"position": 0}})

    assert store.load("tg:user:1") == {"form": {"position": 3}}
    assert set(store.load_prefix("tg:user:")) == {"tg:user:1", "tg:user:2"}
    store.delete("tg:user:1")
    assert store.load("tg:user:1") is None


def test_an_update_is_handled_once(engine):
    store = FrontEndStore(make_session_factory(engine))
    assert store.first_time("tg:update:42") is True
    assert store.first_time("tg:update:42") is False
    assert store.first_time("tg:update:43") is True


def test_card_updates_follow_the_latest_post_of_a_request(database_url, engine):
    ctx = make_context(database_url, MovableClock(NOW))
    student = add_student(ctx, "Sam")
    request = submit_request(ctx, student, valid_draft(NOW.date()))
    store = FrontEndStore(make_session_factory(engine))

    store.remember_feed_post(request.id, "telegram", "-1001", "10")
    store.remember_feed_post(request.id, "telegram", "-1001", "25")  # re-announced

    assert store.feed_post(request.id, "telegram", "-1001") == "25"
    assert store.feed_post(request.id, "slack", "C1") is None


def test_old_handled_updates_are_forgotten_in_slices_and_recent_ones_kept(database_url, engine):
    import asyncio
    from datetime import timedelta

    from bot.worker import forget_handled_updates
    from db.models import IdempotencyKeyRow

    sessions = make_session_factory(engine)
    store = FrontEndStore(sessions)
    with sessions.begin() as session:
        for n in range(30):  # three days old
            session.add(IdempotencyKeyRow(key=f"tg:update:{n}", created_at=NOW - timedelta(days=3)))
        session.add(IdempotencyKeyRow(key="tg:update:recent", created_at=NOW - timedelta(hours=5)))

    assert store.forget_handled(NOW - timedelta(days=2), limit=20) == 20
    ctx = make_context(database_url, MovableClock(NOW))
    assert asyncio.run(forget_handled_updates(ctx, store)) == 10
    assert asyncio.run(forget_handled_updates(ctx, store)) == 0
    assert store.first_time("tg:update:recent") is False  # still protects
    assert store.first_time("tg:update:3") is True  # forgotten: a key may be used again
