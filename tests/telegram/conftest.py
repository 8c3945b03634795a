"""Fixtures: a fake Bot API server and the real bot running against it.

``tg`` is the bot in long-polling mode, ``tg_webhook`` in webhook mode, both on the
``database_url`` backends (SQLite and PostgreSQL). After every test the fake server's
payload checks must have found nothing, and no network address but 127.0.0.1 was used.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.support.fake_telegram import FakeTelegram
from tests.telegram.harness import TOKEN, BotHarness


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """No other network address is contacted: any connection elsewhere fails the test."""
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            assert host in ("127.0.0.1", "::1", "localhost"), f"connection to {address!r}"
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """``install_redaction`` replaces the log record factory and quiets httpx: undo both."""
    factory = logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "telegram")}
    yield
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = await FakeTelegram(TOKEN).start()
    try:
        yield server
    finally:
        await server.close()
    assert not server.violations, "payloads Telegram would refuse:\n" + "\n".join(server.violations)


async def _harness(database_url: str, fake: FakeTelegram, mode: str) -> AsyncIterator[BotHarness]:
    harness = BotHarness(database_url, fake, mode=mode)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
        harness.close_database()


@pytest.fixture
async def tg(database_url: str, fake: FakeTelegram) -> AsyncIterator[BotHarness]:
    async for harness in _harness(database_url, fake, "polling"):
        yield harness


@pytest.fixture
async def tg_webhook(database_url: str, fake: FakeTelegram) -> AsyncIterator[BotHarness]:
    async for harness in _harness(database_url, fake, "webhook"):
        yield harness
