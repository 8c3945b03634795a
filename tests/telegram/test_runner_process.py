"""``mentorbot telegram`` as a real process against the fake Bot API: long polling and
webhook (secret required), commands registered, the scheduled-work loop delivering, a
clean stop on SIGTERM, and no token in what it prints."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.cli_process import cli_env, spawn_cli
from tests.support.fake_telegram import Call, FakeTelegram
from tests.telegram.harness import ADMIN, ALICE, DAVE, GROUP, SECRET, TOKEN, free_port

REPO = Path(__file__).resolve().parents[2]


async def _start(tmp_path: Path, fake: FakeTelegram, *args: str, secret: bool = True):
    env = cli_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        MENTORBOT_TELEGRAM_TOKEN=TOKEN,
        MENTORBOT_TELEGRAM_API_URL=fake.url,
        MENTORBOT_TELEGRAM_MENTORS_CHAT_ID=str(GROUP),
        MENTORBOT_ADMINS=f'["telegram:{ADMIN.id}"]',
        MENTORBOT_TICK_SECONDS="0.2",
    )
    if secret:
        env["MENTORBOT_TELEGRAM_WEBHOOK_SECRET"] = SECRET
    return await spawn_cli("telegram", *args, env=env, cwd=tmp_path)


async def _until(check: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _replies(fake: FakeTelegram, chat: int) -> list[Call]:
    return [c for c in fake.calls_to(chat) if c.ok]


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, output.decode()
    return output.decode()


async def test_polling_process_registers_commands_answers_and_delivers(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    process = await _start(tmp_path, fake)
    try:
        await _until(lambda: fake.method_calls("getUpdates"))  # the menus are set before
        names = fake.commands_for("chat", ADMIN.id)  # an admin's (test_bot_profile: the rest)
        assert {"start", "request", "my", "cancel", "become_mentor", "admin"} <= set(names)

        await fake.queue_update(fake.message_update(ADMIN, "/start"))
        await fake.queue_update(fake.message_update(DAVE, "/start"))
        for text in ("/become_mentor", "Frontend", "4", "I build UIs.", "react"):
            await fake.queue_update(fake.message_update(DAVE, text))
        await _until(lambda: any("An admin will review" in c.text for c in _replies(fake, DAVE.id)))
        # the scheduled-work loop of the same process tells the admin, with buttons
        await _until(
            lambda: any("applied to be a mentor" in c.text for c in _replies(fake, ADMIN.id))
        )
    finally:
        output = await _stop(process)
    assert TOKEN.split(":", 1)[1] not in output
    assert fake.method_calls("deleteWebhook")  # polling starts by clearing any webhook


async def test_webhook_process_requires_and_checks_the_secret(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    refused = await _start(tmp_path, fake, "--webhook", url, "--port", str(port), secret=False)
    output, _ = await asyncio.wait_for(refused.communicate(), 20)
    assert refused.returncode != 0 and b"WEBHOOK_SECRET" in output

    process = await _start(tmp_path, fake, "--webhook", url, "--port", str(port))
    try:
        await _until(lambda: fake.webhook is not None)
        assert fake.webhook == {"url": url, "secret_token": SECRET}
        start = fake.message_update(ALICE, "/start")
        await _until(lambda: _port_open(port))
        assert await fake.post_to_webhook(start, omit_secret=True) == 403
        assert await fake.post_to_webhook(start, secret="wrong") == 403
        assert await fake.post_to_webhook(start) == 200
        await _until(lambda: _replies(fake, ALICE.id))
        assert "Which time zone" in _replies(fake, ALICE.id)[0].text
        assert len(_replies(fake, ALICE.id)) == 1  # the refused posts did nothing
    finally:
        output = await _stop(process)
    assert TOKEN.split(":", 1)[1] not in output


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_sigterm_lets_the_handler_in_flight_finish(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """An update is being handled (its reply is slow to send) when SIGTERM comes: the
    process stops polling but finishes that handler, whose state is then stored, and
    exits cleanly (issue 13: finish handlers in flight)."""
    process = await _start(tmp_path, fake)
    try:
        await _until(lambda: fake.method_calls("getUpdates"))
        fake.delays["sendMessage"] = 2.0
        await fake.queue_update(fake.message_update(ALICE, "/start"))
        await _until(lambda: [c for c in fake.method_calls("sendMessage") if c.chat_id == ALICE.id])
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 20)
        took = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()
    assert took >= 1.0, took  # it waited for the reply under way

    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        rows = db.execute(
            "SELECT value FROM conversation_state WHERE key = ?", (f"tg:user:{ALICE.id}",)
        ).fetchall()
    assert rows and "timezone" in rows[0][0], rows  # the handler's state was written
