"""Memory follows who is active, not who has a form (issue 14: 10,000 half-filled forms
held 186 MB). A person gone quiet is let go of; their form stays in the database, and
their next message carries on from it. Nobody is let go of mid-update."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.handlers.telegram.persistence import user_key
from bot.handlers.telegram.update_processor import PerPersonUpdateProcessor
from tests.telegram.harness import ALICE, BOB, ERIN, BotHarness, register


async def test_the_longest_idle_are_forgotten_and_carry_on_from_the_database(
    tg: BotHarness,
) -> None:
    processor = tg.application.update_processor
    assert isinstance(processor, PerPersonUpdateProcessor)
    processor.max_resident = 2
    for person in (ALICE, ERIN, BOB):
        await register(tg, person, "Europe/Berlin")
    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Career guidance"))
    await tg.send(ALICE, "Switching to data engineering")
    # two others are active after her: she is the longest idle, and let go of
    await tg.send(ERIN, "/help")
    await tg.send(BOB, "/help")
    assert ALICE.id not in tg.application.user_data
    persistence = tg.application.persistence
    assert user_key(ALICE.id) not in persistence._known  # type: ignore[union-attr]
    stored = tg.scalar("SELECT value FROM conversation_state WHERE key = :k", k=user_key(ALICE.id))
    assert "Switching to data engineering" in str(stored)  # her form is still stored

    # her next answer lands in the step she was at
    duration = await tg.send(ALICE, "I write SQL reports; what should I learn next?")
    assert "How long" in duration.text, duration.text
    urgency = await tg.press(ALICE, duration.button("60 min"))
    assert "How urgent" in urgency.text, urgency.text
    assert ALICE.id in tg.application.user_data


def _message_from(update_id: int, user_id: int) -> Update:
    chat = Chat(user_id, Chat.PRIVATE)
    sender = User(user_id, "U", False)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat, from_user=sender))


async def test_a_person_with_an_update_under_way_is_never_forgotten() -> None:
    forgotten: list[int] = []
    processor = PerPersonUpdateProcessor(8, max_resident=1, forget=forgotten.append)
    release = asyncio.Event()

    async def slow() -> None:
        await release.wait()

    async def quick() -> None:
        return None

    await processor.do_process_update(_message_from(1, 10), quick())
    assert forgotten == []  # one person idle: within the bound
    held = asyncio.create_task(processor.do_process_update(_message_from(2, 10), slow()))
    await asyncio.sleep(0)
    # two others come and go while person 10 (the longest idle before) is under way
    await processor.do_process_update(_message_from(3, 20), quick())
    await processor.do_process_update(_message_from(4, 30), quick())
    assert forgotten == [20]
    release.set()
    await held
    # 10 is done now, the most recently idle: 30, the longest idle, goes
    assert forgotten == [20, 30]
