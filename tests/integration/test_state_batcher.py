"""Group commit of the front-ends' state: concurrent updates share transactions, and
nobody is answered before their write is in the database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from bot.state_batcher import StateBatcher
from db.engine import make_session_factory
from db.frontend_state import FrontEndStore, UpdateStart, UpdateStarted


def test_concurrent_writes_and_starts_share_transactions_and_all_land(engine):
    store = FrontEndStore(make_session_factory(engine))
    batcher = StateBatcher(store, max_in_flight=1)

    async def person(n: int) -> UpdateStarted:
        started = await batcher.start_update(f"tg:update:{n}", (f"tg:user:{n}",))
        await batcher.write(f"tg:user:{n}", {"form": {"step": n}})
        return started

    async def run() -> list[UpdateStarted]:
        return list(await asyncio.gather(*(person(n) for n in range(50))))

    started = asyncio.run(run())
    batcher.close()
    assert all(s.first_time and s.states == {} for s in started)
    # 100 operations, one transaction at a time: far fewer than 100 commits
    assert batcher.transactions <= 10
    assert all(store.load(f"tg:user:{n}") == {"form": {"step": n}} for n in range(50))
    again = store.apply_batch({}, [UpdateStart("tg:update:7", ("tg:user:7",))])
    assert again.started == [
        UpdateStarted(False, {"tg:user:7": {"form": {"step": 7}}}, {"tg:user:7": 1})
    ]


def test_a_repeat_within_one_batch_counts_once_and_deletes_remove_rows(engine):
    store = FrontEndStore(make_session_factory(engine))
    store.save("tg:user:1", {"a": 1})
    results = store.apply_batch(
        {"tg:user:1": None, "tg:user:2": {"b": 2}},
        [UpdateStart("tg:update:5", ("tg:user:2",)), UpdateStart("tg:update:5", ())],
    )
    assert [r.first_time for r in results.started] == [True, False]
    assert results.started[0].states == {"tg:user:2": {"b": 2}}  # reads see the writes
    assert store.load("tg:user:1") is None


def test_a_failed_transaction_reaches_every_waiter_and_stores_nothing(engine):
    store = FrontEndStore(make_session_factory(engine))

    class Failing(FrontEndStore):
        def apply_batch(self, writes, starts, expected=None):  # type: ignore[no-untyped-def]
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    batcher = StateBatcher(Failing(make_session_factory(engine)))

    async def run() -> list[object]:
        return list(
            await asyncio.gather(
                batcher.write("tg:user:1", {"a": 1}),
                batcher.start_update("tg:update:1", ("tg:user:1",)),
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(run())
    batcher.close()
    assert all(isinstance(o, OperationalError) for o in outcomes)
    assert store.load("tg:user:1") is None
    assert store.first_time("tg:update:1") is True  # the update was not marked handled


@pytest.mark.parametrize("in_flight", [1, 3])
def test_one_persons_write_is_committed_before_their_next_update_reads(engine, in_flight):
    """Steps of one person, each starting after the previous write: every read sees
    the previous step, with several transactions in flight for other people."""
    store = FrontEndStore(make_session_factory(engine))
    batcher = StateBatcher(store, max_in_flight=in_flight)

    async def walk(person: int) -> list[int]:
        seen = []
        for step in range(5):
            started = await batcher.start_update(
                f"tg:update:{person}:{step}", (f"tg:user:{person}",)
            )
            seen.append(started.states.get(f"tg:user:{person}", {}).get("step", -1))
            await batcher.write(f"tg:user:{person}", {"step": step})
        return seen

    async def run() -> list[list[int]]:
        return list(await asyncio.gather(*(walk(p) for p in range(20))))

    seen = asyncio.run(run())
    batcher.close()
    assert seen == [[-1, 0, 1, 2, 3]] * 20


def test_a_write_over_a_version_another_process_moved_on_is_refused(engine):
    """Two processes read the same form at version 1; the first to write wins, the
    second is told (StateConflict) and stores nothing; others in its batch are kept."""
    from bot.state_batcher import StateConflict

    sessions = make_session_factory(engine)
    store = FrontEndStore(sessions)
    store.apply_batch({"tg:user:1": {"step": 1}}, [])
    [read] = store.apply_batch({}, [UpdateStart("tg:update:1", ("tg:user:1",))]).started
    assert read.versions == {"tg:user:1": 1}

    first = store.apply_batch({"tg:user:1": {"step": 2, "by": "A"}}, [], {"tg:user:1": 1})
    assert first.conflicts == frozenset()
    second = store.apply_batch(
        {"tg:user:1": {"step": 2, "by": "B"}, "tg:user:2": {"step": 1}},
        [],
        {"tg:user:1": 1, "tg:user:2": 0},
    )
    assert second.conflicts == {"tg:user:1"}
    assert store.load("tg:user:1") == {"step": 2, "by": "A"}
    assert store.load("tg:user:2") == {"step": 1}  # a new row at version 0: written

    batcher = StateBatcher(store, max_in_flight=1)

    async def two_writers() -> list[object]:
        return list(
            await asyncio.gather(
                batcher.write("tg:user:1", {"step": 3}, expected=2),
                batcher.write("tg:user:3", {"step": 1}, expected=0),
                return_exceptions=True,
            )
        )

    outcomes = asyncio.run(two_writers())
    assert outcomes == [None, None]
    stale = asyncio.run(_write(batcher, "tg:user:1", {"step": 9}, expected=2))
    batcher.close()
    assert isinstance(stale, StateConflict)
    assert store.load("tg:user:1") == {"step": 3}


async def _write(batcher, key, value, expected):  # type: ignore[no-untyped-def]
    try:
        await batcher.write(key, value, expected=expected)
    except Exception as exc:  # the outcome is what is checked
        return exc
    return None


def test_two_processes_moving_one_form_on_at_once_one_is_refused(engine):
    """The Telegram persistence of two webhook processes: both start an update of the
    same person from the same stored form; the second write is refused, not lost over."""
    from bot.handlers.telegram.persistence import DatabasePersistence, user_key
    from bot.state_batcher import StateConflict

    store = FrontEndStore(make_session_factory(engine))
    store.save(user_key(7), {"form": {"position": 2}})
    first, second = DatabasePersistence(store), DatabasePersistence(store)

    async def race() -> list[object]:
        await first.start_update("tg:update:100", (user_key(7),))
        await second.start_update("tg:update:101", (user_key(7),))
        await first.update_user_data(7, {"form": {"position": 3}, "by": "first"})
        try:
            await second.update_user_data(7, {"form": {"position": 3}, "by": "second"})
        except StateConflict as exc:
            return [exc]
        return []

    outcome = asyncio.run(race())
    first.batcher.close()
    second.batcher.close()
    assert len(outcome) == 1 and isinstance(outcome[0], StateConflict)
    assert store.load(user_key(7)) == {"form": {"position": 3}, "by": "first"}


def test_reads_in_a_batch_see_its_own_writes_deletes_and_refusals(engine):
    """What a person's state read returns when the same batch also wrote it: the new
    value and version, nothing for a delete, and the stored row for a refused write
    (PostgreSQL runs the batch as one statement, whose parts share one snapshot)."""
    store = FrontEndStore(make_session_factory(engine))
    store.apply_batch({"tg:user:1": {"v": 1}, "tg:user:2": {"v": 1}, "tg:user:3": {"v": 1}}, [])
    result = store.apply_batch(
        {"tg:user:1": {"v": 2}, "tg:user:2": None, "tg:user:3": {"v": "mine"}},
        [UpdateStart("tg:update:9", ("tg:user:1", "tg:user:2", "tg:user:3", "tg:user:4"))],
        {"tg:user:3": 7},  # not the stored version: refused
    )
    assert result.conflicts == {"tg:user:3"}
    [started] = result.started
    assert started.first_time
    assert started.states == {"tg:user:1": {"v": 2}, "tg:user:3": {"v": 1}}
    assert started.versions == {"tg:user:1": 2, "tg:user:3": 1}
