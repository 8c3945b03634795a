"""Throughput of the Slack front-end: signed requests per second through ``async_dispatch``.

N students (registered Slack members) each submit the request modal (a signed
``view_submission`` whose ``view.state`` is filled like Slack fills it, for the modal the
app renders with ``request_modal``), then M approved mentors each press Claim on one of
the posted requests (a signed ``block_actions`` from the mentors channel). Every request
is an ``AsyncBoltRequest`` built from the signed body and headers and handed to
``AsyncApp.async_dispatch`` of the app ``build_slack_app`` builds: no HTTP server, but
Bolt's signature check, the app's middleware (dedup, identify), the listeners and the
services all run. ``async_dispatch`` returns when the listener has called ``ack()``; that
is the ack latency. Bolt runs the rest of the listener (the DM, the Home tab refresh) in
an asyncio task after the ack; the run waits for those tasks, so the second figure is the
throughput with every side effect in the database and every Web API call made.

The Web API is an in-process stub (``StubSession``, handed to the client as its aiohttp
session): slack_sdk still builds and encodes each call and validates the canned answer,
but nothing is sent anywhere. Only 127.0.0.1 may be contacted (PostgreSQL).

Slack delivers requests concurrently and an HTTP server handles them concurrently, so
``--concurrency`` requests are in flight at once (Bolt waits for an ack by polling every
10 ms, so one request at a time cannot go beyond about 100 per second, bare or not).

The same signed requests then go through a bare Bolt ``AsyncApp`` (same signing secret,
same stub; one view and one action listener that only ``ack()``, no database); the ratio
says what the product costs on top of the library.

Each line gives the ack throughput and p50/p99 ack latency, the throughput with the
after-ack work done, and the process CPU time (all threads) per request. ``--sql`` counts
the statements and transactions per request, split by whether the request had been acked
(a context variable follows each request into Bolt's listener task and the worker threads)
and by the core service that ran them; ``--profile`` runs cProfile on the event loop thread
and on each worker thread of ``asyncio.to_thread``.

    .venv/bin/python -m benchmarks.slack_throughput [--students 200] [--claims 100]
        [--mentors 10] [--concurrency 32] [--backends sqlite,postgresql]
        [--profile postgresql] [--sql]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import itertools
import json
import os
import pstats
import re
import secrets
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a script, too

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text

from benchmarks._common import START, approved_mentor, database, percentile
from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.slack.blocks import actions_blocks, button, sections
from bot.handlers.slack.common import SORRY, STALE
from bot.handlers.slack.home_refresh import TASK_NAME as HOME_TASK
from bot.handlers.slack.modals import REQUEST_CALLBACK, request_modal
from bot.ops.gc_tuning import tune_gc_for_serving
from core.clock import MovableClock
from core.forms import Choice
from core.members import Identity, Platform
from core.policy import Policy
from core.requests import RequestDraft
from core.services.context import ServiceContext
from core.services.members import register_member
from core.services.mentors import list_mentors
from tests.slack.harness import FORM_VALUES, state_of

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-1234-5678-benchtoken"
TEAM = "T1"
APP_ID = "A0BENCH"
BOT_USER = "UBOT"
CHANNEL = "CMENTORS"
ADMIN = "UADMIN"
STUDENT_PREFIX = "US"  # measured students: US00000, US00001, ...
WARM_PREFIX = "UW"  # warm-up students (not measured)
MENTOR_PREFIX = "UM"
LOOPBACK_API = "http://127.0.0.1:9/api/"  # never reached: the stub session answers
LISTENER_TASK = "run_ack_function_asynchronously"  # Bolt's after-ack task (asyncio_runner)
AIM = 1500
GOOD = ("submitted", "You claimed", "Pick a time")  # texts the stub counts
BAD = ("Already claimed", "was not saved", STALE, SORRY)  # texts that fail the check
VALUES = FORM_VALUES | {"urgency": "high", "tags_new": "apis"}  # the tests' valid form


def only_loopback() -> None:
    """Refuse any Python-level connection that is not to this machine (a safety net: the
    stub session means the Web API is never dialled at all)."""
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
            "localhost",
        ):
            raise ConnectionRefusedError(f"benchmark: refusing to connect to {address!r}")
        return original(sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]


# ---------------------------------------------------------------------- the Web API stub


class StubResponse:
    """Just what slack_sdk reads from an aiohttp response."""

    content_type = "application/json"

    def __init__(self, body: bytes) -> None:
        self.status = 200
        self.headers = {"Content-Type": "application/json; charset=utf-8"}
        self._body = body

    async def json(self, **_: Any) -> Any:
        return json.loads(self._body)

    async def text(self) -> str:
        return self._body.decode()

    async def read(self) -> bytes:
        return self._body

    async def __aenter__(self) -> StubResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class StubSession:
    """Stands in for the client's ``aiohttp.ClientSession`` (Bolt hands the app client's
    session to the client it makes for each request): every Web API call is answered at
    once, in process, with canned JSON like Slack's."""

    closed = False

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.texts: Counter[str] = Counter()
        self._ts = itertools.count(1)

    def request(self, http_verb: str, api_url: str, **req_args: Any) -> StubResponse:
        method = api_url.rsplit("/", 1)[-1]
        self.calls[method] += 1
        args: dict[str, Any] = {}
        if req_args.get("json") is not None:
            json.dumps(req_args["json"])  # encode as aiohttp would
            args = req_args["json"]
        elif req_args.get("data") is not None:
            args = dict(req_args["data"]) if isinstance(req_args["data"], dict) else {}
            urlencode(args)
        elif req_args.get("params"):
            args = dict(req_args["params"])
        said = str(args.get("text") or "")
        for marker in (*GOOD, *BAD):
            if marker in said:
                self.texts[f"{method}: {marker[:24]}"] += 1
        ts = f"1767225600.{next(self._ts):06d}"
        result: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            result |= {
                "url": "https://bench.slack.com/",
                "team": "Bench",
                "user": "bench",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "BBENCH",
                "is_enterprise_install": False,
            }
        elif method == "chat.postMessage":
            channel = str(args.get("channel") or "")
            result |= {"channel": channel, "ts": ts, "message": {"text": said, "ts": ts}}
        elif method == "chat.postEphemeral":
            result |= {"message_ts": ts}
        elif method.startswith("views."):
            result |= {"view": {"id": f"V{ts}", "hash": ts, "type": "home"}}
        elif method == "users.info":
            user = str(args.get("user") or "")
            result |= {"user": {"id": user, "name": user.lower(), "tz": "UTC"}}
        return StubResponse(json.dumps(result).encode())


def use_stub(app: AsyncApp) -> StubSession:
    stub = StubSession()
    app.client.session = stub  # type: ignore[assignment]
    return stub


# ---------------------------------------------------------------------- signed requests

Signed = tuple[str, dict[str, Any]]  # the body and its headers


class Requests:
    """Signed request bodies and headers, as Slack would post them."""

    def __init__(self) -> None:
        self.verifier = SignatureVerifier(SECRET)
        self._n = itertools.count(1)

    def signed(self, payload: dict[str, Any]) -> Signed:
        return self.sign(urlencode({"payload": json.dumps(payload)}))

    def sign(self, body: str) -> Signed:
        stamp = str(int(time.time()))
        signature = self.verifier.generate_signature(timestamp=stamp, body=body) or ""
        return body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }

    def trigger(self) -> str:
        return f"{next(self._n)}.{int(time.time() * 1000)}.{secrets.token_hex(8)}"

    def submission(self, user: str, view: dict[str, Any]) -> Signed:
        n = next(self._n)
        return self.signed(
            {
                "type": "view_submission",
                "token": "legacy",
                "api_app_id": APP_ID,
                "is_enterprise_install": False,
                "team": {"id": TEAM, "domain": "bench"},
                "user": {"id": user, "username": user.lower(), "name": user, "team_id": TEAM},
                "trigger_id": self.trigger(),
                "view": {
                    **view,
                    "id": f"V{n:08d}",
                    "team_id": TEAM,
                    "app_id": APP_ID,
                    "bot_id": "BBENCH",
                    "hash": f"{n}.h",
                    "root_view_id": f"V{n:08d}",
                    "previous_view_id": None,
                    "state": {"values": state_of(view, VALUES)},
                },
                "response_urls": [],
            }
        )

    def claim(self, user: str, request_id: int) -> Signed:
        n = next(self._n)
        stamp = f"{int(time.time())}.{n:06d}"
        claim = button("Claim", "a:claim:0", str(request_id), "primary")
        blocks = [*sections(f"New request #{request_id}: Moving from QA to backend")]
        blocks += actions_blocks([claim])
        message: dict[str, Any] = {"type": "message", "user": BOT_USER, "ts": "1767225600.0001"}
        message |= {"text": f"New request #{request_id}", "blocks": blocks}
        return self.signed(
            {
                "type": "block_actions",
                "token": "legacy",
                "api_app_id": APP_ID,
                "is_enterprise_install": False,
                "team": {"id": TEAM, "domain": "bench"},
                "user": {"id": user, "username": user.lower(), "name": user, "team_id": TEAM},
                "trigger_id": self.trigger(),
                "container": {
                    "type": "message",
                    "message_ts": message["ts"],
                    "channel_id": CHANNEL,
                    "is_ephemeral": False,
                },
                "channel": {"id": CHANNEL, "name": "mentors"},
                "message": message,
                "response_url": "http://127.0.0.1:9/unused",
                "actions": [{**claim, "block_id": "actions:0", "action_ts": stamp}],
            }
        )


def opened_view(ctx: ServiceContext) -> dict[str, Any]:
    """The request modal as the app opens it for a student (mentors to choose from)."""
    mentors = list_mentors(ctx)
    choices = [Choice(str(m.member_id), m.name) for m in mentors][:20]
    if choices:
        choices.insert(0, Choice("none", "No preference"))
    meta = {"key": secrets.token_hex(8)}
    return request_modal(RequestDraft(), ctx.catalogue, ctx.policy, choices, meta)


def submissions(requests: Requests, view: dict[str, Any], users: list[str]) -> list[Signed]:
    out = []
    for user in users:
        own = {**view, "private_metadata": json.dumps({"key": secrets.token_hex(8)})}
        out.append(requests.submission(user, own))
    return out


def claims(requests: Requests, request_ids: list[int], mentors: list[str]) -> list[Signed]:
    return [requests.claim(mentors[i % len(mentors)], r) for i, r in enumerate(request_ids)]


# ---------------------------------------------------------------------- driving


@dataclass
class Timing:
    latencies: list[float] = field(default_factory=list)
    ack_wall: float = 0.0  # until the last ack
    done_wall: float = 0.0  # until the last after-ack task finished
    cpu: float = 0.0  # process CPU time (every thread) until then
    statuses: Counter[int] = field(default_factory=Counter)
    bodies: Counter[str] = field(default_factory=Counter)  # non-empty ack bodies
    ack_called: list[float] = field(default_factory=list)  # --sql: when ack() was called

    def add(self, other: Timing) -> Timing:
        return Timing(
            self.latencies + other.latencies,
            self.ack_wall + other.ack_wall,
            self.done_wall + other.done_wall,
            self.cpu + other.cpu,
            self.statuses + other.statuses,
            self.bodies + other.bodies,
            self.ack_called + other.ack_called,
        )

    @property
    def ack_rate(self) -> float:
        return len(self.latencies) / self.ack_wall if self.ack_wall else float("nan")

    @property
    def done_rate(self) -> float:
        return len(self.latencies) / self.done_wall if self.done_wall else float("nan")

    def line(self, label: str) -> str:
        return (
            f"{label:<34} {len(self.latencies):>5} requests  "
            f"ack {self.ack_rate:>6.0f} req/s  "
            f"p50 {percentile(self.latencies, 0.5) * 1000:6.1f} ms  "
            f"p99 {percentile(self.latencies, 0.99) * 1000:6.1f} ms  "
            f"| with after-ack work {self.done_rate:>6.0f} req/s  "
            f"cpu {self.cpu * 1000 / max(1, len(self.latencies)):5.2f} ms/req"
        )


async def settle(timeout: float = 300.0) -> None:
    """Wait until every listener Bolt started after an ack has finished."""
    deadline = time.monotonic() + timeout
    while True:
        running = [
            t
            for t in asyncio.all_tasks()
            if not t.done()
            and (
                LISTENER_TASK in getattr(t.get_coro(), "__qualname__", "")
                or t.get_name() == HOME_TASK  # Home tabs rebuilt after the request
            )
        ]
        if not running:
            return
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit(f"{len(running)} Slack listeners still running after {timeout}s")
        await asyncio.wait(running, timeout=left)


async def drive(
    app: AsyncApp,
    signed: list[Signed],
    concurrency: int,
    profiler: cProfile.Profile | None = None,
    mark_acks: bool = False,
) -> Timing:
    """Every request through ``async_dispatch``, ``concurrency`` at a time (as an HTTP
    server would take them); building the ``AsyncBoltRequest`` (parsing the body) is part
    of the cost, signing it (Slack's side) is not."""
    timing = Timing()
    pending = iter(signed)
    clock = time.perf_counter

    async def worker() -> None:
        for body, headers in pending:
            t0 = clock()
            request = AsyncBoltRequest(body=body, headers=headers)
            mark = Mark(t0)
            if mark_acks:
                MARK.set(mark)
                request.context["ack"] = MarkingAck(mark)
            response = await app.async_dispatch(request)
            timing.latencies.append(clock() - t0)
            if mark.acked is not None:
                timing.ack_called.append(mark.acked - t0)
            timing.statuses[response.status] += 1
            if response.body:
                timing.bodies[str(response.body)[:120]] += 1

    if profiler is not None:
        profiler.enable()
    began, cpu = clock(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    timing.ack_wall = clock() - began
    await settle()
    timing.done_wall = clock() - began
    timing.cpu = time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
    return timing


class ProfilingExecutor(ThreadPoolExecutor):
    """The loop's default executor (``asyncio.to_thread``: every service call, every
    database statement), with a cProfile per worker thread while ``active``."""

    def __init__(self) -> None:
        super().__init__(max_workers=min(32, (os.cpu_count() or 1) + 4))
        self.active = False
        self.profiles: list[cProfile.Profile] = []
        self._local = threading.local()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self.active:
            return super().submit(fn, *args, **kwargs)
        return super().submit(self._profiled, fn, *args, **kwargs)

    def _profiled(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        profiler = getattr(self._local, "profiler", None)
        if profiler is None:
            profiler = self._local.profiler = cProfile.Profile()
            self.profiles.append(profiler)
        profiler.enable()
        try:
            return fn(*args, **kwargs)
        finally:
            profiler.disable()


# ---------------------------------------------------------------------- database work


@dataclass
class Mark:
    """One request in flight: when it started and when its listener called ``ack()``."""

    started: float
    acked: float | None = None


# The request a piece of work belongs to: set by ``drive`` before ``async_dispatch``;
# Bolt's listener task and ``asyncio.to_thread`` both copy the context, so a statement
# run in a worker thread knows whether its request had been acked yet.
MARK: ContextVar[Mark | None] = ContextVar("bench_request", default=None)


class MarkingAck(AsyncAck):
    """Bolt's ``ack`` that also notes when the listener called it (``--sql`` only)."""

    def __init__(self, mark: Mark) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.mark = mark

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.mark.acked is None:
            self.mark.acked = time.perf_counter()
        return await super().__call__(*args, **kwargs)


def _service() -> str:
    """The outermost core service (or front-end store method) on this thread's stack."""
    frame: FrameType | None = sys._getframe(2)
    found = "(other)"
    while frame is not None:
        name = frame.f_code.co_filename
        if "/core/services/" in name or name.endswith("/db/frontend_state.py"):
            found = frame.f_code.co_name
        frame = frame.f_back
    return found


def _when() -> str:
    mark = MARK.get()
    return "after ack" if mark is not None and mark.acked is not None else "before ack"


Tally = Counter[tuple[str, str, str]]  # (before/after ack, service, what) -> count


def watch_sql(engine: Any, tally: Tally) -> None:
    """Tally database round trips by when (before or after the request's ack) and by the
    service that made them: statements by their first words, transactions (checkouts)."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        tally[(_when(), _service(), " ".join(sql.split()[:4])[:60])] += 1

    @event.listens_for(engine, "checkout")
    def checkout(*args: Any) -> None:
        tally[(_when(), _service(), "(transaction)")] += 1


def report_sql(kind: str, phase: str, tally: Tally, timing: Timing) -> None:
    requests = max(1, len(timing.latencies))
    print(f"  {kind} {phase}: database work per request")
    for when in ("before ack", "after ack"):
        statements: Counter[str] = Counter()
        transactions: Counter[str] = Counter()
        for (w, service, what), n in tally.items():
            if w == when:
                (transactions if what == "(transaction)" else statements)[service] += n
        total, trans = sum(statements.values()) / requests, sum(transactions.values()) / requests
        print(
            f"    {when}: {total:.2f} statements in {trans:.2f} transactions "
            f"(~{total + 2 * trans:.1f} round trips with BEGIN and COMMIT/ROLLBACK)"
        )
        for service, n in statements.most_common():
            print(
                f"      {n / requests:5.2f} statements {transactions[service] / requests:5.2f} "
                f"transactions  {service}"
            )
            for (w, s, what), count in sorted(tally.items(), key=lambda kv: -kv[1]):
                if w == when and s == service and what != "(transaction)":
                    print(f"            {count / requests:5.2f}  {what}")
    if timing.ack_called:
        print(
            f"    the listener called ack() after p50 "
            f"{percentile(timing.ack_called, 0.5) * 1000:.1f} ms / p99 "
            f"{percentile(timing.ack_called, 0.99) * 1000:.1f} ms; async_dispatch returned "
            f"after p50 {percentile(timing.latencies, 0.5) * 1000:.1f} ms / p99 "
            f"{percentile(timing.latencies, 0.99) * 1000:.1f} ms"
        )


# ---------------------------------------------------------------------- the real app


def seed(ctx: ServiceContext, students: list[str], mentors: int) -> list[str]:
    """Slack members: the students, and approved mentors free all day every day."""
    admin, _ = register_member(
        ctx, Identity(Platform.SLACK, f"{TEAM}:{ADMIN}"), "Admin", admin=True
    )
    for i, user in enumerate(students):
        register_member(
            ctx, Identity(Platform.SLACK, f"{TEAM}:{user}"), f"Student {i}", "America/New_York"
        )
    users = [f"{MENTOR_PREFIX}{i:05d}" for i in range(mentors)]
    for i, user in enumerate(users):
        approved_mentor(ctx, admin.id, Identity(Platform.SLACK, f"{TEAM}:{user}"), f"Mentor {i}")
    return users


def request_ids(engine: Any, prefix: str, claimed: bool = False) -> list[int]:
    query = (
        "SELECT r.id FROM mentorship_requests r "
        "JOIN member_identities i ON i.member_id = r.student_id "
        "WHERE i.platform = :platform AND i.external_id LIKE :like"
    )
    if claimed:
        query += " AND r.claimed_by IS NOT NULL"
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(query + " ORDER BY r.id"),
                {"platform": Platform.SLACK.value, "like": f"{TEAM}:{prefix}%"},
            ).scalars()
        )


@dataclass
class Run:
    form: Timing
    claimed: Timing
    stub: StubSession
    problems: list[str]
    warm: list[Signed]  # the same requests, for the bare app
    measured_form: list[Signed]
    measured_claims: list[Signed]
    saving: int = 0  # submissions answered "saving" (the save follows the ack)


async def run_real(
    kind: str,
    args: argparse.Namespace,
    profiler: cProfile.Profile | None,
    executor: ProfilingExecutor | None,
) -> Run:
    students = [f"{STUDENT_PREFIX}{i:05d}" for i in range(args.students)]
    warm_students = [f"{WARM_PREFIX}{i:05d}" for i in range(args.warmup)]
    with database(kind) as url:
        settings = Settings(
            _env_file=None,
            database_url=url,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=LOOPBACK_API,
            slack_mentors_channel=CHANNEL,
            admins=[f"slack:{TEAM}:{ADMIN}"],
        )
        runtime = build_runtime(settings, clock=MovableClock(START), migrate=False, policy=Policy())
        engine, ctx = runtime.engine, runtime.ctx
        mentors = seed(ctx, warm_students + students, args.mentors)
        view = opened_view(ctx)
        sql: Tally = Counter()
        if args.sql:
            watch_sql(engine, sql)
        app = runtime.slack_app()
        tune_gc_for_serving()  # as the runner does, once the app is built
        stub = use_stub(app)
        requests = Requests()
        c = args.concurrency
        try:
            # warm-up (not measured): auth.test, caches, compiled statements, the pool
            warm = submissions(requests, view, warm_students)
            await drive(app, warm, c)
            warm_claims = claims(requests, request_ids(engine, WARM_PREFIX), mentors)
            await drive(app, warm_claims, c)
            warm += warm_claims

            measured_form = submissions(requests, view, students)
            sql.clear()
            if executor is not None:
                executor.active = profiler is not None
            form = await drive(app, measured_form, c, profiler, args.sql)
            if executor is not None:
                executor.active = False
            if args.sql:
                report_sql(kind, "submissions", sql, form)
            found = request_ids(engine, STUDENT_PREFIX)
            measured_claims = claims(requests, found[: args.claims], mentors)
            sql.clear()
            if executor is not None:
                executor.active = profiler is not None
            claimed = await drive(app, measured_claims, c, profiler, args.sql)
            if executor is not None:
                executor.active = False
            if args.sql:
                report_sql(kind, "claims", sql, claimed)
            done = len(request_ids(engine, STUDENT_PREFIX, claimed=True))
            problems = check(
                stub,
                form.add(claimed),
                submitted=len(warm_students) + args.students,
                claims_made=len(warm_claims) + len(measured_claims),
                found=len(found),
                students=args.students,
                claimed=done,
                wanted_claims=min(args.claims, args.students),
            )
        finally:
            engine.dispose()
    saving = sum(saving_acks(form.add(claimed)).values())
    return Run(form, claimed, stub, problems, warm, measured_form, measured_claims, saving)


def saving_acks(timing: Timing) -> Counter[str]:
    """The submissions' acks: the form kept open, saying it is being saved (the save
    follows the ack, and turns the form into the saved note)."""
    return Counter(
        {
            b: n
            for b, n in timing.bodies.items()
            if '"response_action": "update"' in b and '"request_form"' in b
        }
    )


def check(
    stub: StubSession, timing: Timing, *, submitted: int, claims_made: int, found: int,
    students: int, claimed: int, wanted_claims: int,
) -> list[str]:  # fmt: skip
    """What went wrong: any ack with a body other than a submission's "saving" form,
    a request not saved or its student not told, a claim not made."""
    problems = []
    if found != students:
        problems.append(f"{found} requests in the database, expected {students}")
    if claimed != wanted_claims:
        problems.append(f"{claimed} claimed requests, expected {wanted_claims}")
    if set(timing.statuses) != {200}:
        problems.append(f"ack statuses {dict(timing.statuses)}")
    bodies = timing.bodies - saving_acks(timing)
    if bodies:
        problems.append(f"acks with a body (form errors?): {dict(bodies)}")
    dms = stub.texts["chat.postMessage: submitted"]
    if dms != submitted:
        problems.append(f"{dms} 'submitted' DMs, expected {submitted}")
    told = stub.texts["chat.postEphemeral: You claimed"]
    if told != claims_made:
        problems.append(f"{told} 'You claimed' notes, expected {claims_made}")
    for marker, n in stub.texts.items():
        if any(bad[:24] in marker for bad in BAD):
            problems.append(f"{n} x {marker!r}")
    return problems


# ---------------------------------------------------------------------- the bare baseline


def bare_app() -> tuple[AsyncApp, StubSession]:
    """Bolt with the same secret and the same stub (its only Web API call is the one
    ``auth.test`` Bolt makes for the first request), no middleware of ours, no database."""
    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=LOOPBACK_API),
        signing_secret=SECRET,
        raise_error_for_unhandled_request=False,
    )
    stub = use_stub(app)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    app.view(REQUEST_CALLBACK)(only_ack)
    app.action(re.compile(r"^a:"))(only_ack)
    return app, stub


async def run_bare(run: Run, concurrency: int) -> tuple[Timing, Timing, StubSession]:
    """The bot's requests again (signed anew: Bolt refuses a timestamp over 5 minutes old)."""
    app, stub = bare_app()
    signer = Requests()

    def again(signed: list[Signed]) -> list[Signed]:
        return [signer.sign(body) for body, _ in signed]

    await drive(app, again(run.warm), concurrency)
    form = await drive(app, again(run.measured_form), concurrency)
    claimed = await drive(app, again(run.measured_claims), concurrency)
    both = form.add(claimed)
    if set(both.statuses) != {200} or both.bodies:
        raise SystemExit(f"bare: unexpected acks {dict(both.statuses)} {dict(both.bodies)}")
    return form, claimed, stub


# ---------------------------------------------------------------------- main


def top_of(stats: pstats.Stats, limit: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(limit)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--claims", type=int, default=100)
    parser.add_argument("--mentors", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", default="", help="a backend to run under cProfile")
    parser.add_argument("--profile-lines", type=int, default=35)
    parser.add_argument("--sql", action="store_true", help="count statements per request")
    args = parser.parse_args()
    only_loopback()
    executor: ProfilingExecutor | None = None
    if args.profile:
        executor = ProfilingExecutor()
        asyncio.get_running_loop().set_default_executor(executor)

    print(
        f"{args.students} signed view submissions + {args.claims} claim clicks by "
        f"{args.mentors} mentors; AsyncApp.async_dispatch (no HTTP), stub Web API, "
        f"{args.concurrency} requests in flight"
    )
    failed = False
    for kind in [k.strip() for k in args.backends.split(",") if k.strip()]:
        profiler = cProfile.Profile() if kind == args.profile else None
        run = await run_real(kind, args, profiler, executor)
        bare_form, bare_claims, bare_stub = await run_bare(run, args.concurrency)
        bare_all = bare_form.add(bare_claims)
        both = run.form.add(run.claimed)
        print(bare_form.line(f"{kind}: bare Bolt: submissions"))
        print(bare_claims.line(f"{kind}: bare Bolt: claims"))
        print(bare_all.line(f"{kind}: bare Bolt: all"))
        print(run.form.line(f"{kind}: bot: submissions"))
        print(run.claimed.line(f"{kind}: bot: claims"))
        print(both.line(f"{kind}: bot: all"))
        aim = "met" if both.ack_rate >= AIM else "NOT met"
        aim_done = "met" if both.done_rate >= AIM else "NOT met"
        print(
            f"  {kind}: bare/bot throughput ratio {bare_all.ack_rate / both.ack_rate:.1f}x "
            f"(acks), {bare_all.done_rate / both.done_rate:.1f}x (with after-ack work); "
            f"aim {AIM} req/s{'' if kind == 'postgresql' else ' (set for PostgreSQL)'}: "
            f"{aim} for acks, {aim_done} with after-ack work"
        )
        print(f"  {kind}: Web API calls {dict(run.stub.calls)}; bare {dict(bare_stub.calls)}")
        if run.problems:
            failed = True
            print(f"  {kind}: check FAILED: " + "; ".join(run.problems))
        else:
            print(
                f"  {kind}: check ok: {args.students} requests submitted, "
                f"{min(args.claims, args.students)} claimed, every ack 200: "
                f"{run.saving} submissions answered 'saving' (then saved), the rest empty"
            )
        if profiler is not None:
            print(f"\n=== cProfile, {kind}, submissions + claims: the event loop thread ===")
            print(top_of(pstats.Stats(profiler), args.profile_lines))
            if executor is not None and executor.profiles:
                stats = pstats.Stats(executor.profiles[0])
                stats.add(*executor.profiles[1:])
                print(
                    f"=== cProfile, {kind}: the {len(executor.profiles)} worker threads "
                    "(asyncio.to_thread: services and database), summed ==="
                )
                print(top_of(stats, args.profile_lines))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
