"""A worker and two webhook front-ends on one PostgreSQL (issue 13): the front-ends run
with ``--no-worker`` behind an imagined load balancer (the test posts each update to one
or the other in turn); ``mentorbot worker`` alone runs the scheduled work.

A whole lifecycle goes through them: a mentor applies, the admin approves from the
notification, a student fills in the request form, the card reaches the mentors' group,
the mentor claims it there. Every notification is delivered exactly once, and by the
worker: its rows were leased once, by the worker's process. The front-ends' metrics count
the updates they handled.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from db.models import NotificationRow
from tests.support.cli_process import cli_env, spawn_cli, until
from tests.support.fake_telegram import Call, FakeTelegram, User
from tests.telegram.harness import ADMIN, ALICE, DAVE, GROUP, SECRET, TOKEN, free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram(TOKEN).start()
    server.add_group(GROUP)
    yield server
    await server.close()


_until = until


def _env(url: str, fake: FakeTelegram, metrics_port: int) -> dict[str, str]:
    return cli_env(
        DATABASE_URL=url,
        MENTORBOT_TELEGRAM_TOKEN=TOKEN,
        MENTORBOT_TELEGRAM_API_URL=fake.url,
        MENTORBOT_TELEGRAM_MENTORS_CHAT_ID=str(GROUP),
        MENTORBOT_TELEGRAM_WEBHOOK_SECRET=SECRET,
        MENTORBOT_ADMINS=f'["telegram:{ADMIN.id}"]',
        MENTORBOT_TICK_SECONDS="0.2",
        MENTORBOT_METRICS_PORT=str(metrics_port),
    )


async def _spawn(env: dict[str, str], cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await spawn_cli(*args, env=env, cwd=cwd, merge_stderr=False)


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Balancer:
    """Posts each update to the next front-end in turn and waits for its answer."""

    def __init__(self, fake: FakeTelegram, urls: list[str]) -> None:
        self.fake, self.urls, self.turn = fake, urls, 0

    async def send(self, user: User, text: str, chat: int | None = None) -> list[Call]:
        update = self.fake.message_update(user, text, chat)
        return await self._post(chat or user.id, update)

    async def press(self, user: User, data: str, chat: int | None = None) -> list[Call]:
        where = chat or user.id
        message = self.fake.find_button_message(where, data)
        assert message is not None, f"no button {data} in chat {where}"
        return await self._post(where, self.fake.callback_update(user, data, message))

    async def _post(self, chat: int, update: dict[str, Any]) -> list[Call]:
        url = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        mark = len(self.fake.calls)
        assert await self.fake.post_to_webhook(update, url=url) == 200
        await _until(lambda: any(c.chat_id == chat for c in self.fake.calls[mark:]), what="a reply")
        seen = -1
        while seen != len(self.fake.calls):  # quiet for a moment: the handler is done
            seen = len(self.fake.calls)
            await asyncio.sleep(0.3)
        return self.fake.calls[mark:]


def button(calls: list[Call], label: str) -> str:
    for call in reversed(calls):
        for b in call.buttons:
            if label in b["text"] and "callback_data" in b:
                return str(b["callback_data"])
    raise AssertionError(f"no button {label!r} in {[c.text[:40] for c in calls]}")


def days(calls: list[Call]) -> list[str]:
    found = [d for c in calls for d in c.callback_data if ":day:" in d]
    assert found, [c.text[:40] for c in calls]
    return found


def _text(calls: list[Call]) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


async def _metrics(port: int) -> str:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        return await response.text()


async def test_a_worker_and_two_webhook_front_ends_deliver_each_notification_once(
    open_world, pg_url, fake: FakeTelegram, tmp_path: Path
) -> None:
    world = open_world(pg_url)
    ports = [free_port(), free_port()]
    metrics = [free_port(), free_port(), free_port()]
    fronts = [
        await _spawn(
            _env(pg_url, fake, metrics[i]),
            tmp_path,
            "telegram",
            "--no-worker",
            "--webhook",
            f"http://127.0.0.1:{port}/telegram",
            "--port",
            str(port),
        )
        for i, port in enumerate(ports)
    ]
    worker = await _spawn(_env(pg_url, fake, metrics[2]), tmp_path, "worker")
    processes = [*fronts, worker]
    try:
        for port in ports:
            await _until(lambda p=port: _port_open(p), what=f"front-end on {port}")
        lb = Balancer(fake, [f"http://127.0.0.1:{port}/telegram" for port in ports])

        # a mentor applies; the admin is told by the worker and approves from its button
        await lb.send(ADMIN, "/start")
        await lb.send(DAVE, "/start")
        for answer in ("/become_mentor", "Frontend", "4", "I build UIs.", "python"):
            said = await lb.send(DAVE, answer)
        assert "An admin will review" in _text(said)
        await _until(
            lambda: any("Approve" in b["text"] for c in fake.calls_to(ADMIN.id) for b in c.buttons),
            what="the application's notice to the admin",
        )
        approve = button(fake.calls_to(ADMIN.id), "Approve")
        await lb.press(ADMIN, approve)
        await _until(
            lambda: any("approved" in c.text.lower() for c in fake.calls_to(DAVE.id)),
            what="the approval notice",
        )
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            await lb.send(DAVE, f"/availability add {day} 07:00-21:00")

        # a student's request, through the form, on both front-ends in turn
        await lb.send(ALICE, "/start")
        step = await lb.send(ALICE, "/request")
        step = await lb.press(ALICE, button(step, "Career guidance"))
        step = await lb.send(ALICE, "Moving from QA to backend")
        step = await lb.send(ALICE, "I test APIs all day; how do I start writing them?")
        step = await lb.press(ALICE, button(step, "45 min"))
        step = await lb.press(ALICE, button(step, "High"))
        offered = days(step)
        step = await lb.press(ALICE, offered[1])
        step = await lb.press(ALICE, days(step)[3])
        step = await lb.press(ALICE, button(step, "Done"))  # the hours
        step = await lb.send(ALICE, "python")  # typed tags: the form moves on
        if "Submit it?" not in _text(step) and "particular mentor" not in _text(step):
            step = await lb.press(ALICE, button(step, "Done"))
        if "particular mentor" in _text(step):
            step = await lb.press(ALICE, button(step, "No preference"))
        assert "Submit it?" in _text(step), _text(step)
        done = await lb.press(ALICE, button(step, "Submit"))
        assert "submitted" in _text(done), _text(done)

        # the worker posts the card to the group; the mentor claims it there
        await _until(
            lambda: any(
                d.startswith("a:claim") for c in fake.calls_to(GROUP) for d in c.callback_data
            ),
            what="the request card in the group",
        )
        claim = next(
            d for c in fake.calls_to(GROUP) for d in c.callback_data if d.startswith("a:claim")
        )
        await lb.press(DAVE, claim, GROUP)
        await _until(
            lambda: any("will mentor you" in c.text for c in fake.calls_to(ALICE.id)),
            what="the student's claimed notice",
        )
        # the outbox is empty: everything due went out
        await _until(
            lambda: (
                not world.rows(
                    NotificationRow.status == "PENDING", NotificationRow.due_at <= _now()
                )
            ),
            what="an empty outbox",
        )
        front_metrics = [await _metrics(port) for port in metrics[:2]]
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        outputs = [await asyncio.wait_for(p.communicate(), 20) for p in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr.decode()[-2000:]

    sent = world.rows(NotificationRow.status == "SENT")
    assert len(sent) >= 4, [r.kind for r in sent]  # applied, approved, card, claimed, ...
    owner = f":{worker.pid}:"
    assert all(r.lease_owner and owner in r.lease_owner for r in sent), {
        r.kind: r.lease_owner for r in sent
    }
    assert all(r.attempts == 1 for r in sent), {r.kind: r.attempts for r in sent}
    for page in front_metrics:  # each front-end handled some of the updates
        handled = [
            line
            for line in page.splitlines()
            if line.startswith('mentorbot_updates_handled_total{frontend="telegram",outcome="ok"}')
        ]
        assert handled and float(handled[0].rsplit(" ", 1)[1]) >= 5, page[:500]


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
