"""Smoke test of the Slack front-end: the real Bolt app against a fake Web API on
127.0.0.1, fed signed requests through ``async_dispatch``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.bootstrap import build_app
from bot.config import Settings
from bot.handlers.slack.app import build_slack_app
from db.engine import make_session_factory
from db.frontend_state import FrontEndStore

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            assert address[0] in ("127.0.0.1", "::1", "localhost"), f"connection to {address!r}"
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


class FakeSlack:
    """A tiny Web API: records every call, answers ``ok`` with plausible fields."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.method == "GET":
            args: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            args = json.loads(raw or "{}")
        else:
            args = {k: v[0] for k, v in parse_qs(raw).items()}
        self.calls.append((method, args))
        answer: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            answer |= {"team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "url": "x"}
        elif method == "users.info":
            answer["user"] = {
                "id": args.get("user"),
                "name": "ada",
                "tz": "Europe/Berlin",
                "profile": {"real_name": "Ada Lovelace"},
            }
        elif method in ("views.open", "views.update", "views.publish"):
            view = args.get("view")
            answer["view"] = json.loads(view) if isinstance(view, str) else view
        elif method == "chat.postMessage":
            answer |= {"channel": "D1", "ts": "1700000000.000100"}
        return web.json_response(answer)

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/api/"
        return self

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def named(self, method: str) -> list[dict[str, Any]]:
        return [args for name, args in self.calls if name == method]

    async def wait_for(self, method: str, timeout: float = 5.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.named(method)
            if found:
                return found[-1]
            await asyncio.sleep(0.02)
        raise AssertionError(f"{method} was not called; calls: {[c[0] for c in self.calls]}")


def signed(body: str, secret: str = SECRET) -> AsyncBoltRequest:
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    assert SignatureVerifier(secret).is_valid(body, timestamp, signature)
    return AsyncBoltRequest(
        body=body,
        headers={
            "content-type": ["application/x-www-form-urlencoded"],
            "x-slack-request-timestamp": [timestamp],
            "x-slack-signature": [signature],
        },
    )


@pytest.fixture
async def fake() -> Any:
    server = await FakeSlack().start()
    yield server
    await server.close()


@pytest.fixture
def core(database_url: str) -> Any:
    app = build_app(Settings(database_url=database_url), migrate=False)
    yield app
    app.close()


async def test_slash_command_opens_modal_and_empty_title_is_refused_inline(fake, core) -> None:
    store = FrontEndStore(make_session_factory(core.engine))
    app = build_slack_app(core.ctx, store, TOKEN, SECRET, base_url=fake.url)

    command = urlencode(
        {
            "command": "/mentorship",
            "text": "",
            "team_id": "T1",
            "user_id": "U1",
            "user_name": "ada",
            "channel_id": "C1",
            "trigger_id": "trigger-1",
            "response_url": "http://127.0.0.1:9/unused",
        }
    )
    response = await app.async_dispatch(signed(command))
    assert response.status == 200
    opened = await fake.wait_for("views.open")
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert view["callback_id"] == "request_form"
    block_ids = [b.get("block_id") for b in view["blocks"]]
    assert {"session_type", "title", "description", "available_from", "available_until"} <= set(
        block_ids
    )
    assert fake.named("users.info"), "the member is registered with their Slack time zone"

    # the same command delivered again (a replay) opens nothing more
    await app.async_dispatch(signed(command))
    await asyncio.sleep(0.2)
    assert len(fake.named("views.open")) == 1

    # a forged signature is refused
    bad = signed(command, secret="wrong")
    assert (await app.async_dispatch(bad)).status == 401

    state = {
        "session_type": {"form:type": {"type": "static_select", "selected_option": None}},
        "title": {"v": {"type": "plain_text_input", "value": ""}},
        "description": {"v": {"type": "plain_text_input", "value": "Need help with SQL"}},
    }
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1", "team_id": "T1"},
        "trigger_id": "trigger-2",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "request_form",
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "state": {"values": state},
        },
    }
    response = await app.async_dispatch(signed(urlencode({"payload": json.dumps(payload)})))
    assert response.status == 200, response.body
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert "title" in answer["errors"]
    assert set(answer["errors"]) <= set(block_ids)
