"""Fixtures for the Slack tests: only 127.0.0.1 is reachable, a fake Web API whose Block
Kit checks fail the test, and the real app served over HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.slack.harness import NAMES, ZONES, SlackHarness
from tests.support.fake_slack import FakeSlack


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            assert address[0] in ("127.0.0.1", "::1", "localhost"), f"connection to {address!r}"
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlack]:
    server = FakeSlack(ZONES)
    server.names.update(NAMES)
    await server.start()
    yield server
    await server.close()
    assert not server.violations, "Block Kit violations:\n" + "\n".join(server.violations)


@pytest.fixture
async def slack(database_url: str, slack_api: FakeSlack) -> AsyncIterator[SlackHarness]:
    harness = await SlackHarness(database_url, slack_api).start()
    yield harness
    await harness.stop()
