"""The durable-state floor for ``benchmarks.hot_path``: bare python-telegram-bot plus the
least durable work an update needs, done with psycopg directly.

The application is ``telegram_throughput.bare_application``'s (one ``ConversationHandler``
with as many steps as the real form, each answering the press and sending a message with
a keyboard; a claim button handler), with two differences: updates run through the
product's own ``PerPersonUpdateProcessor`` (N people at once, one person in order), and
every step stores the person's state before answering. Storing is one statement, one
round trip, committed (autocommit):

* de-duplicate the update id (``INSERT … ON CONFLICT DO NOTHING``),
* read the person's state row,
* write the new state back (only for an update seen the first time).

``OneTrip`` sends that statement per update over a small pool of connections;
``Batched`` groups the updates in flight, across people, into one statement per round
trip (``unnest`` of arrays), the group commit ``bot.state_batcher`` does for the product.
The tables are the floor's own (``floor_seen``, ``floor_state``), in the benchmark's
private schema.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from benchmarks import telegram_throughput as tg
from core.catalogue import Catalogue

# update id, person, new state -> whether the update was new
Durable = tg.Durable

DDL = (
    "CREATE TABLE IF NOT EXISTS floor_seen (update_id bigint PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS floor_state ("
    " person bigint PRIMARY KEY, value jsonb NOT NULL, version int NOT NULL)",
)

ONE = """
WITH seen AS (
    INSERT INTO floor_seen (update_id) VALUES (%(u)s)
    ON CONFLICT DO NOTHING RETURNING update_id
), old AS (
    SELECT value FROM floor_state WHERE person = %(p)s
), put AS (
    INSERT INTO floor_state AS s (person, value, version)
    SELECT %(p)s, %(v)s::jsonb, 1 FROM seen
    ON CONFLICT (person) DO UPDATE SET value = excluded.value, version = s.version + 1
    RETURNING version
)
SELECT EXISTS (SELECT 1 FROM seen), (SELECT value FROM old), (SELECT version FROM put)
"""

MANY = """
WITH input AS (
    SELECT * FROM unnest(%(u)s::bigint[], %(p)s::bigint[], %(v)s::text[])
        AS i (update_id, person, value)
), seen AS (
    INSERT INTO floor_seen (update_id) SELECT update_id FROM input
    ON CONFLICT DO NOTHING RETURNING update_id
), old AS (
    SELECT s.person, s.value FROM floor_state s JOIN input USING (person)
), put AS (
    INSERT INTO floor_state AS s (person, value, version)
    SELECT i.person, i.value::jsonb, 1 FROM input i JOIN seen USING (update_id)
    ON CONFLICT (person) DO UPDATE SET value = excluded.value, version = s.version + 1
    RETURNING person
)
SELECT i.update_id, seen.update_id IS NOT NULL, old.value
FROM input i LEFT JOIN seen USING (update_id) LEFT JOIN old USING (person)
"""


def libpq_url(url: str) -> str:
    """A SQLAlchemy ``postgresql+psycopg://`` URL (with its search_path option) as libpq's."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def create_tables(url: str) -> None:
    """The floor's tables, empty (update ids start again at 1 in every run)."""
    async with await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True) as conn:
        for statement in DDL:
            await conn.execute(statement)
        await conn.execute("TRUNCATE floor_seen, floor_state")


class OneTrip:
    """One statement per update, on one of ``size`` autocommit connections."""

    def __init__(self, url: str, size: int) -> None:
        self.url, self.size = libpq_url(url), size
        self._free: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()
        self._all: list[psycopg.AsyncConnection[Any]] = []
        self.round_trips = 0

    async def open(self) -> None:
        for _ in range(self.size):
            conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
            self._all.append(conn)
            self._free.put_nowait(conn)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()

    async def __call__(self, update_id: int, person: int, state: dict[str, Any]) -> bool:
        conn = await self._free.get()
        try:
            cursor = await conn.execute(
                ONE, {"u": update_id, "p": person, "v": json.dumps(state)}, prepare=True
            )
            row = await cursor.fetchone()
        finally:
            self._free.put_nowait(conn)
        self.round_trips += 1
        return bool(row and row[0])


@dataclass
class _Waiting:
    update_id: int
    person: int
    value: str
    future: asyncio.Future[bool]


@dataclass
class Batched:
    """The updates waiting when a connection comes free go in one statement together
    (at most ``size`` statements in flight); a person is never twice in one statement."""

    url: str
    size: int = 3
    round_trips: int = 0
    _pending: list[_Waiting] = field(default_factory=list)
    _free: list[psycopg.AsyncConnection[Any]] = field(default_factory=list)
    _all: list[psycopg.AsyncConnection[Any]] = field(default_factory=list)
    _scheduled: bool = False
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def open(self) -> None:
        for _ in range(self.size):
            conn = await psycopg.AsyncConnection.connect(libpq_url(self.url), autocommit=True)
            self._all.append(conn)
            self._free.append(conn)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()

    async def __call__(self, update_id: int, person: int, state: dict[str, Any]) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append(_Waiting(update_id, person, json.dumps(state), future))
        self._kick()
        return await future

    def _kick(self) -> None:
        if self._pending and self._free and not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._launch)  # let ready updates join

    def _launch(self) -> None:
        self._scheduled = False
        if not self._pending or not self._free:
            return
        batch: list[_Waiting] = []
        later: list[_Waiting] = []
        people: set[int] = set()
        for waiting in self._pending:
            (later if waiting.person in people else batch).append(waiting)
            people.add(waiting.person)
        self._pending = later
        conn = self._free.pop()
        task = asyncio.get_running_loop().create_task(self._flush(conn, batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._kick()

    async def _flush(self, conn: psycopg.AsyncConnection[Any], batch: list[_Waiting]) -> None:
        try:
            cursor = await conn.execute(
                MANY,
                {
                    "u": [w.update_id for w in batch],
                    "p": [w.person for w in batch],
                    "v": [w.value for w in batch],
                },
                prepare=True,
            )
            new = {int(u): bool(first) for u, first, _ in await cursor.fetchall()}
        except Exception as exc:
            for waiting in batch:
                waiting.future.set_exception(exc)
        else:
            self.round_trips += 1
            for waiting in batch:
                waiting.future.set_result(new.get(waiting.update_id, False))
        finally:
            self._free.append(conn)
            self._kick()


# ---------------------------------------------------------------------- the application


floor_application = tg.bare_application


@dataclass
class FloorRun:
    timing: tg.Timing  # form and claims together
    cpu: float  # process CPU seconds for them
    round_trips: int


async def run_floor(
    url: str | None,
    students: int,
    claims: int,
    warmup: int,
    concurrency: int,
    mode: str = "one",
    pool: int = 16,
) -> FloorRun:
    """The form stream (and claims) through the floor. ``url`` None: bare, no database;
    ``mode`` "one" (a statement per update) or "batched" (across people)."""
    script = tg.form_script(Catalogue.load())
    durable: OneTrip | Batched | None = None
    if url is not None:
        await create_tables(url)
        durable = OneTrip(url, min(pool, concurrency)) if mode == "one" else Batched(url)
        await durable.open()
    application = floor_application(len(script), concurrency, durable)
    stub = tg.use_stub(application)
    await application.initialize()
    try:
        warm = tg.build_stream([tg.STUDENT_BASE - 1 - i for i in range(warmup)], script)
        await tg.drive(application, warm.form)
        stream = tg.build_stream([tg.STUDENT_BASE + i for i in range(students)], script, warm)
        tg.add_claims(
            stream, list(range(1, students + 1)), [tg.MENTOR_BASE + i for i in range(10)], claims
        )
        before = durable.round_trips if durable is not None else 0
        cpu = time.process_time()
        form = await tg.drive(application, stream.form)
        claimed = await tg.drive(application, stream.claims)
        cpu = time.process_time() - cpu
        trips = (durable.round_trips if durable is not None else 0) - before
        if application.user_data.get(tg.STUDENT_BASE, {}).get("position") != len(script):
            raise SystemExit(f"floor {mode}: the conversation did not reach its last step")
        sent = stub.calls["sendMessage"]
        wanted = (students + warmup) * len(script) + min(claims, students)
        if sent != wanted:
            raise SystemExit(f"floor {mode}: {sent} messages sent, expected {wanted}")
    finally:
        await application.shutdown()
        if durable is not None:
            await durable.close()
    return FloorRun(form.add(claimed), cpu, trips)
