"""The hot path at the framework's own cost (issue 14): every figure in one run, on PostgreSQL.

    python -m benchmarks.hot_path [--quick | --tiny] [--url postgresql+psycopg://...]
        [--profile]

In one process, each part in a private schema of its own (created, migrated, dropped):

1. bare python-telegram-bot (``telegram_throughput``'s bare ``ConversationHandler`` app,
   one update at a time and N people at once through the product's per-person update
   processor);
2. the durable-state floor (``benchmarks._floor``): the bare app plus, per update, one
   psycopg round trip that de-duplicates the update id, reads the person's state row and
   writes it back; per update, and batched across people;
3. the product's Telegram path (``telegram_throughput.run_real``: the /request form and
   claims through ``process_update``, stub Bot API) at 1, 16 and (full run) 64 people
   at once;
4. bare Bolt and the product's Slack path (``slack_throughput``: signed submissions and
   claims through ``async_dispatch``, 32 in flight): CPU per request, ack p99;
5. the lifecycle, submit -> claim -> slots -> schedule -> complete -> rate, per second;
6. the 100-way claim race: winners, p50/p99 claim latency, after one race not measured
   (a running process has its connections open already). Racers are capped at the
   server's free connections (max_connections - reserved - in use - a margin of 10);
   the output says when the cap bites. The same presses then go at requests claimed
   before them (no winner, no row lock to wait for): the difference is the lock's wait;
7. RSS of the Telegram bot after 10,000 people with half-filled request forms each sent
   it an update (``benchmarks._rss_child``, a fresh process).

It ends with one ``result`` line per figure, for a script to read. ``--quick`` (under two
minutes) and ``--tiny`` (for the test) run fewer people; ``--profile`` adds a cProfile of
the Telegram path at 16 at once (not part of the figures). Exit status 1 when any part
failed its own checks (its figures then read nan).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import math
import os
import pstats
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a script, too

import psycopg
from pydantic import SecretStr

from benchmarks import _common
from benchmarks import _floor as floor
from benchmarks import lifecycle as lc
from benchmarks import slack_throughput as sl
from benchmarks import telegram_throughput as tg
from benchmarks._common import START, database, percentile
from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.telegram.persistence import user_key
from bot.ops.gc_tuning import tune_gc_for_serving
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.policy import Policy
from db.frontend_state import FrontEndStore

NAN = float("nan")
PG = "postgresql"
T = TypeVar("T")


@dataclass(frozen=True)
class Size:
    students: int  # Telegram: each walks the whole form
    claims: int
    mentors: int
    warmup: int
    slack_students: int
    slack_claims: int
    lifecycles: int
    race_rounds: int
    racers: int
    forms: int  # people holding a half-filled form, for the RSS figure
    wide: bool  # also 64 people at once
    repeat: int  # runs of each bare and floor figure (short runs): the median is taken


SIZES = {
    "tiny": Size(16, 8, 4, 2, 16, 8, 10, 1, 100, 10_000, False, 1),
    "quick": Size(64, 32, 10, 4, 60, 30, 60, 3, 100, 10_000, False, 3),
    "full": Size(200, 100, 10, 10, 200, 100, 300, 10, 100, 10_000, True, 3),
}


@dataclass
class Figures:
    values: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> float:
        return self.values.get(name, NAN)


def number(value: float, digits: int = 1) -> str:
    return "nan" if math.isnan(value) else f"{value:.{digits}f}"


def ms(seconds: float) -> float:
    return seconds * 1000


# ---------------------------------------------------------------------- Telegram


@dataclass
class TelegramRun:
    label: str
    updates: int
    wall: float
    cpu: float
    latencies: list[float]
    note: str = ""

    @property
    def rate(self) -> float:
        return self.updates / self.wall if self.wall else NAN

    def line(self) -> str:
        return (
            f"  {self.label:<40} {self.updates:>6} updates {self.rate:>8.0f} upd/s  "
            f"cpu {ms(self.cpu) / max(1, self.updates):5.2f} ms/upd  "
            f"p50 {ms(percentile(self.latencies, 0.5)):7.2f} ms  "
            f"p99 {ms(percentile(self.latencies, 0.99)):7.2f} ms{self.note}"
        )


_cpu_of_drives: list[float] = []
_drive = tg.drive
_profiling: sl.ProfilingExecutor | None = None  # worker threads' profiles (``--profile``)


async def _drive_counting_cpu(
    application: Any, updates: list[dict[str, Any]], profiler: cProfile.Profile | None = None
) -> tg.Timing:
    """``telegram_throughput.drive``, also noting the process CPU time (all threads) it
    took: ``run_real`` does not return it."""
    began = time.process_time()
    if _profiling is not None and profiler is not None:
        _profiling.active = True  # the measured updates only, as ``run_real``'s profiler
    try:
        timing = await _drive(application, updates, profiler)
    finally:
        if _profiling is not None:
            _profiling.active = False
    _cpu_of_drives.append(time.process_time() - began)
    return timing


async def product_telegram(size: Size, concurrency: int, profile: bool = False) -> TelegramRun:
    """The product's form + claims (``telegram_throughput.run_real``) on PostgreSQL."""
    _cpu_of_drives.clear()
    tg.drive = _drive_counting_cpu
    try:
        form, claimed, _, profiler = await tg.run_real(
            PG, size.students, size.claims, size.mentors, size.warmup, profile, False, concurrency
        )
    finally:
        tg.drive = _drive
    both = form.add(claimed)
    run = TelegramRun(
        f"product x{concurrency}", len(both.latencies), both.wall, sum(_cpu_of_drives[-2:]),
        both.latencies,
        f"  (claims p50 {ms(percentile(claimed.latencies, 0.5)):.1f} ms)",
    )  # fmt: skip
    if profiler is not None:
        profiled.append(profiler)
    return run


profiled: list[cProfile.Profile] = []


async def floor_telegram(
    size: Size, concurrency: int, url: str | None, mode: str = "one"
) -> TelegramRun:
    """Bare PTB (``url`` None) or the floor: the median run by rate of ``size.repeat``."""
    runs: list[TelegramRun] = []
    for _ in range(size.repeat):
        found = await floor.run_floor(
            url, size.students, size.claims, size.warmup, concurrency, mode
        )
        timing = found.timing
        what = "bare PTB" if url is None else f"floor ({mode})"
        note = "" if url is None else f"  ({found.round_trips} round trips)"
        label = f"{what} x{concurrency}"
        runs.append(
            TelegramRun(
                label, len(timing.latencies), timing.wall, found.cpu, timing.latencies, note
            )
        )
    runs.sort(key=lambda r: r.rate)
    median = runs[len(runs) // 2]
    if len(runs) > 1:
        median.note += f"  (median of {len(runs)}: " + ", ".join(f"{r.rate:.0f}" for r in runs)
        median.note += " upd/s)"
    return median


async def bare_sequential(size: Size) -> TelegramRun:
    """``telegram_throughput.run_bare`` as it is: PTB's default, one update at a time."""
    began = time.process_time()
    form, claimed, _ = await tg.run_bare(size.students, size.claims, size.warmup)
    both = form.add(claimed)
    cpu = time.process_time() - began  # includes its warm-up: an upper bound
    return TelegramRun("bare PTB x1 (PTB's default processor)", len(both.latencies), both.wall,
                       cpu, both.latencies, "  (cpu includes warm-up)")  # fmt: skip


# ---------------------------------------------------------------------- Slack


@dataclass
class SlackRun:
    cpu_ms: float
    bare_cpu_ms: float
    submit_p99: float
    claim_p99: float
    lines: list[str]
    problems: list[str]


async def slack(size: Size, concurrency: int = 32) -> SlackRun:
    args = argparse.Namespace(
        students=size.slack_students, claims=size.slack_claims, mentors=size.mentors,
        warmup=size.warmup, concurrency=concurrency, sql=False,
    )  # fmt: skip
    run = await sl.run_real(PG, args, None, None)
    bare_form, bare_claims, _ = await sl.run_bare(run, concurrency)
    bare, both = bare_form.add(bare_claims), run.form.add(run.claimed)
    lines = [
        bare.line("  bare Bolt: all"),
        run.form.line("  product: submissions"),
        run.claimed.line("  product: claims"),
        both.line("  product: all"),
    ]
    return SlackRun(
        ms(both.cpu) / max(1, len(both.latencies)),
        ms(bare.cpu) / max(1, len(bare.latencies)),
        ms(percentile(run.form.latencies, 0.99)),
        ms(percentile(run.claimed.latencies, 0.99)),
        lines,
        [f"slack: {p}" for p in run.problems],
    )


# ---------------------------------------------------------------------- services


def lifecycles(count: int) -> float:
    """Lifecycles per second on PostgreSQL (``lifecycle.lifecycle_seconds``)."""
    return count / lc.lifecycle_seconds(PG, count)


def claim_race(rounds: int, racers: int, claimed_first: bool = False) -> lc.Race:
    """The 100-way race on PostgreSQL (``lifecycle.race_rounds``)."""
    return lc.race_rounds(PG, rounds, racers, claimed_first=claimed_first)


# ---------------------------------------------------------------------- memory


async def half_filled_form(url: str) -> dict[str, Any]:
    """One person's ``user_data`` row after the first half of the /request form, as the
    product stores it (driven through the real bot)."""
    settings = Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings' own
        _env_file=None, database_url=url, telegram_token=SecretStr(tg.TOKEN),
        admins=[f"telegram:{tg.ADMIN_ID}"],
    )  # fmt: skip
    runtime = build_runtime(settings, clock=MovableClock(START), migrate=False, policy=Policy())
    try:
        tg.seed_mentors(runtime.ctx, 10)
        application = runtime.telegram_application()
        tg.use_stub(application)
        await application.initialize()
        try:
            script = tg.form_script(runtime.ctx.catalogue)
            stream = tg.build_stream([tg.STUDENT_BASE], script[: len(script) // 2])
            await tg.drive(application, stream.form)
        finally:
            await application.shutdown()
        row = runtime.store.load(user_key(tg.STUDENT_BASE))
    finally:
        runtime.engine.dispose()
    if not row or "form" not in row:
        raise SystemExit(f"rss: no form stored after half the steps: {row!r}")
    return row


def store_forms(url: str, state: dict[str, Any], count: int) -> None:
    """``count`` people with that form (each with a title of their own), in one COPY."""
    body = json.dumps(state)
    title = "Moving from QA to backend"
    if title not in body:
        raise SystemExit("rss: the half-filled form has no title to vary")
    now = datetime.now(UTC)
    with (
        psycopg.connect(floor.libpq_url(url), autocommit=True) as conn,
        conn.cursor() as cursor,
        cursor.copy("COPY conversation_state (key, value, updated_at, version) FROM STDIN") as copy,
    ):
        for i in range(count):
            value = body.replace(title, f"{title} ({i})")
            copy.write_row((user_key(tg.STUDENT_BASE + 1 + i), value, now, 1))


async def rss_of_forms(count: int) -> dict[str, Any]:
    with database(PG) as url:
        state = await half_filled_form(url)  # one person's, and ``count - 1`` copies
        store_forms(url, state, count - 1)
        child = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "benchmarks._rss_child", url, str(count)],
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            timeout=300,
        )
    if child.returncode != 0:
        raise SystemExit(f"rss: the child failed ({child.returncode}): {child.stderr[-2000:]}")
    found: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    found["state_bytes"] = len(json.dumps(state))
    return found


# ---------------------------------------------------------------------- profile


def top_of(stats: pstats.Stats, limit: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(limit)
    out.write("--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


async def profile_telegram(size: Size, concurrency: int, lines: int) -> None:
    """The product at ``concurrency`` people at once under cProfile, its measured updates
    only: the event loop thread, and the worker threads summed (the loop's default
    executor, i.e. ``asyncio.to_thread``: services and their database work; and the state
    batcher's threads, i.e. ``FrontEndStore.apply_batch``)."""
    global _profiling
    executor = _profiling = sl.ProfilingExecutor()
    asyncio.get_running_loop().set_default_executor(executor)
    apply_batch = FrontEndStore.apply_batch

    def profiled_batch(store: FrontEndStore, *args: Any, **kwargs: Any) -> Any:
        if not executor.active:
            return apply_batch(store, *args, **kwargs)
        return executor._profiled(apply_batch, store, *args, **kwargs)

    FrontEndStore.apply_batch = profiled_batch  # type: ignore[method-assign,assignment]
    try:
        await product_telegram(size, concurrency, profile=True)
    finally:
        FrontEndStore.apply_batch = apply_batch  # type: ignore[method-assign]
        _profiling = None
    print(f"\n=== cProfile, product Telegram x{concurrency}: the event loop thread ===")
    print(top_of(pstats.Stats(profiled[-1]), lines))
    if executor.profiles:
        stats = pstats.Stats(executor.profiles[0])
        stats.add(*executor.profiles[1:])
        print(
            f"=== cProfile, product Telegram x{concurrency}: the {len(executor.profiles)} "
            "worker threads, summed (their waits on the database included) ==="
        )
        print(top_of(stats, lines))


# ---------------------------------------------------------------------- main


async def part(figures: Figures, name: str, work: Callable[[], Awaitable[T]]) -> T | None:
    """Run one part; a failure is noted (its figures stay nan) and the rest goes on."""
    began = time.perf_counter()
    print(f"[{name}]", flush=True)
    try:
        result = await work()
    except (Exception, SystemExit) as error:
        message = f"{name}: {type(error).__name__}: {error}"
        figures.problems.append(message)
        print(f"  FAILED {message}")
        if not isinstance(error, SystemExit):
            print("  " + "".join(traceback.format_exception(error)).replace("\n", "\n  "))
        return None
    print(f"  ({time.perf_counter() - began:.1f} s)", flush=True)
    return result


async def run(size: Size, figures: Figures) -> None:
    v = figures.values
    t = figures.problems

    async def telegram_parts() -> None:
        x16 = 16
        bare1 = await bare_sequential(size)
        print(bare1.line())
        bare = await floor_telegram(size, x16, None)
        print(bare.line())
        v["bare_per_s"] = bare.rate
        with database(PG) as url:
            one = await floor_telegram(size, x16, url)
            print(one.line())
            v["floor_per_s"] = one.rate
            batched = await floor_telegram(size, x16, url, "batched")
            print(batched.line())
            if size.wide:
                for mode in ("one", "batched"):
                    print((await floor_telegram(size, 64, url, mode)).line())
        if size.wide:
            print((await floor_telegram(size, 64, None)).line())

    await part(figures, "bare python-telegram-bot and the durable-state floor", telegram_parts)

    async def product_parts() -> None:
        x1 = await product_telegram(size, 1)
        print(x1.line())
        v["x1_per_s"], v["x1_p99"] = x1.rate, ms(percentile(x1.latencies, 0.99))
        x16 = await product_telegram(size, 16)
        print(x16.line())
        v["x16_per_s"], v["x16_p99"] = x16.rate, ms(percentile(x16.latencies, 0.99))
        if size.wide:
            print((await product_telegram(size, 64)).line())

    await part(figures, "the product's Telegram path", product_parts)

    async def slack_part() -> None:
        found = await slack(size)
        print("\n".join(found.lines))
        if found.problems:
            t.extend(found.problems)
            print("  check FAILED: " + "; ".join(found.problems))
            return
        v["slack_cpu"], v["slack_bare_cpu"] = found.cpu_ms, found.bare_cpu_ms
        v["slack_submit_p99"], v["slack_claim_p99"] = found.submit_p99, found.claim_p99

    await part(figures, "bare Bolt and the product's Slack path", slack_part)

    async def lifecycle_part() -> None:
        rate = await asyncio.to_thread(lifecycles, size.lifecycles)
        print(f"  {size.lifecycles} lifecycles: {rate:.1f} per second ({1000 / rate:.1f} ms each)")
        v["lifecycle"] = rate

    await part(figures, "the lifecycle", lifecycle_part)

    async def race_part() -> None:
        race = await asyncio.to_thread(claim_race, size.race_rounds, size.racers)
        print(f"  claim race: {race.note}")
        print(
            f"  {len(race.winners)} rounds after one not measured (it opens the pool's "
            f"connections), winners per round {race.winners}; claim latency "
            f"p50 {ms(percentile(race.latencies, 0.5)):.1f} ms, "
            f"p99 {ms(percentile(race.latencies, 0.99)):.1f} ms"
        )
        wrong = [w for w in race.winners if w != 1]
        v["winners"] = wrong[0] if wrong else 1
        if wrong:
            t.append(f"claim race: winners per round {race.winners}")
        v["race_p50"] = ms(percentile(race.latencies, 0.5))
        v["race_p99"] = ms(percentile(race.latencies, 0.99))
        # the same presses with no lock to wait for: what the race costs without the lock
        held = await asyncio.to_thread(claim_race, size.race_rounds, size.racers, True)
        print(
            f"  the same presses on requests claimed before them (no winner, no row lock "
            f"to wait for): p50 {ms(percentile(held.latencies, 0.5)):.1f} ms, "
            f"p99 {ms(percentile(held.latencies, 0.99)):.1f} ms (the race's excess over "
            "these is its wait on the row lock; these are the presses' own work, 100 "
            "threads in one process)"
        )
        if any(w != 0 for w in held.winners):
            t.append(f"claim race on claimed requests: winners per round {held.winners}")

    await part(figures, "the 100-way claim race", race_part)

    async def rss_part() -> None:
        found = await rss_of_forms(size.forms)
        print(
            f"  {found['forms']} half-filled forms ({found['state_bytes']} bytes of JSON each),"
            f" each person served once by a fresh bot process: RSS {found['rss_mb']:.1f} MB "
            f"(after imports {found['imported_mb']:.1f} MB, peak {found['peak_mb']:.1f} MB; "
            f"{found['resident']} people still held in memory)"
        )
        v["rss"] = found["rss_mb"]

    await part(figures, f"RSS with {size.forms:,} half-filled forms", rss_part)


def results(figures: Figures) -> list[str]:
    g = figures.get
    ratio = g("bare_per_s") / g("x16_per_s")
    floor_ratio = g("floor_per_s") / g("x16_per_s")
    slack_ratio = g("slack_cpu") / g("slack_bare_cpu")
    return [
        f"result telegram_pg_x16 updates_per_s={number(g('x16_per_s'))} "
        f"bare_per_s={number(g('bare_per_s'))} ratio={number(ratio, 2)} "
        f"floor_per_s={number(g('floor_per_s'))} floor_ratio={number(floor_ratio, 2)} "
        f"p99_ms={number(g('x16_p99'), 2)}",
        f"result telegram_pg_x1 updates_per_s={number(g('x1_per_s'))} "
        f"p99_ms={number(g('x1_p99'), 2)}",
        f"result slack_pg cpu_ms_per_req={number(g('slack_cpu'), 2)} "
        f"bare_cpu_ms_per_req={number(g('slack_bare_cpu'), 2)} ratio={number(slack_ratio, 2)} "
        f"submit_ack_p99_ms={number(g('slack_submit_p99'), 1)} "
        f"claim_ack_p99_ms={number(g('slack_claim_p99'), 1)}",
        f"result lifecycle_pg per_s={number(g('lifecycle'))}",
        f"result claim_race_pg winners={number(g('winners'), 0)} "
        f"p50_ms={number(g('race_p50'), 1)} p99_ms={number(g('race_p99'), 1)}",
        f"result rss_10k_forms_mb={number(g('rss'))}",
    ]


async def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", action="store_true", help="a run under two minutes")
    sizes.add_argument("--tiny", action="store_true", help="the smallest run (for the test)")
    parser.add_argument("--url", default=_common.POSTGRES_URL, help="the PostgreSQL server")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile the Telegram path at 16 at once"
    )
    parser.add_argument("--profile-lines", type=int, default=15)
    args = parser.parse_args()
    name = "tiny" if args.tiny else "quick" if args.quick else "full"
    size = SIZES[name]
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    _common.POSTGRES_URL = args.url  # ``database()`` makes its schemas on this server
    sl.only_loopback()
    print(
        f"hot path, {name} run, PostgreSQL at {args.url.split('@')[-1]}: Telegram "
        f"{size.students} students x {len(tg.form_script(Catalogue.load()))} form updates + "
        f"{size.claims} claims; Slack {size.slack_students} submissions + "
        f"{size.slack_claims} claims, 32 in flight; {size.lifecycles} lifecycles; "
        f"{size.race_rounds} claim race(s) of {size.racers}; {size.forms:,} forms held",
        flush=True,
    )
    # the collector as a serving process sets it (bot.ops.gc_tuning), for the bare
    # frameworks' runs as for the product's: the same settings on both sides
    tune_gc_for_serving()
    began = time.perf_counter()
    figures = Figures()
    await run(size, figures)
    if args.profile:
        await part(
            figures,
            "profile",
            lambda: profile_telegram(size, 16, args.profile_lines),
        )
    print(f"\n{threading.active_count()} threads; {time.perf_counter() - began:.0f} s in all")
    if figures.problems:
        print("FAILED: " + " | ".join(figures.problems))
    print("\n".join(results(figures)), flush=True)
    return 1 if figures.problems else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
