"""The real Slack app in HTTP mode on 127.0.0.1, fed signed requests over real HTTP.

``SlackHarness`` builds the production ``AsyncApp`` (``build_slack_app``) over a test
database with a movable clock, serves it with the runner's aiohttp endpoint
(``runner.http_app``) on a free port, and points its Web API client at
:class:`FakeSlack`. ``command``/``press``/``submit``/``event`` post one signed request,
wait until every listener started for it has finished (Bolt runs them after the ack) and
return the HTTP answer plus every Web API call made meanwhile. ``deliver`` runs one tick of
the delivery engine with the production ``SlackSender`` and a ``RecordingSender`` standing
in for Telegram.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time as wallclock
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.slack.app import close_slack_app
from bot.handlers.slack.home_refresh import TASK_NAME as HOME_TASK
from bot.handlers.slack.http_endpoint import DISPATCH
from bot.handlers.slack.runner import EVENTS_PATH, http_app
from bot.handlers.slack.sender import SlackSender
from bot.handlers.slack.timely import TimelyDispatch
from bot.senders.recording import RecordingSender
from bot.worker import tick
from core.clock import MovableClock
from core.delivery.engine import DeliveryEngine, TickReport
from core.delivery.ports import Address
from core.members import Identity, Member, Platform
from core.notifications import Audience
from core.policy import Policy
from core.requests import RequestDraft
from core.services.members import find_member, register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from tests.support.fake_slack import Call, FakeSlack
from tests.support.snapshot import domain_snapshot, scalar

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-1234-5678-testtoken"
TEAM = "T1"
CHANNEL = "CMENTORS"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday

ADMIN = "UADMIN"
ALICE = "UALICE"  # student, America/Los_Angeles
ERIN = "UERIN"  # another student, Asia/Kolkata
BOB = "UBOB"  # approved mentor, Europe/Berlin
CAROL = "UCAROL"  # approved mentor, America/New_York
DAVE = "UDAVE"  # applied, not approved
STRANGER = "UMALLORY"
ZONES = {
    ADMIN: "UTC",
    ALICE: "America/Los_Angeles",
    ERIN: "Asia/Kolkata",
    BOB: "Europe/Berlin",
    CAROL: "America/New_York",
    DAVE: "Asia/Tokyo",
    STRANGER: "UTC",
}
NAMES = {
    ADMIN: "Ada Admin",
    ALICE: "Alice",
    ERIN: "Erin",
    BOB: "Bob",
    CAROL: "Carol",
    DAVE: "Dave",
    STRANGER: "Mallory",
}
NO_LIMITS = {Platform.SLACK: (None, None, None), Platform.TELEGRAM: (None, None, None)}
# buttons only the Home tab shows: pressed on the Home view, as Slack sends them
HOME_ONLY = ("home:", "apply:open")
LISTENER_TASK = "run_ack_function_asynchronously"


def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, content_type: str, *, secret: str = SECRET, skew: int = 0
) -> dict[str, str]:
    timestamp = str(int(wallclock.time()) + skew)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(body, timestamp, secret),
    }


@dataclass
class Answer:
    """One HTTP exchange with the app and the Web API calls made while it was handled."""

    status: int
    body: str
    calls: list[Call]
    seconds: float = 0.0

    @property
    def json(self) -> dict[str, Any]:
        found = json.loads(self.body) if self.body else {}
        return found if isinstance(found, dict) else {}

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def to_user(self, user: str) -> list[Call]:
        """Messages for ``user``: DMs (channel = user id) and ephemerals."""
        return [
            c
            for c in self.calls
            if c.status == 200
            and (
                (c.method == "chat.postMessage" and c.channel == user)
                or (c.method == "chat.postEphemeral" and c.user == user)
            )
        ]

    def text_to(self, user: str) -> str:
        return "\n".join(c.text for c in self.to_user(user))

    @property
    def form_saved(self) -> bool:
        """The request form was answered at once, kept open as "saving" (the ack), then
        turned into the saved note once stored (``views.update``)."""
        saving = self.json.get("response_action") == "update" and "Saving" in json.dumps(
            self.json.get("view")
        )
        return saving and any(
            c.view.get("callback_id") == "request_saved" for c in self.of("views.update")
        )


@dataclass
class SlackHarness:
    database_url: str
    fake: FakeSlack
    policy: Policy | None = None
    clock: MovableClock = field(default_factory=lambda: MovableClock(START))

    def __post_init__(self) -> None:
        settings = Settings(
            _env_file=None,
            database_url=self.database_url,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=self.fake.url,
            slack_mentors_channel=CHANNEL,
            admins=[f"slack:{TEAM}:{ADMIN}"],
        )
        self.runtime = build_runtime(
            settings, clock=self.clock, migrate=False, policy=self.policy or Policy()
        )
        self.db: Engine = self.runtime.engine
        self.sessions: sessionmaker[Session] = self.runtime.sessions
        self.ctx = self.runtime.ctx
        self.store = self.runtime.store
        self.app = self.runtime.slack_app()
        self.telegram = RecordingSender(platform=Platform.TELEGRAM)
        self.engine: DeliveryEngine = self.runtime.delivery(
            [SlackSender(self.app.client, self.store), self.telegram],
            feeds={Audience.MENTORS: [Address(Platform.SLACK, CHANNEL, True)]},
            limits=NO_LIMITS,
        )
        self.runner: web.AppRunner | None = None
        self.http: aiohttp.ClientSession | None = None
        self.url = ""
        self._ids = itertools.count(1)

    async def start(self) -> SlackHarness:
        self.runner = web.AppRunner(http_app(self.app, SECRET))
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
        self.http = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        await self.settle()
        if self.http is not None:
            await self.http.close()
        if self.runner is not None:
            await self.runner.cleanup()
        await self.app.client.session.close() if self.app.client.session else None
        close_slack_app(self.app)
        self.db.dispose()

    # ------------------------------------------------------------------ transport

    @property
    def dispatch(self) -> TimelyDispatch:
        assert self.runner is not None
        return self.runner.app[DISPATCH]

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait until every listener Bolt started after an ack has finished (and every
        request answered before its listener acked, see ``timely``)."""
        deadline = wallclock.monotonic() + timeout
        while True:
            running = [
                t
                for t in asyncio.all_tasks()
                if not t.done()
                and (
                    LISTENER_TASK in getattr(t.get_coro(), "__qualname__", "")
                    or t.get_name() == HOME_TASK  # Home tabs rebuilt after the request
                )
            ]
            if self.runner is not None:
                running += [t for t in self.dispatch.late if not t.done()]
            if not running:
                return
            left = deadline - wallclock.monotonic()
            assert left > 0, "Slack listeners still running"
            await asyncio.wait(running, timeout=left)

    async def post_raw(
        self, body: bytes, headers: dict[str, str], *, settle: bool = True
    ) -> Answer:
        assert self.http is not None
        mark = len(self.fake.calls)
        started = wallclock.monotonic()
        async with self.http.post(self.url, data=body, headers=headers) as response:
            status, answer = response.status, await response.text()
        seconds = wallclock.monotonic() - started
        if settle:
            await self.settle()
        return Answer(status, answer, self.fake.calls[mark:], seconds)

    async def post_form(
        self, fields: dict[str, str], *, settle: bool = True, **signing: Any
    ) -> Answer:
        body = urlencode(fields).encode()
        headers = signed_headers(body, "application/x-www-form-urlencoded", **signing)
        return await self.post_raw(body, headers, settle=settle)

    async def post_payload(self, payload: dict[str, Any], *, settle: bool = True) -> Answer:
        return await self.post_form({"payload": json.dumps(payload)}, settle=settle)

    async def post_form_retry(self, payload: dict[str, Any], attempt: int) -> Answer:
        """Slack's retry number ``attempt`` of ``payload`` (it got no answer in time)."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        headers = signed_headers(body, "application/x-www-form-urlencoded")
        headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "timeout"}
        return await self.post_raw(body, headers, settle=False)

    def trigger(self) -> str:
        return f"{next(self._ids)}.{int(wallclock.time() * 1000)}.trigger"

    # ------------------------------------------------------------------ what people do

    def command_fields(self, user: str, text_: str = "") -> dict[str, str]:
        return {
            "token": "legacy",
            "command": "/mentorship",
            "text": text_,
            "team_id": TEAM,
            "user_id": user,
            "user_name": user.lower(),
            "channel_id": "CGENERAL",
            "trigger_id": self.trigger(),
            "response_url": "http://127.0.0.1:9/unused",
        }

    async def command(self, user: str, **kw: Any) -> Answer:
        return await self.post_form(self.command_fields(user), **kw)

    async def shortcut(self, user: str) -> Answer:
        return await self.post_payload(
            {
                "type": "shortcut",
                "callback_id": "mentorship_request",
                "team": {"id": TEAM},
                "user": {"id": user, "team_id": TEAM},
                "trigger_id": self.trigger(),
                "action_ts": f"{wallclock.time():.6f}",
            }
        )

    def action_payload(
        self,
        user: str,
        action_id: str,
        value: str = "",
        *,
        channel: str | None = None,
        view: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        stamp = f"{wallclock.time():.6f}{next(self._ids)}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "trigger_id": self.trigger(),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "actions:0",
                    "value": value,
                    "action_ts": stamp,
                }
            ],
        }
        if view is None and action_id.startswith(HOME_ONLY):  # a button only the Home has
            view = {"id": "VHOME", "type": "home"}
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "V0")}
        else:
            chat = channel or "D" + user[1:]
            payload["channel"] = {"id": chat}
            payload["container"] = {"type": "message", "channel_id": chat, "message_ts": "1.1"}
            payload["message"] = {"ts": "1.1", "text": "x"}
        return payload

    async def press(self, user: str, action_id: str, value: str = "", **kw: Any) -> Answer:
        settle = kw.pop("settle", True)
        return await self.post_payload(
            self.action_payload(user, action_id, value, **kw), settle=settle
        )

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> Answer:
        return await self.post_payload(self.submission(user, view, values))

    def submission(self, user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """The view_submission payload of ``view`` filled with ``values``."""
        return {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "trigger_id": self.trigger(),
            "view": {
                "id": view.get("id", "V1"),
                "hash": view.get("hash", "h1"),
                "type": "modal",
                "callback_id": view.get("callback_id"),
                "private_metadata": view.get("private_metadata", ""),
                "blocks": view.get("blocks", []),
                "state": {"values": state_of(view, values)},
            },
        }

    async def event(self, user: str, event: dict[str, Any], **kw: Any) -> Answer:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": TEAM,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": f"Ev{next(self._ids)}{int(wallclock.time() * 1000)}",
                "event_time": int(wallclock.time()),
                "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
                "event": {"user": user, **event},
            }
        ).encode()
        headers = signed_headers(body, "application/json")
        headers |= kw.pop("headers", {})
        return await self.post_raw(body, headers, **kw)

    async def home(self, user: str) -> Answer:
        return await self.event(user, {"type": "app_home_opened", "tab": "home", "channel": "D1"})

    async def deliver(self) -> tuple[TickReport, list[Call]]:
        mark = len(self.fake.calls)
        report = await tick(self.ctx, self.engine)
        return report, self.fake.calls[mark:]

    # ------------------------------------------------------------------ people

    def member(self, user: str) -> Member:
        found = find_member(self.ctx, Identity(Platform.SLACK, f"{TEAM}:{user}"))
        assert found is not None, f"{user} is not registered"
        return found

    def person(self, user: str, *, admin: bool = False) -> Member:
        member, _ = register_member(
            self.ctx,
            Identity(Platform.SLACK, f"{TEAM}:{user}"),
            NAMES[user],
            ZONES[user],
            admin=admin,
        )
        return member

    def seed_mentor(self, user: str, tags: list[str], *, approve: bool = True) -> Member:
        member = self.person(user)
        apply_as_mentor(
            self.ctx,
            member.id,
            domain="Backend",
            years_experience=7,
            bio=f"{NAMES[user]} mentors.",
            expertise_tags=tags,
        )
        if approve:
            admin = self.person(ADMIN, admin=True)
            decide_mentor(self.ctx, admin.id, member.id, approve=True)
            for weekday in range(7):
                add_availability(self.ctx, member.id, weekday, time(8, 0), time(20, 0))
        return member

    def snapshot(self) -> dict[str, list[Any]]:
        return domain_snapshot(self.db, "id, is_admin")

    def scalar(self, query: str, **params: Any) -> Any:
        return scalar(self.db, query, **params)


def state_of(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Slack's ``view.state.values`` for the view's input blocks, filled with ``values``
    (by block id; a block not named keeps its initial value)."""
    out: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        if block.get("type") != "input":
            continue
        block_id = block["block_id"]
        element = block["element"]
        kind = element["type"]
        given = values.get(block_id, _initial(element))
        state: dict[str, Any] = {"type": kind}
        if kind in ("static_select", "radio_buttons"):
            state["selected_option"] = (
                None
                if given is None
                else {"value": str(given), "text": {"type": "plain_text", "text": str(given)}}
            )
        elif kind in ("multi_static_select", "checkboxes"):
            state["selected_options"] = [
                {"value": v, "text": {"type": "plain_text", "text": v}} for v in given or []
            ]
        elif kind == "datepicker":
            state["selected_date"] = given
        elif kind == "timepicker":
            state["selected_time"] = given
        else:
            state["value"] = given
        out[block_id] = {element["action_id"]: state}
    return out


def _initial(element: dict[str, Any]) -> Any:
    kind = element["type"]
    if kind in ("static_select", "radio_buttons"):
        return (element.get("initial_option") or {}).get("value")
    if kind in ("multi_static_select", "checkboxes"):
        return [o["value"] for o in element.get("initial_options") or []]
    if kind == "datepicker":
        return element.get("initial_date")
    if kind == "timepicker":
        return element.get("initial_time")
    return element.get("initial_value")


# A valid request form, as a student fills it in (values by field name).
FORM_VALUES: dict[str, Any] = {
    "session_type": "career-guidance",
    "title": "Moving from QA to backend",
    "description": "I test APIs all day; how do I start writing them?",
    "duration_minutes": "45",
    "urgency": "normal",
    "available_from": "2026-03-03",
    "available_until": "2026-03-06",
    "tags": ["python"],
    "preferred_mentor_id": None,
}


def draft(title: str = "Moving from QA to backend", **changes: Any) -> RequestDraft:
    found = RequestDraft(
        "career-guidance",
        title,
        "I test APIs all day; how do I start writing them?",
        {},
        45,
        "normal",
        date(2026, 3, 3),
        date(2026, 3, 6),
        ["python"],
    )
    for key, value in changes.items():
        setattr(found, key, value)
    return found
