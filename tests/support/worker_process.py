"""A bot worker as a real OS process, for the multi-process delivery and sweep tests.

    python -m tests.support.worker_process --url URL --log FILE --clock ISO
        [--anchor EPOCH] [--lease-seconds 3] [--batch-size 50] [--delay 0.005]

It builds what ``bot/worker.py`` builds in production (a ServiceContext over ``URL``, a
:class:`RecordingSender` that appends one JSON line per send to ``FILE`` with ``O_APPEND``,
and ``build_engine`` with the mentors' feed on the console), then calls ``tick`` in a loop.

Time: in the deliver mode the clock is a :class:`MovableClock` that reads
``ISO + (wall time - anchor)`` afresh at every ``now()``, so every process started with the
same ``--anchor`` sees the same simulated instant, and a lease taken by a process that was
killed does run out for the others (with a clock frozen at ``ISO`` it never would; and a
clock moved only between ticks would stamp stale leases that other processes take over
while their owner is still sending). ``--clock-rate 0`` freezes it at ``ISO``.

Two modes:

* deliver (default): wait for the anchor if it is still ahead (a common start line),
  then tick until no PENDING row is due for ``--quiet-ticks`` consecutive
  checks (rows another process holds under a lease count as due, so a survivor waits for
  a dead process's lease to run out and takes its rows), or ``--timeout`` seconds;
* ``--steps N``: the periodic sweeps. At wall time ``anchor + k * --step-seconds`` the clock
  is set to ``ISO + k * --step-minutes`` and one tick runs (sweeps, then delivery), for
  k = 0..N; then the deliver mode finishes at the last instant with the clock frozen.

Prints one JSON summary line (its tick totals, and the state changes its sweeps won) and
exits 0 (3 if the timeout ran out first).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from dataclasses import asdict
from datetime import datetime, timedelta

import bot.worker
from bot.senders.recording import RecordingSender
from bot.worker import build_engine, tick
from core.clock import MovableClock
from core.delivery.engine import DeliveryEngine, TickReport
from core.errors import TemporaryFailure
from core.members import Platform
from core.services.context import ServiceContext
from core.services.sweeps import SweepReport, run_sweeps
from tests.support.delivery_world import FEEDS, World


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--clock", required=True, help="simulated instant at --anchor (ISO)")
    parser.add_argument("--anchor", type=float, default=None, help="wall time (epoch s)")
    parser.add_argument("--clock-rate", type=float, default=1.0)
    parser.add_argument("--lease-seconds", "--owner-seconds", type=float, default=3.0)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.005, help="seconds per send")
    parser.add_argument("--quiet-ticks", type=int, default=2)
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between ticks")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--step-minutes", type=float, default=1.0)
    parser.add_argument("--step-seconds", type=float, default=0.5)
    return parser.parse_args(argv)


class AnchoredClock(MovableClock):
    """``start + (wall time - anchor) * rate``: the same simulated instant in every process."""

    def __init__(self, start: datetime, anchor: float, rate: float) -> None:
        super().__init__(start)
        self._start, self._anchor, self._rate = start, anchor, rate

    def now(self) -> datetime:
        return self._start + timedelta(seconds=(time.time() - self._anchor) * self._rate)


class CountingSweeps:
    """Wraps ``run_sweeps`` as ``tick`` calls it, to report which changes this process won."""

    def __init__(self) -> None:
        self.won: dict[str, list[int]] = {"expired": [], "reannounced": [], "released": []}

    def __call__(self, ctx: ServiceContext, batch_size: int = 200) -> SweepReport:
        report = run_sweeps(ctx, batch_size)
        for name, ids in self.won.items():
            ids.extend(getattr(report, name))
        return report


class Worker:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.start = datetime.fromisoformat(args.clock)
        self.anchor = args.anchor if args.anchor is not None else time.time()
        self.world = World.open(args.url, self.start, pool_size=3)
        if args.steps is None:
            self.world.clock = AnchoredClock(self.start, self.anchor, args.clock_rate)
            self.world.ctx.clock = self.world.clock
        self.clock: MovableClock = self.world.clock
        self.ctx: ServiceContext = self.world.ctx
        sender = RecordingSender(platform=Platform.CONSOLE, log_path=args.log, delay=args.delay)
        self.engine: DeliveryEngine = build_engine(
            self.ctx,
            [sender],
            FEEDS,
            batch_size=args.batch_size,
            lease=timedelta(seconds=args.lease_seconds),
        )
        self.sweeps = CountingSweeps()
        bot.worker.run_sweeps = self.sweeps  # type: ignore[attr-defined]
        self.total = TickReport()
        self.ticks = 0
        self.failed_ticks = 0

    async def one_tick(self) -> None:
        """One production tick; a failed one (deadlock, lost connection) is logged and the
        next tick tries again, as ``start_scheduler`` does."""
        self.ticks += 1
        try:
            report = await tick(self.ctx, self.engine)
        except TemporaryFailure:
            self.failed_ticks += 1
            logging.exception("tick %s failed; trying again", self.ticks)
            return
        for name in vars(self.total):
            setattr(self.total, name, getattr(self.total, name) + getattr(report, name))

    async def deliver_until_quiet(self, deadline: float) -> bool:
        quiet = 0
        while time.monotonic() < deadline:
            await self.one_tick()
            if await asyncio.to_thread(self.world.due_pending) == 0:
                quiet += 1
                if quiet >= self.args.quiet_ticks:
                    return True
            else:
                quiet = 0
            await asyncio.sleep(self.args.poll)
        return False

    async def sweep_steps(self, deadline: float) -> bool:
        step = timedelta(minutes=self.args.step_minutes)
        for k in range(self.args.steps + 1):
            wait = self.anchor + k * self.args.step_seconds - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self.clock.set(self.start + k * step)
            await self.one_tick()  # a failed one is made up for by the next step's
        return await self.deliver_until_quiet(deadline)

    async def run(self) -> int:
        deadline = time.monotonic() + self.args.timeout
        if self.args.steps is None:
            if self.anchor > time.time():  # a start line, so that the workers race
                await asyncio.sleep(self.anchor - time.time())
            finished = await self.deliver_until_quiet(deadline)
        else:
            finished = await self.sweep_steps(deadline)
        summary = {
            "pid": os.getpid(),
            "owner": self.engine.owner,
            "ticks": self.ticks,
            "failed_ticks": self.failed_ticks,
            "finished": finished,
            **asdict(self.total),
            "won": self.sweeps.won,
        }
        print(json.dumps(summary), flush=True)
        self.world.close()
        return 0 if finished else 3


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return asyncio.run(Worker(parse(argv)).run())


if __name__ == "__main__":
    sys.exit(main())
