"""Fixtures: ``driver`` runs a scenario once per front-end and database.

Each test using it runs six times: Telegram, Slack and the console, each on SQLite and on
PostgreSQL (``database_url`` from ``tests/conftest.py``). Only 127.0.0.1 may be reached;
the fake Bot API's and Web API's payload checks must have found nothing at the end.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from core.policy import Policy
from tests.scenarios.console_driver import ConsoleDriver
from tests.scenarios.cross_driver import CrossDriver
from tests.scenarios.driver import Driver
from tests.scenarios.slack_driver import SlackDriver
from tests.scenarios.telegram_driver import TelegramDriver

FRONT_ENDS = ("telegram", "slack", "console")


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            assert address[0] in ("127.0.0.1", "::1", "localhost"), f"connection to {address!r}"
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The Telegram application installs log redaction and quiets httpx: undo both."""
    factory = logging.getLogRecordFactory()
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "telegram")}
    yield
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def start_driver(front_end: str, database_url: str, policy: Policy | None = None) -> Driver:
    if front_end == "telegram":
        return await TelegramDriver(database_url).start(policy=policy)
    if front_end == "slack":
        return await SlackDriver(database_url).start(policy=policy)
    return await ConsoleDriver(database_url, policy=policy).start()


@pytest.fixture(params=FRONT_ENDS)
async def driver(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Driver]:
    started = await start_driver(request.param, database_url)
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture(params=FRONT_ENDS)
async def roomy_driver(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[Driver]:
    """A driver whose students may hold many requests at once (the matrix makes dozens)."""
    roomy = Policy(max_active_requests=1000)
    started = await start_driver(request.param, database_url, roomy)
    try:
        yield started
    finally:
        await started.stop()


@pytest.fixture
async def cross(database_url: str) -> AsyncIterator[CrossDriver]:
    """Students on Telegram, mentors and the admin on Slack, one database."""
    started = await CrossDriver(database_url).start()
    try:
        yield started
    finally:
        await started.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, show what everyone was told: it usually explains what broke."""
    outcome = yield
    report = outcome.get_result()
    args = getattr(item, "funcargs", {})
    found = args.get("driver") or args.get("cross") or args.get("roomy_driver")
    if report.failed and isinstance(found, Driver):
        told = [f"--- {who}\n" + "\n".join(texts) for who, texts in found.heard.items()]
        told.append("--- mentors' feed\n" + "\n".join(found.feed))
        report.sections.append((f"what people were told on {found.name}", "\n".join(told)))
