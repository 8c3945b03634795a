"""The real Telegram Application against the fake Bot API server, driven like a chat.

``BotHarness`` builds the production application (``build_application``) over a test
database with a movable clock, points it at :class:`FakeTelegram` and runs it in long
polling or webhook mode. ``send``/``press`` put one update where Telegram would (the
getUpdates queue, or a POST to the webhook with the secret header), wait until the bot
has finished handling it (the update confirmed, the application's update queue drained:
that includes the persistence write of the group-99 handler) and return every Bot API
call the bot made meanwhile. ``deliver`` runs one tick of the delivery engine with the
production ``TelegramSender`` on the application's bot, so notifications arrive at the
fake server too.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.telegram.sender import TelegramSender
from bot.handlers.telegram.webhook import webhook_app
from bot.worker import tick
from core.clock import MovableClock
from core.delivery.engine import DeliveryEngine, TickReport
from core.delivery.ports import Address
from core.delivery.ratelimit import Limit
from core.members import Identity, Member, Platform
from core.notifications import Audience
from core.policy import Policy
from core.services.members import find_member, register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from tests.support.fake_telegram import Call, FakeTelegram, User
from tests.support.snapshot import domain_snapshot, scalar

# A token in the real format (digits, a colon, 35 characters): the redaction test needs it.
TOKEN = "7012345678:AAH3x9Qk_fakeTokenForTestsOnly-0123"
SECRET = "webhook-secret_42"
GROUP = -1001234567890  # the mentors' group
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday: 00:00 in Los Angeles, 09:00 Berlin

ADMIN = User(1001, "Ada", "Admin", "ada")
ALICE = User(2001, "Alice")  # student, America/Los_Angeles
ERIN = User(2002, "Erin")  # another student, Asia/Kolkata
BOB = User(3001, "Bob")  # approved mentor, Europe/Berlin
CAROL = User(3002, "Carol")  # approved mentor, America/New_York
DAVE = User(3003, "Dave")  # applied, not approved
STRANGER = User(9001, "Mallory")  # never sent /start
NO_LIMITS: dict[Platform, tuple[Limit | None, Limit | None, Limit | None]] = {
    Platform.TELEGRAM: (None, None, None)
}
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "sendDocument"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Exchange:
    """What the bot did while handling one update (or one delivery tick)."""

    chat_id: int
    calls: list[Call]
    update: dict[str, Any] = field(default_factory=dict)

    @property
    def replies(self) -> list[Call]:
        return self.to(self.chat_id)

    def to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id and c.method in REPLY_METHODS]

    @property
    def text(self) -> str:
        return "\n".join(c.text for c in self.replies if c.ok)

    def text_to(self, chat_id: int) -> str:
        return "\n".join(c.text for c in self.to(chat_id) if c.ok)

    @property
    def answers(self) -> list[Call]:
        """Answers to this update's button press (other presses may overlap in time)."""
        query = self.update.get("callback_query", {}).get("id")
        return [
            c
            for c in self.calls
            if c.method == "answerCallbackQuery"
            and (query is None or str(c.params.get("callback_query_id")) == query)
        ]

    @property
    def answer(self) -> str:
        """The toast/alert text of the (single) answer to the pressed button."""
        assert len(self.answers) == 1, f"expected one answerCallbackQuery, got {self.calls}"
        return str(self.answers[0].params.get("text") or "")

    @property
    def alert(self) -> bool:
        return bool(self.answers and self.answers[0].params.get("show_alert"))

    def buttons(self, chat_id: int | None = None) -> list[str]:
        return [d for c in self.to(chat_id or self.chat_id) for d in c.callback_data]

    def button(self, label_part: str, chat_id: int | None = None) -> str:
        """The callback data of the first button whose label contains ``label_part``."""
        for call in self.to(chat_id or self.chat_id):
            for b in call.buttons:
                if label_part in b["text"] and "callback_data" in b:
                    return str(b["callback_data"])
        raise AssertionError(f"no button {label_part!r} in {self.to(chat_id or self.chat_id)}")


class BotHarness:
    def __init__(
        self,
        database_url: str,
        fake: FakeTelegram,
        *,
        mode: str = "polling",
        clock: MovableClock | None = None,
        policy: Policy | None = None,
        limits: Mapping[Platform, tuple[Limit | None, Limit | None, Limit | None]] | None = None,
    ) -> None:
        self.database_url = database_url
        self.fake = fake
        self.mode = mode
        self.clock = clock or MovableClock(START)
        settings = Settings(
            _env_file=None,
            database_url=database_url,
            telegram_token=TOKEN,
            telegram_api_url=fake.url,
            admins=[f"telegram:{ADMIN.id}"],
        )
        self.runtime = build_runtime(
            settings, clock=self.clock, migrate=False, policy=policy or Policy()
        )
        self.db: Engine = self.runtime.engine
        self.sessions: sessionmaker[Session] = self.runtime.sessions
        self.ctx = self.runtime.ctx
        self.store = self.runtime.store
        self.limits = dict(NO_LIMITS if limits is None else limits)
        self.application: Application = self._build()  # type: ignore[type-arg]
        self.engine: DeliveryEngine | None = None
        self.webhook_port = 0
        self.webhook_runner: web.AppRunner | None = None
        self.running = False

    def _build(self) -> Application:  # type: ignore[type-arg]
        return self.runtime.telegram_application()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> BotHarness:
        app = self.application
        await app.initialize()
        await app.start()
        if self.mode == "polling":
            await app.updater.start_polling(poll_interval=0.0, timeout=5)  # type: ignore[union-attr]
        else:
            # the production endpoint (bot.handlers.telegram.webhook), as the runner serves it
            self.webhook_port = free_port()
            self.webhook_runner = web.AppRunner(
                webhook_app(app.bot, app.update_queue, "telegram", SECRET), access_log=None
            )
            await self.webhook_runner.setup()
            await web.TCPSite(self.webhook_runner, "127.0.0.1", self.webhook_port).start()
            await app.bot.set_webhook(self.webhook_url, secret_token=SECRET)
        self.use_limits(self.limits)
        self.running = True
        return self

    def use_limits(
        self, limits: Mapping[Platform, tuple[Limit | None, Limit | None, Limit | None]]
    ) -> DeliveryEngine:
        """A delivery engine with these limits ({} means the production ones)."""
        self.limits = dict(limits)
        self.engine = self.runtime.delivery(
            [TelegramSender(self.application.bot, self.store)],
            feeds={Audience.MENTORS: [Address(Platform.TELEGRAM, str(GROUP), True)]},
            limits=self.limits,
        )
        return self.engine

    async def stop(self) -> None:
        """A clean stop (what ``run_polling`` does on SIGTERM)."""
        if not self.running:
            return
        self.running = False
        app = self.application
        if self.webhook_runner is not None:
            await self.webhook_runner.cleanup()
            self.webhook_runner = None
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def crash(self) -> None:
        """Stop dead, as a killed process would: no stop(), no shutdown(), no final flush
        of persistence; the polling and update-handling tasks are simply cancelled."""
        app = self.application
        tasks = [
            getattr(app.updater, "_Updater__polling_task", None),
            getattr(app, "_Application__update_fetcher_task", None),
            getattr(app, "_Application__update_persistence_task", None),
        ]
        assert tasks[0] is not None and tasks[1] is not None, "PTB's task names changed"
        live = [t for t in tasks if t is not None and not t.done()]
        for task in live:
            task.cancel()
        await asyncio.gather(*live, return_exceptions=True)
        if app.job_queue is not None and app.job_queue.scheduler.running:
            app.job_queue.scheduler.shutdown(wait=False)
        self.running = False

    async def restart_after_crash(self) -> BotHarness:
        """A new process: a new Application over the same database and the same Bot API."""
        crashed = self.application
        self.application = self._build()
        await self.start()
        # the dead process's HTTP connections would be closed by the OS; close them here
        await crashed.bot.shutdown()
        return self

    def close_database(self) -> None:
        self.db.dispose()

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.webhook_port}/telegram"

    # ------------------------------------------------------------------ driving

    async def deliver_update(self, update: dict[str, Any], chat_id: int) -> Exchange:
        """Hand one update to the bot the way Telegram would and wait until it is handled."""
        since = len(self.fake.calls)
        if self.mode == "polling":
            await self.fake.queue_update(update)
            await self.fake.wait_confirmed(update["update_id"])
        else:
            status = await self.fake.post_to_webhook(update, url=self.webhook_url)
            assert status == 200, f"webhook answered {status}"
        await asyncio.wait_for(self.application.update_queue.join(), 15)
        calls = [c for c in self.fake.calls[since:] if c.method != "getUpdates"]
        return Exchange(chat_id, calls, update)

    async def send(self, user: User, text: str, chat_id: int | None = None) -> Exchange:
        update = self.fake.message_update(user, text, chat_id)
        return await self.deliver_update(update, chat_id if chat_id is not None else user.id)

    async def press(
        self, user: User, data: str, chat_id: int | None = None, *, forged: bool = False
    ) -> Exchange:
        """Press the button carrying ``data`` on the newest bot message in the chat that has
        it (a forged press rides on the newest bot message instead, or on none)."""
        chat = chat_id if chat_id is not None else user.id
        message = self.fake.find_button_message(chat, data)
        if message is None:
            assert forged, f"there is no button {data!r} in chat {chat}"
            message = self.fake.last_bot_message(chat)
        update = self.fake.callback_update(user, data, message, chat)
        exchange = await self.deliver_update(update, chat)
        query_id = update["callback_query"]["id"]
        assert query_id not in self.fake.unanswered_queries(), (
            f"the press of {data!r} by {user.first_name} was never answered: {exchange.calls}"
        )
        return exchange

    async def deliver(self) -> tuple[TickReport, Exchange]:
        """One scheduled-work tick: sweeps, then the delivery engine sends what is due."""
        assert self.engine is not None
        since = len(self.fake.calls)
        report = await tick(self.ctx, self.engine)
        calls = [c for c in self.fake.calls[since:] if c.method != "getUpdates"]
        return report, Exchange(GROUP, calls)

    # ------------------------------------------------------------------ people

    def member(self, user: User) -> Member:
        found = find_member(self.ctx, Identity(Platform.TELEGRAM, str(user.id)))
        assert found is not None, f"{user.first_name} is not registered"
        return found

    def seed_mentor(
        self, user: User, zone: str, tags: list[str], *, approve: bool = True
    ) -> Member:
        """A mentor registered straight through the services (the Telegram flow for
        applying and approving has its own test), free 08:00-20:00 every day."""
        member, _ = register_member(
            self.ctx, Identity(Platform.TELEGRAM, str(user.id)), user.first_name, zone
        )
        apply_as_mentor(
            self.ctx,
            member.id,
            domain="Backend",
            years_experience=7,
            bio=f"{user.first_name} mentors.",
            expertise_tags=tags,
        )
        if approve:
            admin, _ = register_member(
                self.ctx,
                Identity(Platform.TELEGRAM, str(ADMIN.id)),
                "Ada Admin",
                admin=True,
            )
            decide_mentor(self.ctx, admin.id, member.id, approve=True)
            for weekday in range(7):
                add_availability(self.ctx, member.id, weekday, time(8, 0), time(20, 0))
        return member

    def snapshot(self) -> dict[str, list[Any]]:
        return domain_snapshot(self.db, "id, is_admin, timezone")

    def scalar(self, query: str, **params: Any) -> Any:
        return scalar(self.db, query, **params)


async def fill_request(
    tg: BotHarness,
    user: User,
    *,
    kind: str = "Career guidance",
    title: str = "Moving from QA to backend",
    description: str = "I test APIs all day; how do I start writing them?",
    duration: str = "45 min",
    urgency: str = "High",
    from_day: str = "2026-03-03",
    until_day: str = "2026-03-06",
    tags: tuple[str, ...] = ("python",),
    typed_tags: str | None = None,
    hours: str | None = None,
) -> Exchange:
    """Walk the /request form with its buttons up to the preview (returned); ``hours``
    typed at the hours step (None: Done, keeping the default, all three periods)."""
    step = await tg.send(user, "/request")
    step = await tg.press(user, step.button(kind))
    step = await tg.send(user, title)
    step = await tg.send(user, description)
    step = await tg.press(user, step.button(duration))
    step = await tg.press(user, step.button(urgency))
    step = await tg.press(user, day_button(step, from_day))
    step = await tg.press(user, day_button(step, until_day))
    if hours is None:
        step = await tg.press(user, step.button("Done"))
    else:
        step = await tg.send(user, hours)
    for tag in tags:
        step = await tg.press(user, step.button(tag))
    if typed_tags:
        step = await tg.send(user, typed_tags)
    step = await tg.press(user, step.button("Done"))
    if "particular mentor" in step.text:
        step = await tg.press(user, step.button("No preference"))
    assert "Submit it?" in step.text, step.text
    return step


def day_button(step: Exchange, day: str) -> str:
    """The calendar button of ``day`` (YYYY-MM-DD) in the step's keyboard."""
    found = [d for d in step.buttons() if d.endswith(f":day:{day}")]
    assert found, f"no calendar button for {day} in {step.buttons()}"
    return found[0]


async def submit_request(tg: BotHarness, user: User, **fields: Any) -> int:
    """The form, submitted; returns the new request's id."""
    preview = await fill_request(tg, user, **fields)
    done = await tg.press(user, preview.button("Submit"))
    match = re.search(r"Request #(\d+) submitted", done.text)
    assert match, done.text
    return int(match.group(1))


async def register(tg: BotHarness, user: User, zone: str) -> None:
    """/start, then the time zone: a button for the common zones, else /timezone."""
    welcome = await tg.send(user, "/start")
    if f"tz:{zone}" in welcome.buttons():
        await tg.press(user, f"tz:{zone}")
    else:
        await tg.send(user, f"/timezone {zone}")
    assert tg.member(user).timezone == zone
