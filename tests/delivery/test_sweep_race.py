"""Three processes run the periodic sweeps over the same requests at the same moments.

Every simulated minute for ten minutes, three OS processes (``worker_process --steps``)
set their clocks to the same instant at the same wall time and run the production tick:
expiry, re-announcement and auto-release sweeps, then delivery. 200 open requests of
every urgency and 40 claimed-without-a-time requests cross their thresholds during those
minutes. Each state change must happen once with one event, and each fact must reach
the people and the mentors' feed once: no duplicate notices.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.senders.recording import RecordingSender
from core.members import Platform
from core.notifications import Kind
from core.services.claims import claim_request
from core.services.sweeps import run_sweeps
from db.models import MentorshipRequestRow as R
from db.models import NotificationRow as N
from db.models import TransitionEventRow as E
from tests.support.delivery_world import START, World, read_log, spawn_worker, wait_all

T0 = START + timedelta(days=8)
MINUTES = 10
URGENCIES = ("high", "normal", "low")


def _crossing(i: int) -> timedelta:
    """Where in the ten minutes the i-th request of a group crosses its threshold."""
    return timedelta(seconds=1 + (i * 43) % (MINUTES * 60))


@dataclass
class Group:
    name: str
    ids: list[int]
    urgency: dict[int, str]


def _build(world: World) -> dict[str, Group]:
    world.populate(students=20, mentors=5)
    groups: dict[str, Group] = {}

    def submit(
        name: str, count: int, urgency_of: Callable[[int], str], created: Callable[[int], datetime]
    ) -> Group:
        group = Group(name, [], {})
        for i in range(count):
            world.clock.set(created(i))
            urgency = urgency_of(i)
            request = world.submit(world.students[i % 20], urgency=urgency, title=f"{name} {i}")
            group.ids.append(request.id)
            group.urgency[request.id] = urgency
        groups[name] = group
        return group

    # Created seven days ago: they expire during the ten minutes.
    submit(
        "expiring", 70, lambda i: URGENCIES[i % 3], lambda i: T0 - timedelta(days=7) + _crossing(i)
    )
    # Urgent, created (and so last announced) twelve hours ago: re-announced once.
    submit("high", 50, lambda i: "high", lambda i: T0 - timedelta(hours=12) + _crossing(i))
    # Normal urgency, 48 hours old and never re-announced: re-announced once.
    submit("normal", 50, lambda i: "normal", lambda i: T0 - timedelta(hours=48) + _crossing(i))
    # Low urgency is never re-announced.
    submit("low", 30, lambda i: "low", lambda i: T0 - timedelta(days=3))
    # Claimed 72 hours ago and still without a time: they go back to the queue.
    claimed = submit("claimed", 40, lambda i: URGENCIES[i % 3], lambda i: T0 - timedelta(days=4))
    for i, request_id in enumerate(claimed.ids):
        world.clock.set(T0 - timedelta(hours=72) + _crossing(i))
        claim_request(world.ctx, world.mentors[i % 5], request_id)
    # The bot was up until now: what fell due before the ten minutes was delivered.
    world.clock.set(T0 - timedelta(minutes=1))
    world.drain(world.engine_with(RecordingSender(platform=Platform.CONSOLE)), sweeps=False)
    return groups


@pytest.mark.slow
@pytest.mark.postgres
def test_three_processes_sweeping_the_same_minutes_change_and_tell_everything_once(
    pg_url: str, open_world: Callable[..., World], tmp_path: Path
) -> None:
    world = open_world(pg_url, START)
    groups = _build(world)
    assert sum(len(g.ids) for g in groups.values() if g.name != "claimed") == 200

    log = tmp_path / "sent.jsonl"
    anchor = time.time() + 3  # every process is up before the first simulated minute
    sweepers = [
        spawn_worker(
            pg_url,
            log,
            T0,
            anchor=anchor,
            output=tmp_path / f"sweeper-{n}.out",
            lease_seconds=3600,  # simulated minutes pass faster than any batch
            batch_size=200,
            delay=0,
            extra=["--steps", str(MINUTES), "--step-minutes", "1", "--step-seconds", "0.4"],
        )
        for n in range(3)
    ]
    codes = wait_all(sweepers, timeout=90)
    outputs = {p.name: p.read_text() for p in sorted(tmp_path.glob("sweeper-*.out"))}
    assert codes == [0, 0, 0], outputs
    summaries = [json.loads(text.strip().splitlines()[-1]) for text in outputs.values()]
    end = T0 + timedelta(minutes=MINUTES)
    won = {
        name: Counter(i for s in summaries for i in s["won"][name])
        for name in ("expired", "reannounced", "released")
    }
    print(
        "\nsweeps won per process: "
        + "; ".join(
            f"pid {s['pid']}: " + ", ".join(f"{k} {len(v)}" for k, v in s["won"].items())
            for s in summaries
        )
        + f"; failed ticks {[s['failed_ticks'] for s in summaries]}"
    )
    # Between them the processes made each change once (a loser reports nothing).
    assert won["expired"] == Counter(groups["expiring"].ids)
    assert won["released"] == Counter(groups["claimed"].ids)
    assert set(won["reannounced"].values()) == {1}

    # Each state change happened once, with one event, by the system.
    events = world.events(E.at >= T0)
    changes = Counter((e.entity, e.entity_id, e.from_status, e.to_status) for e in events)
    expected = {("request", i, "OPEN", "EXPIRED") for i in groups["expiring"].ids} | {
        ("request", i, "CLAIMED", "OPEN") for i in groups["claimed"].ids
    }
    assert set(changes) == expected and set(changes.values()) == {1}
    assert all(e.actor_id is None for e in events)
    with world.sessions() as session:
        status = {i: s for i, s in session.execute(select(R.id, R.status))}
    assert {status[i] for i in groups["expiring"].ids} == {"EXPIRED"}
    assert {status[i] for i in groups["claimed"].ids} == {"OPEN"}

    # One notification row per fact, and the ones we expect.
    made = world.rows(N.due_at >= T0)
    per = Counter((r.kind, r.request_id) for r in made)

    def count(kind: Kind, request_id: int) -> int:
        return per[(kind.value, request_id)]

    for name, group in groups.items():
        for request_id in group.ids:
            urgency = group.urgency[request_id]
            expired = 1 if name == "expiring" else 0
            released = 1 if name == "claimed" else 0
            reannounced = 0 if name in ("low", "claimed") or urgency == "low" else 1
            got = (
                count(Kind.REQUEST_EXPIRED, request_id),
                count(Kind.REQUEST_RELEASED, request_id),
                count(Kind.REQUEST_REANNOUNCED, request_id),
            )
            assert got == (expired, released, reannounced), (name, urgency, request_id)
            # The mentors' feed shows each request at most once in ten minutes (a post
            # after an auto-release, or a re-announcement: never both, never twice).
            posts = count(Kind.REQUEST_POSTED, request_id) + count(
                Kind.REQUEST_REANNOUNCED, request_id
            )
            assert posts == (1 if released else reannounced), (name, urgency, request_id)

    # Every message reached its chat once; nothing due is left behind.
    lines = read_log(log)
    sends = Counter((line["id"], line["to"]) for line in lines)
    assert sends and max(sends.values()) == 1, [k for k, v in sends.items() if v > 1]
    sent_now = {r.id for r in world.rows(N.status == "SENT", N.sent_at >= T0)}
    assert {line["id"] for line in lines} == sent_now
    assert world.due_pending(end) == 0
    expired_to = Counter(line["to"] for line in lines if line["kind"] == "request_expired")
    assert sum(expired_to.values()) == 70 and all(
        to.startswith("console:student-") for to in expired_to
    )
    released_lines = [line for line in lines if line["kind"] == "request_released"]
    assert len(released_lines) == 40


def test_a_request_back_in_the_queue_is_reannounced_on_its_pace_not_at_once(
    database_url: str, open_world: Callable[..., World]
) -> None:
    """The auto-release posts the request again; the re-announcement sweep then counts
    from that post (12 h for an urgent one), not from the request's creation."""
    world = open_world(database_url, START)
    world.populate(students=1, mentors=1)
    request = world.submit(world.students[0], urgency="high")
    world.clock.advance(timedelta(hours=1))
    claim_request(world.ctx, world.mentors[0], request.id)
    released_at = world.clock.advance(timedelta(hours=72))

    def feed_posts() -> list[tuple[str, object]]:
        kinds = (Kind.REQUEST_POSTED.value, Kind.REQUEST_REANNOUNCED.value)
        return [
            (r.kind, r.due_at) for r in world.rows(N.kind.in_(kinds)) if r.due_at >= released_at
        ]

    assert run_sweeps(world.ctx).released == [request.id]
    for minutes in range(1, 11):
        world.clock.set(released_at + timedelta(minutes=minutes))
        assert run_sweeps(world.ctx).reannounced == []
    assert feed_posts() == [(Kind.REQUEST_POSTED.value, released_at)]
    world.clock.set(released_at + timedelta(hours=12))
    assert run_sweeps(world.ctx).reannounced == [request.id]
    assert run_sweeps(world.ctx).reannounced == []
    assert feed_posts()[1:] == [(Kind.REQUEST_REANNOUNCED.value, world.clock.now())]
