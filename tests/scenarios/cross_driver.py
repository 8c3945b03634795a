"""One database, two front-ends: each person uses their own (students Telegram, everyone
else Slack), as in a community whose mentors live in Slack.

Both real stacks run side by side over the same database and the same clock; one
delivery engine carries both senders and both mentors' feeds, so a notification goes out
on whichever platform its recipient uses. A scenario runs on this driver unchanged.
"""

from __future__ import annotations

from bot.handlers.slack.sender import SlackSender
from bot.handlers.telegram.sender import TelegramSender
from bot.worker import build_engine, tick
from core.clock import MovableClock
from core.delivery.engine import DeliveryEngine
from core.delivery.ports import Address
from core.members import Member, Platform
from core.notifications import Audience
from tests.scenarios.driver import Driver, RequestSpec
from tests.scenarios.people import ALICE, ERIN, Person
from tests.scenarios.slack_driver import SlackDriver
from tests.scenarios.telegram_driver import TelegramDriver
from tests.slack.harness import CHANNEL
from tests.telegram.harness import GROUP, START

ON_TELEGRAM = frozenset({ALICE.key, ERIN.key})
NO_LIMITS = {Platform.TELEGRAM: (None, None, None), Platform.SLACK: (None, None, None)}


class CrossDriver(Driver):
    name = "telegram+slack"

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.clock = MovableClock(START)
        self.telegram = TelegramDriver(database_url)
        self.slack = SlackDriver(database_url)
        self.engine: DeliveryEngine | None = None

    async def start(self) -> CrossDriver:
        await self.telegram.start(clock=self.clock)
        await self.slack.start(clock=self.clock)
        for side in (self.telegram, self.slack):  # one log, one delivery for both
            side.heard, side.feed, side.in_feed = self.heard, self.feed, self.in_feed
            side.deliver = self.deliver  # type: ignore[method-assign]
        self.ctx, self.db = self.telegram.ctx, self.telegram.db
        self.engine = build_engine(
            self.ctx,
            [
                TelegramSender(self.telegram.h.application.bot, self.telegram.h.store),
                SlackSender(self.slack.h.app.client, self.slack.h.store),
            ],
            {
                Audience.MENTORS: [
                    Address(Platform.TELEGRAM, str(GROUP), True),
                    Address(Platform.SLACK, CHANNEL, True),
                ]
            },
            limits=NO_LIMITS,
        )
        return self

    async def stop(self) -> None:
        await self.slack.stop()
        await self.telegram.stop()

    def side(self, p: Person) -> Driver:
        return self.telegram if p.key in ON_TELEGRAM else self.slack

    def member(self, p: Person) -> Member:
        return self.side(p).member(p)

    async def register(self, p: Person) -> None:
        await self.side(p).register(p)

    async def type(self, p: Person, text: str) -> str:
        return await self.side(p).type(p, text)

    async def submit_request(
        self, p: Person, spec: RequestSpec, *, failing_save: bool = False
    ) -> int:
        side = self.side(p)
        found = await side.submit_request(p, spec, failing_save=failing_save)
        self.failed_save_told = side.failed_save_told
        return found

    async def _press(self, p: Person, name: str, args: tuple[str, ...]) -> str:
        return await self.side(p)._press(p, name, args)

    def shown(self, p: Person, name: str) -> list[tuple[str, ...]]:
        return self.side(p).shown(p, name)

    async def _answer(self, p: Person, text: str) -> str:
        return await self.side(p)._answer(p, text)

    async def deliver(self) -> None:
        assert self.engine is not None
        marks = len(self.telegram.h.fake.calls), len(self.slack.h.fake.calls)
        await tick(self.ctx, self.engine)
        self.telegram.log(self.telegram.h.fake.calls[marks[0] :])
        self.slack.log(self.slack.h.fake.calls[marks[1] :])
