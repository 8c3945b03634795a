"""Updates of different people run at once; one person's run one at a time, in order."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.handlers.telegram.update_processor import PerPersonUpdateProcessor, person_of


def message(update_id: int, user_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "U"},
                "text": "hi",
            },
        },
        None,  # type: ignore[arg-type]
    )


async def test_one_persons_updates_run_in_order_and_others_overlap() -> None:
    processor = PerPersonUpdateProcessor(max_concurrent_updates=16)
    log: list[tuple[str, int, int]] = []
    running: set[int] = set()
    most_at_once = 0

    async def handle(update: Update) -> None:
        nonlocal most_at_once
        person = person_of(update)
        assert person is not None
        assert person not in running, "two updates of one person at once"
        running.add(person)
        most_at_once = max(most_at_once, len(running))
        log.append(("start", person, update.update_id))
        await asyncio.sleep(0.01)
        running.discard(person)
        log.append(("end", person, update.update_id))

    updates = [message(n, 100 + n % 4) for n in range(20)]  # 4 people, 5 updates each
    await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))

    for person in range(100, 104):
        order = [uid for kind, p, uid in log if kind == "start" and p == person]
        assert order == sorted(order) and len(order) == 5
    assert most_at_once == 4  # the four people were served side by side
    assert processor._locks == {}  # nothing kept for people who are done


async def test_updates_without_a_person_are_serialised_together() -> None:
    processor = PerPersonUpdateProcessor(max_concurrent_updates=4)
    order: list[int] = []

    async def handle(n: int) -> None:
        await asyncio.sleep(0.001 * (5 - n))
        order.append(n)

    await asyncio.gather(*(processor.process_update(object(), handle(n)) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]
