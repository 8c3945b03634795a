"""``mentorbot worker`` as an operator runs it (issue 13): a process of its own, against a
fake Bot API on 127.0.0.1 whose ``sendMessage`` takes a second.

- SIGTERM in the middle of a batch: the send under way finishes, the process exits well
  within ``MENTORBOT_SHUTDOWN_SECONDS``, and the rows it had leased are due again at once:
  another worker sends them without waiting for the lease to run out. Nothing is lost;
  duplicates are at most the sends in flight.
- ``/healthz``, ``/readyz`` and ``/metrics`` answer while it works, and the metrics move
  with the deliveries; with ``MENTORBOT_LOG_FORMAT=json`` every log line is JSON.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.senders.recording import RecordingSender
from bot.worker import build_engine, tick
from core.members import Identity, Platform
from core.notifications import Kind, to_member
from core.services.members import register_member
from db.models import NotificationRow
from tests.support.cli_process import cli_env, spawn_cli, until
from tests.support.fake_telegram import FakeTelegram
from tests.telegram.harness import free_port

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:worker-test-token-abcdefghijklmnopqrstuvwxyz"
CHAT = 4242
MESSAGES = 8
SHUTDOWN_LIMIT = 10.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram(TOKEN).start()
    yield server
    await server.close()


def _worker_env(url: str, fake: FakeTelegram, metrics_port: int, **extra: str) -> dict[str, str]:
    return cli_env(
        DATABASE_URL=url,
        MENTORBOT_TELEGRAM_TOKEN=TOKEN,
        MENTORBOT_TELEGRAM_API_URL=fake.url,
        MENTORBOT_TICK_SECONDS="0.2",
        MENTORBOT_METRICS_PORT=str(metrics_port),
        MENTORBOT_SHUTDOWN_SECONDS=str(SHUTDOWN_LIMIT),
        **extra,
    )


async def _start_worker(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await spawn_cli("worker", env=env, cwd=cwd, merge_stderr=False)


_until = until


def _sends(fake: FakeTelegram) -> list[object]:
    return [c for c in fake.method_calls("sendMessage") if c.chat_id == CHAT]


def _seed(world: object) -> int:
    ctx = world.ctx  # type: ignore[attr-defined]
    member, _ = register_member(ctx, Identity(Platform.TELEGRAM, str(CHAT)), "Tina", "UTC")
    now = datetime.now(UTC) - timedelta(minutes=1)
    with ctx.uow_factory() as uow:
        uow.notifications.add_many(
            [
                to_member(Kind.MENTOR_APPROVED, member.id, now, f"shutdown:{i}")
                for i in range(MESSAGES)
            ]
        )
        uow.commit()
    return member.id


async def _get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


def _metric(page: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in page.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        sample, _, value = line.rpartition(" ")
        found = sample[len(name) :]
        have = found.strip("{}")
        if sorted(have.split(",")) == sorted(wanted.split(",")) if wanted else found == "":
            return float(value)
    return 0.0


async def test_sigterm_mid_batch_exits_in_time_and_hands_the_rest_back(
    open_world, pg_url, fake: FakeTelegram, tmp_path: Path
) -> None:
    world = open_world(pg_url)
    _seed(world)
    fake.delays["sendMessage"] = 1.0  # one chat: its sends go one after the other
    port = free_port()
    process = await _start_worker(
        _worker_env(pg_url, fake, port, MENTORBOT_LOG_FORMAT="json"), tmp_path
    )
    try:
        await _until(lambda: len(_sends(fake)) >= 2)
        assert (await _get(port, "/healthz"))[0] == 200
        status, why = await _get(port, "/readyz")
        assert status == 200, why
        _, page = await _get(port, "/metrics")
        labels = {"platform": "telegram", "kind": "mentor_approved", "outcome": "sent"}
        assert _metric(page, "mentorbot_deliveries_total", **labels) >= 1, page
        assert _metric(page, "mentorbot_outbox_leased") >= 1, page

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), SHUTDOWN_LIMIT + 5)
        took = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert took < SHUTDOWN_LIMIT, took
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines, "the worker logged nothing"
    for line in lines:  # MENTORBOT_LOG_FORMAT=json: every line is one JSON object
        record = json.loads(line)
        assert {"level", "logger", "event", "time"} <= set(record), record
    assert any("stopping gracefully" in json.loads(line)["event"] for line in lines)

    by_worker = len(_sends(fake))
    rows = world.rows(NotificationRow.dedup_key.like("%shutdown:%"))
    sent_rows = [r for r in rows if r.status == "SENT"]
    left = [r for r in rows if r.status == "PENDING"]
    assert len(sent_rows) + len(left) == MESSAGES
    assert 1 <= len(sent_rows) < MESSAGES and by_worker - len(sent_rows) <= 1
    assert all(r.lease_until is None for r in left), "a lease was left to run out"

    # another worker takes the rest at once, though the first one's lease (60 s) has
    # not run out
    world.clock.set(datetime.now(UTC))
    recorder = RecordingSender(platform=Platform.TELEGRAM)
    engine = build_engine(world.ctx, [recorder], {})
    report = await tick(world.ctx, engine)
    assert report.sent == len(left)
    assert len(recorder.sent) == len(left)
    assert len(sent_rows) + report.sent == MESSAGES  # nothing lost


async def test_readyz_follows_the_database_down_and_back(
    cluster, fake: FakeTelegram, tmp_path: Path
) -> None:
    """The test's own PostgreSQL cluster (its own port, never the shared server) is
    stopped and started again: ``/readyz`` turns 503 and back to 200 with no restart;
    ``/healthz`` stays 200 throughout (the process is alive, only not ready)."""
    port = free_port()
    process = await _start_worker(_worker_env(cluster.url, fake, port), tmp_path)
    try:
        await _until(lambda: _port_open(port))
        ready: list[tuple[int, str]] = []

        async def readyz() -> int:
            ready.append(await _get(port, "/readyz"))
            return ready[-1][0]

        await _until_async(lambda: readyz(), 200)
        await asyncio.to_thread(cluster.stop)
        await _until_async(lambda: readyz(), 503)
        assert "the database does not answer" in ready[-1][1], ready[-1]
        assert (await _get(port, "/healthz"))[0] == 200
        await asyncio.to_thread(cluster.start)
        await _until_async(lambda: readyz(), 200)
        assert process.returncode is None, "the worker died with the database"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), SHUTDOWN_LIMIT + 5)
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()


async def _until_async(
    check: Callable[[], Awaitable[int]], wanted: int, timeout: float = 30.0
) -> None:
    deadline = time.monotonic() + timeout
    while await check() != wanted:
        assert time.monotonic() < deadline, f"never {wanted}"
        await asyncio.sleep(0.2)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_a_second_signal_exits_at_once(
    open_world, pg_url, fake: FakeTelegram, tmp_path: Path
) -> None:
    """A send that hangs (30 s here) would hold a graceful stop for the whole limit; an
    operator who signals again does not wait."""
    world = open_world(pg_url)
    _seed(world)
    fake.delays["sendMessage"] = 30.0
    env = _worker_env(pg_url, fake, 0) | {"MENTORBOT_SHUTDOWN_SECONDS": "60"}
    process = await _start_worker(env, tmp_path)
    try:
        await _until(lambda: len(_sends(fake)) >= 1)
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert process.returncode is None  # still finishing the send under way
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 5)
        assert time.monotonic() - started < 5
    finally:
        if process.returncode is None:
            process.kill()
        await process.communicate()
    assert process.returncode == 130
