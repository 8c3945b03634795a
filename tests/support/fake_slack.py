"""A fake Slack Web API on 127.0.0.1 for the Slack front-end's tests.

It records every call (method, arguments, HTTP verb), answers like Slack does for the
methods the app uses (``auth.test``, ``users.info`` with a time zone per user,
``views.open/update/publish``, ``chat.postMessage`` with a ``ts``, ``chat.update``,
``chat.postEphemeral``, the three ``files_upload_v2`` steps, ``conversations.open``), can
answer 429 with ``Retry-After`` for the next calls of a method, and checks every view and
every ``blocks`` payload with ``slack_sdk.models`` (plus the limits ``slack_sdk`` does not
check itself: 50 blocks per message, 3000 characters per mrkdwn text). A violation is kept
in ``violations``; the test fixture fails the test if there is any.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
TEXT_MAX = 3000
MESSAGE_TEXT_MAX = 40_000
DEFAULT_TZ = "UTC"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    verb: str = "POST"
    status: int = 200

    @property
    def text(self) -> str:
        return str(self.args.get("text") or "")

    @property
    def channel(self) -> str:
        return str(self.args.get("channel") or self.args.get("channel_id") or "")

    @property
    def user(self) -> str:
        return str(self.args.get("user") or self.args.get("user_id") or "")

    @property
    def view(self) -> dict[str, Any]:
        return loaded(self.args.get("view")) or {}

    @property
    def blocks(self) -> list[dict[str, Any]]:
        found = loaded(self.args.get("blocks"))
        if found is None and self.view:
            found = self.view.get("blocks")
        return list(found or [])

    def buttons(self) -> list[dict[str, Any]]:
        """Every button element in the call's blocks (or view)."""
        out: list[dict[str, Any]] = []
        for block in self.blocks:
            if block.get("type") == "actions":
                out += [e for e in block.get("elements", []) if e.get("type") == "button"]
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                out.append(accessory)
        return out

    def shown_texts(self) -> list[str]:
        """Every text a person would read: the fallback text and each mrkdwn/plain text."""
        texts = [self.text] if self.text else []
        texts += list(walk_texts(self.blocks))
        return texts


def loaded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def walk_texts(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node["text"]
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from walk_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk_texts(item)


def validate_blocks(blocks: list[dict[str, Any]], where: str, limit: int) -> list[str]:
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{where}: {len(blocks)} blocks (max {limit})")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for raw in blocks:
            try:
                parsed = Block.parse(raw)
                if parsed is None or parsed.__class__ is Block:
                    problems.append(f"{where}: unknown block {raw.get('type')!r}")
                    continue
                parsed.to_dict()  # runs every JsonValidator, nested elements included
            except Exception as exc:  # a validator's SlackObjectFormationError, a bad shape
                problems.append(f"{where}: {exc.__class__.__name__}: {exc} in {raw!r}"[:600])
    problems += [f"{where}: warning {w.message}" for w in caught]
    for text in walk_texts(blocks):
        if len(text) > TEXT_MAX:
            problems.append(f"{where}: a text of {len(text)} characters")
    return problems


def validate_view(view: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            View(**view).to_dict()
        except Exception as exc:
            problems.append(f"{where}: {exc.__class__.__name__}: {exc}"[:600])
    problems += [f"{where}: warning {w.message}" for w in caught]
    return problems + validate_blocks(list(view.get("blocks") or []), where, 100)


class FakeSlack:
    def __init__(self, zones: dict[str, str] | None = None) -> None:
        self.zones: dict[str, str] = dict(zones or {})
        self.names: dict[str, str] = {}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.throttle: dict[str, list[float]] = {}
        self.delays: dict[str, float] = {}
        self.errors: dict[str, list[str]] = {}
        self.uploads: dict[str, bytes] = {}
        self.runner: web.AppRunner | None = None
        self.base = ""
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ control

    @property
    def url(self) -> str:
        return f"{self.base}/api/"

    def rate_limit(self, method: str, retry_after: float = 1.0, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` get 429 with ``Retry-After``."""
        self.throttle.setdefault(method, []).extend([retry_after] * times)

    def fail_next(self, method: str, error: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``ok: false`` with ``error``
        (recorded with status 400, so :meth:`named` leaves them out)."""
        self.errors.setdefault(method, []).extend([error] * times)

    def named(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def since(self, mark: int) -> list[Call]:
        return self.calls[mark:]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> Call:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.named(method)
            if len(found) >= count:
                return found[count - 1]
            await asyncio.sleep(0.02)
        raise AssertionError(
            f"{method} x{count} not called; calls: {[c.method for c in self.calls]}"
        )

    # ------------------------------------------------------------------ server

    async def start(self) -> FakeSlack:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self.handle)
        app.router.add_post("/upload/{file_id}", self.upload)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        self.uploads[file_id] = await request.read()
        self.calls.append(Call("upload", {"file_id": file_id}, "POST"))
        return web.Response(text="OK - " + str(len(self.uploads[file_id])))

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "GET":
            return args
        raw = await request.text()
        if request.content_type == "application/json":
            found = json.loads(raw or "{}")
            return args | (found if isinstance(found, dict) else {})
        if request.content_type.startswith("multipart/"):
            return args | dict(await request.post())
        return args | {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        if not request.headers.get("Authorization", "").startswith("Bearer xoxb-"):
            self.calls.append(Call(method, args, request.method, 401))
            return web.json_response({"ok": False, "error": "not_authed"})
        queued = self.throttle.get(method)
        if queued:
            retry = queued.pop(0)
            self.calls.append(Call(method, args, request.method, 429))
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(int(retry))},
            )
        failing = self.errors.get(method)
        if failing:
            self.calls.append(Call(method, args, request.method, 400))
            return web.json_response({"ok": False, "error": failing.pop(0)})
        if self.delays.get(method):
            await asyncio.sleep(self.delays[method])
        call = Call(method, args, request.method)
        self.calls.append(call)
        self._check(call)
        return web.json_response(self._answer(call))

    def _check(self, call: Call) -> None:
        where = f"{call.method}"
        if call.method in ("views.open", "views.update", "views.publish", "views.push"):
            view = call.view
            if not view:
                self.violations.append(f"{where}: no view")
            else:
                self.violations += validate_view(view, where)
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            if "blocks" in call.args and call.args["blocks"] is not None:
                blocks = loaded(call.args["blocks"])
                if not isinstance(blocks, list):
                    self.violations.append(f"{where}: blocks is not a list")
                else:
                    self.violations += validate_blocks(blocks, where, MESSAGE_BLOCKS_MAX)
            if not call.text and not call.args.get("blocks"):
                self.violations.append(f"{where}: neither text nor blocks")
            if len(call.text) > MESSAGE_TEXT_MAX:
                self.violations.append(f"{where}: text of {len(call.text)} characters")
            if not call.channel:
                self.violations.append(f"{where}: no channel")

    def _answer(self, call: Call) -> dict[str, Any]:
        answer: dict[str, Any] = {"ok": True}
        method, args = call.method, call.args
        if method == "auth.test":
            answer |= {"team_id": "T1", "user_id": "UBOT", "bot_id": "B1", "url": "x"}
        elif method == "users.info":
            user = str(args.get("user") or "")
            answer["user"] = {
                "id": user,
                "name": user.lower(),
                "tz": self.zones.get(user, DEFAULT_TZ),
                "profile": {"real_name": self.names.get(user, f"User {user}")},
            }
        elif method in ("views.open", "views.update", "views.publish"):
            answer["view"] = {"id": f"V{next(self._ids)}", "hash": "h1", **call.view}
        elif method in ("chat.postMessage", "chat.update"):
            channel = call.channel
            if channel.startswith("U"):
                channel = "D" + channel[1:]
            ts = args.get("ts") or f"1700000000.{next(self._ts):06d}"
            answer |= {"channel": channel, "ts": ts}
        elif method == "chat.postEphemeral":
            answer["message_ts"] = f"1700000000.{next(self._ts):06d}"
        elif method == "conversations.open":
            answer["channel"] = {"id": "D" + str(args.get("users", "X"))[1:]}
        elif method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ids)}"
            answer |= {"file_id": file_id, "upload_url": f"{self.base}/upload/{file_id}"}
        elif method == "files.completeUploadExternal":
            files = loaded(args.get("files")) or []
            answer["files"] = [{"id": f.get("id"), "title": f.get("title")} for f in files]
        return answer

    # ------------------------------------------------------------------ reading

    def uploaded_to(self, channel: str) -> list[bytes]:
        """The contents of the files completed into ``channel``."""
        out: list[bytes] = []
        for call in self.named("files.completeUploadExternal"):
            if call.channel != channel:
                continue
            for f in loaded(call.args.get("files")) or []:
                out.append(self.uploads.get(str(f.get("id")), b""))
        return out


@dataclass
class Recorded:
    """Calls of one exchange with the app, with helpers to read them."""

    calls: list[Call] = field(default_factory=list)

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def to(self, channel: str) -> list[Call]:
        return [c for c in self.calls if c.channel == channel and c.status == 200]
