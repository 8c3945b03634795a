"""The Slack runner never logs its bot token, app token or signing secret.

``mentorbot slack --http``'s ``serve`` runs in this process (its own app, HTTP endpoint,
log redaction and scheduled delivery) against a fake Web API, with the root logger and
slack_sdk, slack_bolt, aiohttp, apscheduler and our own loggers at DEBUG, while people
use it: a slash command whose ``views.open`` fails (the server's answer echoes the request
headers, as a misbehaving proxy in front of the API might, so the token reaches the
traceback of the logged error), the form submitted, the card posted to the mentors'
channel after a 429, a claim, and a first App Home whose ``users.info`` fails. Every
formatted line, tracebacks included, is free of the three secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.bootstrap import build_app
from bot.config import Settings
from bot.handlers.slack.runner import EVENTS_PATH, serve
from core.members import Identity, Platform
from core.services.members import register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from tests.slack.harness import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    ERIN,
    NAMES,
    SECRET,
    TEAM,
    TOKEN,
    ZONES,
    signed_headers,
    state_of,
)
from tests.support.fake_slack import Call
from tests.support.fake_slack_faults import FaultySlack

APP_TOKEN = "xapp-1-A0TESTAPP-1234567890-0123456789abcdef0123456789abcdef"
SECRETS = {
    "bot token": TOKEN,
    "the bot token's secret part": TOKEN.split("-", 1)[1],
    "app token": APP_TOKEN,
    "the app token's secret part": APP_TOKEN.rsplit("-", 1)[1],
    "signing secret": SECRET,
}
VERBOSE = ("slack_sdk", "slack_bolt", "aiohttp", "apscheduler", "asyncio", "bot", "core")
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """``serve`` installs a log record factory and sets logger levels (slack_bolt copies
    the root's level into its loggers): undo both after the test."""
    factory = logging.getLogRecordFactory()
    levels = {
        name: found.level
        for name, found in logging.root.manager.loggerDict.items()
        if isinstance(found, logging.Logger)
    }
    yield
    logging.setLogRecordFactory(factory)
    for name, found in list(logging.root.manager.loggerDict.items()):
        if isinstance(found, logging.Logger):
            found.setLevel(levels.get(name, logging.NOTSET))


@pytest.fixture
async def faulty() -> AsyncIterator[FaultySlack]:
    server = FaultySlack(ZONES)
    server.names.update(NAMES)
    await server.start()
    yield server
    await server.close()
    assert not server.violations, "Block Kit violations:\n" + "\n".join(server.violations)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed_bob(database_url: str) -> None:
    """Bob, an approved mentor available every day (the services, as an admin would)."""
    app = build_app(Settings(database_url=database_url), migrate=False)
    try:
        ctx = app.ctx

        def person(user: str, admin: bool = False) -> int:
            identity = Identity(Platform.SLACK, f"{TEAM}:{user}")
            member, _ = register_member(ctx, identity, NAMES[user], ZONES[user], admin=admin)
            return member.id

        bob, admin = person(BOB), person(ADMIN, admin=True)
        apply_as_mentor(
            ctx, bob, domain="Backend", years_experience=7, bio="Bob.", expertise_tags=["python"]
        )
        decide_mentor(ctx, admin, bob, approve=True)
        for weekday in range(7):
            add_availability(ctx, bob, weekday, clock_time(8, 0), clock_time(20, 0))
    finally:
        app.close()


async def _until(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return found


class Client:
    """Signed requests to the runner's endpoint, as Slack sends them."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url, self.n = http, url, 0

    def trigger(self) -> str:
        self.n += 1
        return f"{self.n}.{int(time.time() * 1000)}.trigger"

    async def post(self, body: bytes, content_type: str) -> tuple[int, str]:
        headers = signed_headers(body, content_type)
        async with self.http.post(self.url, data=body, headers=headers) as response:
            return response.status, await response.text()

    async def command(self, user: str) -> tuple[int, str]:
        fields = {
            "command": "/mentorship",
            "team_id": TEAM,
            "user_id": user,
            "channel_id": "CGENERAL",
            "trigger_id": self.trigger(),
            "response_url": "http://127.0.0.1:9/unused",
        }
        return await self.post(urlencode(fields).encode(), FORM)

    async def payload(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    async def event(self, user: str, event: dict[str, Any]) -> tuple[int, str]:
        self.n += 1
        body = {
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{self.n}{int(time.time())}",
            "event": {"user": user, **event},
        }
        return await self.post(json.dumps(body).encode(), "application/json")


def _posted(fake: FaultySlack, channel: str, words: str) -> list[Call]:
    return [
        c
        for c in fake.calls
        if c.method in ("chat.postMessage", "chat.postEphemeral")
        and c.status == 200
        and (c.channel == channel or c.user == channel)
        and words in c.text
    ]


async def test_the_runner_logs_no_token_or_secret_even_at_debug(
    database_url: str,
    faulty: FaultySlack,
    caplog: pytest.LogCaptureFixture,
    restore_logging: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in VERBOSE:
        caplog.set_level(logging.DEBUG, logger=name)
    _seed_bob(database_url)
    port = _free_port()
    settings = Settings(
        database_url=database_url,
        metrics_port=0,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_app_token=APP_TOKEN,
        slack_api_url=faulty.url,
        slack_mentors_channel=CHANNEL,
        admins=[f"slack:{TEAM}:{ADMIN}"],
        tick_seconds=0.2,
    )
    runner = asyncio.create_task(serve(settings, True, "127.0.0.1", port))
    try:
        async with aiohttp.ClientSession() as http:
            slack = Client(http, f"http://127.0.0.1:{port}{EVENTS_PATH}")
            await _until(lambda: _accepts(port))
            await _flows(slack, faulty)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    text = caplog.text  # every record formatted, with its traceback
    for name, secret in SECRETS.items():
        assert secret not in text, f"the {name} is in the logs"
        for record in caplog.records:
            assert secret not in record.getMessage(), f"the {name} in {record.name}"
    # the test saw what it is about: verbose Slack logs, and a traceback that did carry
    # the token (the echoing answer) before it was cleaned
    names = {r.name.split(".")[0] for r in caplog.records if r.levelno == logging.DEBUG}
    assert {"slack_sdk", "slack_bolt"} <= names, names
    failures = [r for r in caplog.records if r.exc_info and "views.open" in (r.exc_text or "")]
    assert failures and "[redacted]" in (failures[0].exc_text or "")
    assert any("users.info failed" in r.getMessage() for r in caplog.records)
    assert any(r.name.startswith("aiohttp.access") for r in caplog.records)


def _accepts(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def _flows(slack: Client, fake: FaultySlack) -> None:
    # 1. the form cannot open (the API fails, its answer quoting our headers): an apology
    fake.fail("views.open", status=500, echo_headers=True)
    assert (await slack.command(ALICE))[0] == 200
    await _until(lambda: _posted(fake, ALICE, "Sorry, something went wrong"))

    # 2. again: the form opens, and is submitted (dates in her own zone)
    assert (await slack.command(ALICE))[0] == 200
    opened = await _until(lambda: [c for c in fake.named("views.open")])
    today = datetime.now(ZoneInfo(ZONES[ALICE])).date()
    values = {
        "session_type": "career-guidance",
        "title": "Moving from QA to backend",
        "description": "I test APIs all day; how do I start writing them?",
        "duration_minutes": "45",
        "urgency": "normal",
        "available_from": (today + timedelta(days=1)).isoformat(),
        "available_until": (today + timedelta(days=6)).isoformat(),
        "tags": ["python"],
    }
    view = opened[0].view
    fake.rate_limit("chat.postMessage", retry_after=1)  # the next post waits a second
    status, body = await slack.payload(
        {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": ALICE, "team_id": TEAM},
            "trigger_id": slack.trigger(),
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "blocks": view["blocks"],
                "state": {"values": state_of(view, values)},
            },
        }
    )
    assert status == 200 and '"response_action": "update"' in body, body  # "saving"
    await _until(lambda: _posted(fake, ALICE, "submitted"))

    # 3. the scheduler posts the card to the mentors' channel (after the 429); Bob claims
    card = await _until(lambda: _posted(fake, CHANNEL, "New mentorship request"))
    assert any(c.status == 429 for c in fake.calls if c.method == "chat.postMessage")
    claim = next(b for b in card[0].buttons() if b["action_id"].startswith("a:claim"))
    press = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": BOB, "team_id": TEAM},
        "trigger_id": slack.trigger(),
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "channel_id": CHANNEL, "message_ts": "1.1"},
        "message": {"ts": "1.1", "text": "x"},
        "actions": [{"action_id": claim["action_id"], "value": claim["value"], "action_ts": "9.9"}],
    }
    assert (await slack.payload(press))[0] == 200
    await _until(lambda: _posted(fake, BOB, "You claimed"))

    # 4. someone new opens the Home tab and users.info fails: the defaults, still a Home
    fake.fail("users.info", "user_not_found")
    assert (await slack.event(ERIN, {"type": "app_home_opened", "tab": "home"}))[0] == 200
    await _until(lambda: [c for c in fake.named("views.publish") if c.args["user_id"] == ERIN])
