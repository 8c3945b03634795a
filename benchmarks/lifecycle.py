"""Benchmark: full request lifecycles per second, and claim latency under a 100-way race.

    python -m benchmarks.lifecycle [--lifecycles 300] [--races 10] [--racers 100]
                                   [--db sqlite,postgres]

A lifecycle is submit -> claim -> slots -> schedule -> completed -> rate, each step its
own transaction through the real services, as a front-end would call them. The race
releases 100 approved mentors (threads, each with its own connection) on one open
request with a barrier and times each claim call. On PostgreSQL the racers are capped
at the connections the server has free (a stock server allows 100 in all).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    START,
    context_and_engine,
    database,
    people,
    percentile,
    server_connections,
)
from core.clock import MovableClock
from core.errors import AlreadyClaimed
from core.requests import RequestDraft
from core.services.claims import claim_request
from core.services.outcomes import rate_session, record_outcome
from core.services.requests import submit_request
from core.services.sessions import available_slots, schedule_session
from core.sessions import Outcome


def draft(i: int) -> RequestDraft:
    today = START.date()
    return RequestDraft(
        session_type="career-guidance",
        title=f"Help with my career plan #{i}",
        description="I would like advice on moving from support into backend work.",
        duration_minutes=30,
        available_from=today,
        available_until=today + timedelta(days=50),
        tags=["python", "career-change"],
    )


def lifecycle_seconds(kind: str, count: int) -> float:
    """Seconds for ``count`` lifecycles one after another, on a fresh database."""
    clock = MovableClock(START)
    with database(kind) as url:
        ctx, engine = context_and_engine(url, clock)
        try:
            students, mentors = people(ctx, students=count, mentors=20)
            started = time.perf_counter()
            for i in range(count):
                clock.set(START)
                student, mentor = students[i], mentors[i % len(mentors)]
                request = submit_request(ctx, student, draft(i))
                claim_request(ctx, mentor, request.id)
                slot = available_slots(ctx, mentor, request.id)[0]
                session = schedule_session(ctx, mentor, request.id, slot)
                clock.set(session.ends_at)
                record_outcome(ctx, mentor, session.id, Outcome.COMPLETED, duration_minutes=30)
                rate_session(ctx, student, session.id, 5, "Very helpful")
            return time.perf_counter() - started
        finally:
            engine.dispose()


def lifecycles(kind: str, count: int) -> None:
    elapsed = lifecycle_seconds(kind, count)
    print(
        f"{kind:<9} lifecycles: {count} in {elapsed:.2f} s = {count / elapsed:.1f} per second "
        f"({elapsed / count * 1000:.1f} ms each, 6 transactions)"
    )


def race_once(ctx, mentors: list[int], request_id: int) -> tuple[list[float], int]:
    """All mentors press Claim at once; returns each press's latency and the winner count."""
    barrier = threading.Barrier(len(mentors))
    latencies: list[float] = []
    winners: list[int] = []
    lock = threading.Lock()

    def press(mentor_id: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        try:
            claim_request(ctx, mentor_id, request_id)
            won = True
        except AlreadyClaimed:
            won = False
        took = time.perf_counter() - started
        with lock:
            latencies.append(took)
            if won:
                winners.append(mentor_id)

    threads = [threading.Thread(target=press, args=(m,)) for m in mentors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(winners)


MARGIN = 10  # connections left free for the set-up's own and anyone else's


@dataclass
class Race:
    racers: int
    winners: list[int]  # per round
    latencies: list[float]  # every press, seconds
    note: str  # how many raced, and why not more


def race_rounds(kind: str, rounds: int, racers: int = 100, *, claimed_first: bool = False) -> Race:
    """``rounds`` requests, each claimed by ``racers`` mentors at once, on a fresh
    database; on PostgreSQL the racers are capped at the server's free connections.

    ``claimed_first``: each request is claimed before the racers press (no winner, and no
    row lock for anyone to wait for). Beside the race, this says how much of a press's
    latency is the lock's queue and how much the presses' own work in one process."""
    clock = MovableClock(START)
    with database(kind) as url:
        wanted, note = racers, f"{racers} racers"
        if kind != "sqlite":
            allowed, reserved, in_use = server_connections(url)
            free = allowed - reserved - in_use - MARGIN
            racers = max(2, min(racers, free))
            note = (
                f"{racers} racers (wanted {wanted}; the server's free connections: "
                f"max_connections {allowed} - reserved {reserved} - in use {in_use} - margin "
                f"{MARGIN} = {free})"
            )
        setup, setup_engine = context_and_engine(url, clock)
        ctx, engine = context_and_engine(url, clock, pool_size=racers + 5)
        try:
            students, mentors = people(setup, students=rounds + 1, mentors=racers + 1)
            holder, mentors = mentors[-1], mentors[:-1]  # claims first (``claimed_first``)
            # one race first, not measured: it opens the pool's connections, which a
            # running process has open (measured, the first round's presses each waited
            # for a new connection: p50 about twice the later rounds')
            warm = submit_request(ctx, students[rounds], draft(rounds))
            race_once(ctx, mentors, warm.id)
            latencies: list[float] = []
            winners: list[int] = []
            for r in range(rounds):
                request = submit_request(ctx, students[r], draft(r))
                if claimed_first:
                    claim_request(setup, holder, request.id)
                took, won = race_once(ctx, mentors, request.id)
                latencies += took
                winners.append(won)
        finally:
            engine.dispose()
            setup_engine.dispose()
    return Race(racers, winners, latencies, note)


def races(kind: str, rounds: int, mentors_count: int = 100) -> None:
    race = race_rounds(kind, rounds, mentors_count)
    p50, p99 = percentile(race.latencies, 0.5) * 1000, percentile(race.latencies, 0.99) * 1000
    print(
        f"{kind:<9} claim race: {race.note}; {rounds} rounds, winners per round "
        f"{sorted(set(race.winners))}; claim latency p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=300)
    parser.add_argument("--races", type=int, default=10)
    parser.add_argument("--racers", type=int, default=100, help="mentors pressing at once")
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    for kind in args.db.split(","):
        lifecycles(kind, args.lifecycles)
        races(kind, args.races, args.racers)


if __name__ == "__main__":
    main()
