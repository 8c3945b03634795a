"""Throughput of the Telegram front-end: updates per second through ``process_update``.

N students walk the whole ``/request`` form (type button, title, description, duration,
urgency, from/until calendar days, hours Done, tags Done, "No preference", Submit) and then M claim
presses by approved mentors arrive; every update goes straight into
``Application.process_update`` (no polling, no webhook). The bot's outgoing Bot API calls
go to an in-process stub request (``StubRequest``) that answers at once with canned JSON,
so the figures are the bot's own cost (handlers, services, database), not HTTP.

The same update stream is then run through a bare python-telegram-bot application: one
``ConversationHandler`` with the same number of steps (each step answers the button and
sends a message with a keyboard, like the real form) and a claim button handler, no
database and no persistence, over the same stub. The ratio says what the product costs
on top of the library.

    .venv/bin/python -m benchmarks.telegram_throughput [--students 200] [--claims 100]
        [--mentors 10] [--backends sqlite,postgresql] [--profile postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sys
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a script, too

from sqlalchemy import text
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData
from telegram.warnings import PTBUserWarning

from benchmarks._common import START, approved_mentor, database, percentile
from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.telegram.update_processor import PerPersonUpdateProcessor
from bot.ops.gc_tuning import tune_gc_for_serving
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.forms import ALLOWED_DURATIONS, NO_PREFERENCE, Choice, form_steps
from core.members import Identity, Platform
from core.policy import Policy
from core.requests import RequestDraft, Urgency
from core.services.context import ServiceContext
from core.services.members import register_member

TOKEN = "7012345678:AAH3x9Qk_fakeTokenForBenchOnly-01234"
BOT_ID = 7012345678
ADMIN_ID = 1001
MENTOR_BASE = 300_000
STUDENT_BASE = 500_000
GROUP = -1001234567890
KIND = "career-guidance"  # a type with no extra fields: every student takes the same steps
FROM_DAY, UNTIL_DAY = "2026-03-03", "2026-03-06"


# ---------------------------------------------------------------------- the Bot API stub


class StubRequest(BaseRequest):
    """Answers every Bot API call at once, in process, with canned JSON."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.texts: Counter[str] = Counter()  # sendMessage / answer texts worth checking
        self._message_id = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        self.calls[endpoint] += 1
        params: dict[str, Any] = {}
        if request_data is not None:
            request_data.json_payload  # noqa: B018 - encode as the HTTP request would
            params = request_data.parameters
        result: Any
        if endpoint == "getMe":
            result = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif endpoint in ("sendMessage", "editMessageText"):
            self._message_id += 1
            body = str(params.get("text", ""))
            for marker in ("submitted", "You claimed", "earlier step", "no longer works"):
                if marker in body:
                    self.texts[marker] += 1
            chat_id = int(params.get("chat_id", 0) or 0)
            result = {
                "message_id": self._message_id,
                "date": int(START.timestamp()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bench"},
                "text": body,
            }
        elif endpoint == "answerCallbackQuery":
            answer = str(params.get("text") or "")
            for marker in ("You claimed", "no longer works", "wrong"):
                if marker in answer:
                    self.texts["answer:" + marker] += 1
            result = True
        else:
            result = True
        return 200, json.dumps({"ok": True, "result": result}).encode()


def use_stub(application: Application) -> StubRequest:  # type: ignore[type-arg]
    """Point an (uninitialized) application's bot at the stub: both of its requests."""
    stub = StubRequest()
    bot: Bot = application.bot
    bot._request = (stub, stub)
    return stub


# ---------------------------------------------------------------------- the update stream


@dataclass
class Stream:
    """Update JSON, in the order Telegram would deliver them."""

    form: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    steps: int = 0  # updates per student
    _update_id: int = 0
    _query_id: int = 0

    def _next(self) -> int:
        self._update_id += 1
        return self._update_id

    def message(self, user_id: int, body: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self._update_id + 1,
            "date": int(START.timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": f"U{user_id}"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"},
            "text": body,
        }
        if body.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(body.split()[0])}
            ]
        return {"update_id": self._next(), "message": message}

    def press(self, user_id: int, data: str, chat_id: int | None = None) -> dict[str, Any]:
        self._query_id += 1
        chat = chat_id if chat_id is not None else user_id
        return {
            "update_id": self._next(),
            "callback_query": {
                "id": f"q{self._query_id}",
                "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"},
                "chat_instance": f"ci{chat}",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(START.timestamp()),
                    "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bench"},
                    "text": "(the bot's previous message)",
                },
            },
        }


def form_script(catalogue: Catalogue) -> list[tuple[str, str]]:
    """One student's updates: ("text", body) or ("press", callback data), computed from
    the same ``form_steps`` the bot renders (with mentors to choose from)."""
    types = [t.code for t in catalogue.types]
    steps = form_steps(RequestDraft(session_type=KIND), catalogue, [Choice("1", "Mentor")])
    at = {s.field: i for i, s in enumerate(steps)}
    script = [
        ("text", "/request"),
        ("press", f"f:c:{at['session_type']}:{types.index(KIND)}"),
        ("text", "Moving from QA to backend"),
        ("text", "I test APIs all day; how do I start writing them?"),
        ("press", f"f:c:{at['duration_minutes']}:{list(ALLOWED_DURATIONS).index(45)}"),
        ("press", f"f:c:{at['urgency']}:{list(Urgency).index(Urgency.HIGH)}"),
        ("press", f"fd:{at['available_from']}:day:{FROM_DAY}"),
        ("press", f"fd:{at['available_until']}:day:{UNTIL_DAY}"),
        ("press", f"f:t:{at['student_hours']}:done"),  # the default hours: all three
        ("press", f"f:t:{at['tags']}:done"),
        ("press", f"f:c:{at['preferred_mentor_id']}:{0}"),  # No preference
        ("press", f"f:p:{at['preview']}:submit"),
    ]
    assert steps[at["preferred_mentor_id"]].choices[0].value == NO_PREFERENCE
    return script


def build_stream(
    students: list[int], script: list[tuple[str, str]], after: Stream | None = None
) -> Stream:
    """Students interleaved step by step: every conversation is open at once. Update and
    query ids go on from ``after`` (the bot ignores an update id it has seen)."""
    stream = Stream(steps=len(script))
    if after is not None:
        stream._update_id, stream._query_id = after._update_id, after._query_id
    for kind, value in script:
        for user in students:
            update = stream.message(user, value) if kind == "text" else stream.press(user, value)
            stream.form.append(update)
    return stream


def add_claims(stream: Stream, request_ids: list[int], mentors: list[int], claims: int) -> None:
    for i, request_id in enumerate(request_ids[:claims]):
        stream.claims.append(
            stream.press(mentors[i % len(mentors)], f"a:claim:{request_id}", GROUP)
        )


# ---------------------------------------------------------------------- driving


@dataclass
class Timing:
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0

    def add(self, other: Timing) -> Timing:
        return Timing(self.latencies + other.latencies, self.wall + other.wall)

    def line(self, label: str) -> str:
        n = len(self.latencies)
        rate = n / self.wall if self.wall else float("nan")
        return (
            f"{label:<34} {n:>6} updates  {rate:>8.0f} upd/s  "
            f"p50 {percentile(self.latencies, 0.5) * 1000:7.2f} ms  "
            f"p99 {percentile(self.latencies, 0.99) * 1000:7.2f} ms"
        )


async def drive(
    application: Application,  # type: ignore[type-arg]
    updates: list[dict[str, Any]],
    profiler: cProfile.Profile | None = None,
) -> Timing:
    """Every update through ``process_update``, handed to the application's own update
    processor the way its update fetcher does (a task per update; the processor decides
    how many run at once and in which order). Latency is measured from the moment the
    processor starts an update (queueing behind others is not counted; the wall time
    is). Parsing the JSON is part of the cost."""
    bot = application.bot
    timing = Timing()
    clock = time.perf_counter
    processor = application.update_processor

    async def timed(update: Update) -> None:
        t0 = clock()
        await application.process_update(update)
        timing.latencies.append(clock() - t0)

    if profiler is not None:
        profiler.enable()
    began = clock()
    if processor.max_concurrent_updates == 1:
        for payload in updates:
            update = Update.de_json(payload, bot)
            await processor.process_update(update, timed(update))
    else:
        tasks = []
        for payload in updates:
            update = Update.de_json(payload, bot)
            tasks.append(asyncio.create_task(processor.process_update(update, timed(update))))
        await asyncio.gather(*tasks)
    timing.wall = clock() - began
    if profiler is not None:
        profiler.disable()
    return timing


# ---------------------------------------------------------------------- the real bot


def seed_mentors(ctx: ServiceContext, count: int) -> list[int]:
    """Approved mentors with Telegram identities, free all day every day."""
    admin, _ = register_member(ctx, Identity(Platform.TELEGRAM, str(ADMIN_ID)), "Admin", admin=True)
    users = [MENTOR_BASE + i for i in range(count)]
    for i, user_id in enumerate(users):
        approved_mentor(ctx, admin.id, Identity(Platform.TELEGRAM, str(user_id)), f"Mentor {i}")
    return users


def watch_sql(engine: Any, tally: Counter[str]) -> None:
    """Tally database round trips: statements by their first words, pool checkouts."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        words = " ".join(sql.split()[:4])
        tally[words[:70]] += 1
        tally["(all statements)"] += 1

    @event.listens_for(engine, "checkout")
    def checkout(*args: Any) -> None:
        tally["(pool checkouts)"] += 1

    @event.listens_for(engine, "commit")
    def commit(*args: Any) -> None:
        tally["(commits)"] += 1


def report_sql(kind: str, phase: str, tally: Counter[str], updates: int) -> None:
    print(f"  {kind} {phase}: database work per update")
    for what, n in tally.most_common(14):
        print(f"    {n / updates:6.2f}  {what}")


async def run_real(
    kind: str,
    students: int,
    claims: int,
    mentors: int,
    warmup: int,
    profile: bool,
    count_sql: bool = False,
    concurrency: int = 16,
) -> tuple[Timing, Timing, StubRequest, cProfile.Profile | None]:
    with database(kind) as url:
        settings = Settings(
            _env_file=None,
            database_url=url,
            telegram_token=TOKEN,
            telegram_concurrent_updates=concurrency,
            admins=[f"telegram:{ADMIN_ID}"],
        )
        runtime = build_runtime(settings, clock=MovableClock(START), migrate=False, policy=Policy())
        engine, ctx = runtime.engine, runtime.ctx
        mentor_users = seed_mentors(ctx, mentors)
        sql: Counter[str] = Counter()
        if count_sql:
            watch_sql(engine, sql)
        application = runtime.telegram_application()
        stub = use_stub(application)
        tune_gc_for_serving()  # as the runner does, once the app is built
        await application.initialize()
        try:
            script = form_script(ctx.catalogue)
            # warm-up students (not measured): caches, compiled statements, pool
            warm = build_stream([STUDENT_BASE - 1 - i for i in range(warmup)], script)
            await drive(application, warm.form)
            stream = build_stream([STUDENT_BASE + i for i in range(students)], script, warm)
            profiler = cProfile.Profile() if profile else None
            sql.clear()
            form = await drive(application, stream.form, profiler)
            if count_sql:
                report_sql(kind, "form", sql, len(stream.form))
            with engine.connect() as connection:
                request_ids = list(
                    connection.execute(
                        text(
                            "SELECT r.id FROM mentorship_requests r "
                            "JOIN member_identities i ON i.member_id = r.student_id "
                            "WHERE i.external_id >= :low ORDER BY r.id"
                        ),
                        {"low": str(STUDENT_BASE)},
                    ).scalars()
                )
            add_claims(stream, request_ids, mentor_users, claims)
            sql.clear()
            claimed = await drive(application, stream.claims, profiler)
            if count_sql:
                report_sql(kind, "claims", sql, len(stream.claims))
            with engine.connect() as connection:
                done = connection.execute(
                    text("SELECT count(*) FROM mentorship_requests WHERE claimed_by IS NOT NULL")
                ).scalar()
            check(kind, stub, students + warmup, len(request_ids), students, claims, done)
        finally:
            await application.shutdown()
            engine.dispose()
    return form, claimed, stub, profiler


def check(
    kind: str, stub: StubRequest, submitted: int, found: int, students: int, claims: int,
    claimed: Any,
) -> None:  # fmt: skip
    problems = []
    if stub.texts["submitted"] != submitted:
        problems.append(f"{stub.texts['submitted']} 'submitted' replies, expected {submitted}")
    if found != students:
        problems.append(f"{found} requests in the database, expected {students}")
    if claimed != min(claims, students):
        problems.append(f"{claimed} claimed requests, expected {min(claims, students)}")
    for marker in ("earlier step", "no longer works", "answer:no longer works", "answer:wrong"):
        if stub.texts[marker]:
            problems.append(f"{stub.texts[marker]} x {marker!r}")
    if problems:
        raise SystemExit(f"{kind}: the run did not do what it should: " + "; ".join(problems))


# ---------------------------------------------------------------------- the bare baseline


# the floor's durable step (benchmarks/_floor.py): update id, person, state -> first time?
Durable = Callable[[int, int, dict[str, Any]], Awaitable[bool]]


def bare_application(
    steps: int, concurrency: int | None = None, durable: Durable | None = None
) -> Application:  # type: ignore[type-arg]
    """A ConversationHandler with ``steps`` updates per conversation and no database: each
    step answers the press (if any) and sends a message with a keyboard. With
    ``concurrency``, the product's per-person update processor handles that many people
    at once (else PTB's default, one update at a time); ``durable`` (the floor in
    ``benchmarks/_floor.py``) is called by every step before it answers."""
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(f"Choice {i}", callback_data=f"x:{i}") for i in range(2)],
            [InlineKeyboardButton("« Back", callback_data="f:back")],
        ]
    )

    async def stored(update: Update, state: dict[str, Any]) -> bool:
        if durable is None:
            return True
        assert update.effective_user is not None
        return await durable(update.update_id, update.effective_user.id, state)

    def make_step(next_state: int) -> Any:
        async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            assert context.user_data is not None
            context.user_data["position"] = next_state
            if not await stored(update, context.user_data):
                return next_state  # a repeated update: no second answer
            if update.callback_query is not None:
                await update.callback_query.answer()
            assert update.effective_chat is not None
            await update.effective_chat.send_message(f"Step {next_state}", reply_markup=keyboard)
            return next_state if next_state < steps else ConversationHandler.END

        return step

    async def claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None and update.effective_user is not None
        assert context.user_data is not None
        context.user_data["claimed"] = update.callback_query.data
        if not await stored(update, context.user_data):
            return
        await update.callback_query.answer("You claimed it.")
        await context.bot.send_message(
            update.effective_user.id, "Pick a time", reply_markup=keyboard
        )

    states = {
        n: [
            CallbackQueryHandler(make_step(n + 1), pattern=r"^f"),
            MessageHandler(filters.TEXT & ~filters.COMMAND, make_step(n + 1)),
        ]
        for n in range(1, steps)
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("request", make_step(1))],
            states=states,  # type: ignore[arg-type]
            fallbacks=[],
            allow_reentry=True,
        )
    builder = Application.builder().token(TOKEN)
    if concurrency is not None:
        builder = builder.concurrent_updates(PerPersonUpdateProcessor(concurrency))
    application = builder.build()
    application.add_handler(conversation)
    application.add_handler(CallbackQueryHandler(claim, pattern=r"^a:claim:"))
    return application


async def run_bare(students: int, claims: int, warmup: int) -> tuple[Timing, Timing, StubRequest]:
    script = form_script(Catalogue.load())
    application = bare_application(len(script))
    stub = use_stub(application)
    await application.initialize()
    try:
        warm = build_stream([STUDENT_BASE - 1 - i for i in range(warmup)], script)
        await drive(application, warm.form)
        stream = build_stream([STUDENT_BASE + i for i in range(students)], script, warm)
        add_claims(stream, list(range(1, students + 1)), [MENTOR_BASE + i for i in range(10)],
                   claims)  # fmt: skip
        form = await drive(application, stream.form)
        claimed = await drive(application, stream.claims)
        if application.user_data.get(STUDENT_BASE, {}).get("position") != len(script):
            raise SystemExit("bare: the conversation did not reach its last step")
    finally:
        await application.shutdown()
    return form, claimed, stub


# ---------------------------------------------------------------------- main


def top_of(profiler: cProfile.Profile, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--mentors", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", default="", help="a backend to run under cProfile")
    parser.add_argument("--profile-lines", type=int, default=35)
    parser.add_argument("--sql", action="store_true", help="count statements per update")
    parser.add_argument(
        "--concurrency",
        default="1,16",
        help="updates of different people handled at once by the bot; each value is a run",
    )
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")

    steps = len(form_script(Catalogue.load()))
    print(
        f"{args.students} students x {steps} form updates, {args.claims} claims by "
        f"{args.mentors} mentors; process_update via the application's update processor "
        "(xN: N people at once), stub Bot API"
    )
    bare_form, bare_claims, bare_stub = await run_bare(args.students, args.claims, args.warmup)
    bare_all = bare_form.add(bare_claims)
    print(bare_form.line("bare PTB ConversationHandler: form"))
    print(bare_claims.line("bare PTB: claims"))
    print(bare_all.line("bare PTB: all"))
    print(f"  bare Bot API calls: {dict(bare_stub.calls)}")
    bare_rate = len(bare_all.latencies) / bare_all.wall
    kinds = [k.strip() for k in args.backends.split(",") if k.strip()]
    for kind, concurrency in [(k, int(c)) for k in kinds for c in args.concurrency.split(",")]:
        form, claimed, stub, profiler = await run_real(
            kind,
            args.students,
            args.claims,
            args.mentors,
            args.warmup,
            kind == args.profile,
            args.sql,
            concurrency,
        )
        both = form.add(claimed)
        rate = len(both.latencies) / both.wall
        label = f"{kind} x{concurrency}"
        print(form.line(f"{label}: form"))
        print(claimed.line(f"{label}: claims"))
        print(both.line(f"{label}: all"))
        print(
            f"  {label}: bare/bot throughput ratio {bare_rate / rate:.1f}x; "
            f"aim 1500 upd/s: {'met' if rate >= 1500 else 'NOT met'}; "
            f"Bot API calls {dict(stub.calls)}"
        )
        if profiler is not None:
            print(f"\n=== cProfile, {kind}, form + claims ===")
            print(top_of(profiler, args.profile_lines))


if __name__ == "__main__":
    asyncio.run(main())
