"""One soak process: people acting through the real services, and optionally the worker.

    python -m tests.soak.soak_driver --url URL --cast FILE --index I --processes P
        --anchor EPOCH --seconds N [--deliver --sends FILE] [--tasks 2] [--seed S]

The runtime is the one ``mentorbot`` builds (``bot.bootstrap.build_runtime`` over
``URL``, not migrated here: the parent did it). ``--tasks`` people act at once, each
calling one service after another (``tests/soak/operations.py``). With ``--deliver`` the
process also runs the scheduled work of ``bot/worker.py`` (``tick``: sweeps, then the
delivery engine) in a loop, with a :class:`RecordingSender` that appends one JSON line
per send to ``--sends`` (so the parent can look for a message sent twice).

Time: every process reads ``START + (wall time - anchor) * --clock-rate`` (an hour of
sessions, reminders and sweeps every few seconds); work starts at the anchor and stops
``--seconds`` later. Each task acts as its own students and mentors (one person does one
thing at a time, as Telegram guarantees); ``--shared-people`` lets two tasks act as the
same person at once (a double press on Slack). RSS is sampled every second from
``/proc/self/statm``.

The last line on stdout is a JSON summary: operations by kind and outcome, errors (what
would reach a person), deadlocks and serialization failures retried, delivery totals,
warnings logged, RSS samples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import sys
import time
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.senders.recording import RecordingSender
from bot.worker import build_engine, tick
from core.delivery.engine import TickReport
from core.members import Platform
from tests.soak.operations import Operations, People, Tally
from tests.support.delivery_world import FEEDS

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
LEASE_SECONDS = 60  # of wall time, whatever the clock rate


class AnchoredClock:
    """``start + (wall time - anchor) * rate``: the same instant in every process."""

    def __init__(self, start: datetime, anchor: float, rate: float) -> None:
        self.start, self.anchor, self.rate = start, anchor, rate

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.anchor) * self.rate)


class LogCounter(logging.Handler):
    """Counts ``run_retrying``'s "running it again" lines (a deadlock or serialization
    failure absorbed by a retry) and every WARNING or worse, by logger."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retries: Counter[str] = Counter()
        self.warnings: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "core.transactions" and record.levelno == logging.INFO:
            args = record.args if isinstance(record.args, tuple) else ()
            self.retries[str(args[0]) if args else "?"] += 1
        elif record.levelno >= logging.WARNING:
            self.warnings[record.name] += 1


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE / 2**20


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--cast", required=True, help="JSON file: students and mentors")
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--processes", type=int, required=True)
    parser.add_argument("--anchor", type=float, required=True, help="start, wall time (epoch)")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--clock-rate", type=float, default=3600.0)
    parser.add_argument("--tasks", type=int, default=2, help="people acting at once")
    parser.add_argument(
        "--shared-people",
        action="store_true",
        help="let the tasks act as the same people at once (a double press)",
    )
    parser.add_argument("--deliver", action="store_true")
    parser.add_argument("--sends", default=None, help="JSON lines, one per send")
    parser.add_argument("--tick-pause", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


class Driver:
    def __init__(self, args: argparse.Namespace, counter: LogCounter) -> None:
        self.args = args
        self.counter = counter
        self.clock = AnchoredClock(START, args.anchor, args.clock_rate)
        settings = Settings.model_validate({"DATABASE_URL": args.url, "min_notice_minutes": 0})
        self.runtime: Runtime = build_runtime(
            settings, clock=self.clock, migrate=False, apply_admins=False
        )
        cast = json.loads(Path(args.cast).read_text())
        mine = slice(args.index, None, args.processes)
        people = People(students=cast["students"][mine], mentors=cast["mentors"][mine])
        self.tally = Tally()
        rng = random.Random(args.seed)
        self.people = [
            Operations(
                self.runtime.ctx,
                people if args.shared_people else people.share(task, args.tasks),
                random.Random(rng.random()),
                self.tally,
            )
            for task in range(args.tasks)
        ]
        self.delivery = TickReport()
        self.ticks = self.failed_ticks = 0
        self.rss: list[tuple[float, float]] = []
        self.deadline = args.anchor + args.seconds

    async def act(self, ops: Operations) -> None:
        while time.time() < self.deadline:
            await ops.one()

    async def worker(self) -> None:
        """``bot/worker.py``'s scheduled work, tick after tick, as ``guarded_tick`` runs it."""
        sender = RecordingSender(platform=Platform.CONSOLE, log_path=self.args.sends)
        lease = timedelta(seconds=LEASE_SECONDS * self.args.clock_rate)
        engine = build_engine(self.runtime.ctx, [sender], FEEDS, batch_size=100, lease=lease)
        while time.time() < self.deadline:
            self.ticks += 1
            try:
                self.delivery.add(await tick(self.runtime.ctx, engine))
            except Exception as exc:  # the loop survives; the soak counts it as an error
                logging.getLogger(__name__).error("tick failed", exc_info=True)
                self.failed_ticks += 1
                self.tally.error("delivery_tick", exc)
            sender.sent.clear()  # the log file keeps them; memory must not
            await asyncio.sleep(self.args.tick_pause)

    async def sample_rss(self) -> None:
        while time.time() < self.deadline:
            self.rss.append((round(time.time() - self.args.anchor, 2), round(rss_mb(), 2)))
            await asyncio.sleep(1.0)
        self.rss.append((round(time.time() - self.args.anchor, 2), round(rss_mb(), 2)))

    async def run(self) -> dict[str, Any]:
        wait = self.args.anchor - time.time()
        if wait > 0:  # a common start line for every process
            await asyncio.sleep(wait)
        jobs = [self.act(ops) for ops in self.people] + [self.sample_rss()]
        if self.args.deliver:
            jobs.append(self.worker())
        await asyncio.gather(*jobs)
        tally = self.tally
        return {
            "index": self.args.index,
            "pid": os.getpid(),
            "deliver": self.args.deliver,
            "ops": {kind: dict(outcomes) for kind, outcomes in sorted(tally.ops.items())},
            "error_count": tally.error_count,
            "errors": tally.errors,
            "retries": sum(self.counter.retries.values()),
            "retries_by": dict(self.counter.retries),
            "warnings": dict(self.counter.warnings),
            "ticks": self.ticks,
            "failed_ticks": self.failed_ticks,
            "delivery": asdict(self.delivery),
            "rss_mb": self.rss,
        }


def main(argv: list[str] | None = None) -> int:
    counter = LogCounter()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger().addHandler(counter)
    logging.getLogger("core.transactions").setLevel(logging.INFO)
    args = parse(argv)
    driver = Driver(args, counter)
    try:
        summary = asyncio.run(driver.run())
    finally:
        driver.runtime.close()
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
