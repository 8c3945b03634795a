"""The scenarios' verbs on Telegram: updates over real HTTP to the real application,
which talks to the fake Bot API (``tests/telegram/harness.py``).

Buttons are callback data as ``bot/handlers/telegram/callback_codec.py`` encodes them; a
button counts as shown to a person when a bot message in their private chat (or, for a
mentor, in the mentors' group) carries it.
"""

from __future__ import annotations

import re
from datetime import date

from bot.handlers.telegram.callback_codec import decode, encode
from core.delivery.messages import Action, ActionName
from core.hours import PERIODS
from core.members import Member
from tests.scenarios.driver import Driver, RequestSpec
from tests.scenarios.people import EVERYONE, Person
from tests.support.failing_writes import failing_writes
from tests.support.fake_telegram import Call, FakeTelegram
from tests.telegram.harness import GROUP, REPLY_METHODS, TOKEN, BotHarness, Exchange, register


def callback_data(name: str, args: tuple[str, ...]) -> str:
    """The data a button of this action carries (any action of the vocabulary)."""
    if name in ActionName.__members__.values():
        return encode(Action("x", ActionName(name), args))
    return ":".join((f"a:{name}", *args))


class TelegramDriver(Driver):
    name = "telegram"

    def __init__(self, database_url: str, harness: BotHarness | None = None) -> None:
        super().__init__()
        self.database_url = database_url
        self.tg = harness
        self.by_chat = {p.telegram_id: p for p in EVERYONE}

    async def start(self, fake: FakeTelegram | None = None, **kw: object) -> TelegramDriver:
        if self.tg is None:
            fake = fake or await FakeTelegram(TOKEN).start()
            self.tg = BotHarness(self.database_url, fake, **kw)  # type: ignore[arg-type]
            await self.tg.start()
        self.tg.fake.add_group(GROUP)
        self.clock, self.ctx, self.db = self.tg.clock, self.tg.ctx, self.tg.db
        return self

    async def stop(self) -> None:
        assert self.tg is not None
        await self.tg.stop()
        self.tg.close_database()
        await self.tg.fake.close()
        violations = self.tg.fake.violations
        assert not violations, "payloads Telegram would refuse:\n" + "\n".join(violations)

    @property
    def h(self) -> BotHarness:
        assert self.tg is not None
        return self.tg

    def member(self, p: Person) -> Member:
        return self.h.member(p.telegram)

    # ------------------------------------------------------------------ what was said

    def log(self, calls: list[Call]) -> None:
        for call in calls:
            if call.method not in REPLY_METHODS or not call.ok:
                continue
            text = call.text
            for filename, _ in call.files.values():
                text = "\n".join(filter(None, (text, f"(attached {filename})")))
            if call.chat_id == GROUP:
                self.feed.append(text)
            elif call.chat_id in self.by_chat:
                self.heard[self.by_chat[call.chat_id].key].append(text)

    def said(self, p: Person, exchange: Exchange) -> str:
        self.log(exchange.calls)
        toasts = [str(c.params.get("text") or "") for c in exchange.answers]
        for toast in filter(None, toasts):
            self.heard[p.key].append(toast)
        replies = [c.text for c in exchange.calls if c.method in REPLY_METHODS and c.ok]
        return "\n".join([*filter(None, toasts), *replies])

    def _ever_shown(self, chats: set[int]) -> list[str]:
        """Callback data of every button ever sent (or edited in) to these chats: a card
        edited since still counts, as a press of its old button may still come."""
        return [
            data
            for call in self.h.fake.calls
            if call.ok and call.chat_id in chats and call.method in REPLY_METHODS
            for data in call.callback_data
        ]

    def shown(self, p: Person, name: str) -> list[tuple[str, ...]]:
        chats = {p.telegram_id} | ({GROUP} if p.key in self.in_feed else set())
        found = [decode(data) for data in self._ever_shown(chats)]
        return [tuple(args) for decoded, args in found if decoded == name]

    # ------------------------------------------------------------------ verbs

    async def register(self, p: Person) -> None:
        mark = len(self.h.fake.calls)
        await register(self.h, p.telegram, p.zone)
        self.log(self.h.fake.calls[mark:])

    async def type(self, p: Person, text: str) -> str:
        said = self.said(p, await self.h.send(p.telegram, text))
        await self.deliver()
        return said

    async def _answer(self, p: Person, text: str) -> str:
        return self.said(p, await self.h.send(p.telegram, text))

    async def _press(self, p: Person, name: str, args: tuple[str, ...]) -> str:
        data = callback_data(name, args)
        chat = p.telegram_id
        in_group = p.key in self.in_feed and data in self._ever_shown({GROUP})
        if in_group and data not in self._ever_shown({chat}):
            chat = GROUP  # the card in the mentors' group
        return self.said(p, await self.h.press(p.telegram, data, chat, forged=True))

    async def submit_request(
        self, p: Person, spec: RequestSpec, *, failing_save: bool = False
    ) -> int:
        tg, user = self.h, p.telegram
        mark = len(tg.fake.calls)
        step = await tg.send(user, "/request")
        step = await tg.press(user, step.button("Career guidance"))
        if failing_save:
            with failing_writes(self.db, "conversation_state") as refused:
                self.failed_save_told = (await tg.send(user, spec.title)).text
            assert refused, "no state write was attempted"
        step = await tg.send(user, spec.title)
        step = await tg.send(user, spec.description)
        step = await tg.press(user, step.button(f"{spec.duration} min"))
        step = await tg.press(user, step.button(spec.urgency.capitalize()))
        step = await tg.press(user, _day(step, spec.available_from))
        step = await tg.press(user, _day(step, spec.available_until))
        for period in PERIODS:  # all three are ticked at first: tap to untick or tick
            labels = [b["text"] for c in step.to(step.chat_id) for b in c.buttons]
            ticked = f"✓ {period.label}" in labels
            if (period.value in spec.hours) != ticked:
                step = await tg.press(user, step.button(period.label))
        step = await tg.press(user, step.button("Done"))
        step = await tg.press(user, step.button(spec.tag))
        step = await tg.press(user, step.button("Done"))
        if "particular mentor" in step.text:
            step = await tg.press(user, step.button("No preference"))
        assert "Submit it?" in step.text, step.text
        done = await tg.press(user, step.button("Submit"))
        self.log(tg.fake.calls[mark:])
        found = re.search(r"Request #(\d+) submitted", done.text)
        assert found, done.text
        await self.deliver()
        return int(found.group(1))

    async def deliver(self) -> None:
        _, exchange = await self.h.deliver()
        self.log(exchange.calls)


def _day(step: Exchange, day: date) -> str:
    found = [d for d in step.buttons() if d.endswith(f":day:{day.isoformat()}")]
    assert found, f"no calendar button for {day} in {step.buttons()}"
    return found[0]
