"""A crash in the middle of /request, a new process that carries on; repeated updates."""

from __future__ import annotations

import asyncio

from tests.support.fake_telegram import FakeTelegram, User
from tests.telegram.harness import (
    ALICE,
    ERIN,
    BotHarness,
    Exchange,
    day_button,
    fill_request,
    register,
)


async def test_crash_mid_request_then_a_new_application_continues(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    await register(tg, ERIN, "Asia/Kolkata")
    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Career guidance"))
    await tg.send(ALICE, "Switching to data engineering")
    # another person's updates in between (persistence must not lag behind them)
    erin = await tg.send(ERIN, "/request")
    await tg.press(ERIN, erin.button("Resume review"))
    duration = await tg.send(ALICE, "I write SQL reports; what should I learn next?")
    assert "How long" in duration.text
    urgency = await tg.press(ALICE, duration.button("60 min"))
    assert "How urgent" in urgency.text

    await tg.crash()  # no stop(), no shutdown(): nothing is flushed on the way down
    assert not tg.application.updater.running or tg.running is False  # type: ignore[union-attr]

    # Alice presses "Low" while no bot is running: Telegram keeps the update
    press = tg.fake.callback_update(
        ALICE, urgency.button("Low"), tg.fake.find_button_message(ALICE.id, urgency.button("Low"))
    )
    await tg.fake.queue_update(press)
    await tg.restart_after_crash()
    await tg.fake.wait_confirmed(press["update_id"])
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    resumed = [c for c in tg.fake.calls_to(ALICE.id) if c.ok][-1]
    assert "From which day" in resumed.text, resumed

    calendar = tg.fake.last_bot_message(ALICE.id)
    assert calendar is not None
    until = await tg.press(ALICE, day_button_from(calendar.callback_data, "2026-03-04"))
    hours = await tg.press(ALICE, day_button(until, "2026-03-09"))
    assert "Which hours of the day suit you" in hours.text
    tags = await tg.send(ALICE, "18-21")  # her hours typed as a window
    assert "Tags help" in tags.text, tags.text
    preview = await tg.press(ALICE, tags.button("Done"))
    for kept in (
        "Type: Career guidance",
        "Title: Switching to data engineering",
        "Description: I write SQL reports; what should I learn next?",
        "Duration: 60 min",
        "Urgency: low",
        "Available: 2026-03-04 to 2026-03-09",
        "Hours: 18:00-21:00 (your time)",
    ):
        assert kept in preview.text, preview.text
    done = await tg.press(ALICE, preview.button("Submit"))
    assert "submitted" in done.text

    # Erin's half-filled form survived as well
    title = await tg.send(ERIN, "Review my CV for a PM role")
    assert "Describe it" in title.text


def day_button_from(callback_data: list[str], day: str) -> str:
    return next(d for d in callback_data if d.endswith(f":day:{day}"))


async def test_the_same_update_twice_has_one_effect_in_polling(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    preview = await fill_request(tg, ALICE)
    message = tg.fake.find_button_message(ALICE.id, preview.button("Submit"))
    submit = tg.fake.callback_update(ALICE, preview.button("Submit"), message)
    since = len(tg.fake.calls)
    await tg.fake.queue_update(submit)
    await tg.fake.queue_update(submit)  # Telegram delivers it again (no confirmation seen)
    await tg.fake.wait_confirmed(submit["update_id"])
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    replies = tg.fake.calls_to(ALICE.id, since)
    answers = tg.fake.method_calls("answerCallbackQuery", since)
    assert len(answers) == 1 and len(replies) == 1 and "submitted" in replies[0].text
    assert tg.scalar("SELECT count(*) FROM mentorship_requests") == 1

    hello = tg.fake.message_update(ALICE, "/my")
    since = len(tg.fake.calls)
    for _ in range(3):
        await tg.fake.queue_update(hello)
    await tg.fake.wait_confirmed(hello["update_id"])
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    assert len(tg.fake.calls_to(ALICE.id, since)) == 1


async def test_the_same_update_twice_has_one_effect_on_the_webhook(
    tg_webhook: BotHarness,
) -> None:
    tg = tg_webhook
    await register(tg, ALICE, "America/Los_Angeles")
    preview = await fill_request(tg, ALICE)
    message = tg.fake.find_button_message(ALICE.id, preview.button("Submit"))
    submit = tg.fake.callback_update(ALICE, preview.button("Submit"), message)
    first = await tg.deliver_update(submit, ALICE.id)
    assert "submitted" in first.text
    # Telegram retries a webhook delivery it thinks failed: same update_id, same query
    since = len(tg.fake.calls)
    statuses = await asyncio.gather(
        *(tg.fake.post_to_webhook(submit, url=tg.webhook_url) for _ in range(3))
    )
    assert statuses == [200, 200, 200]
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    assert tg.fake.calls[since:] == []  # no second answer, no second reply
    assert tg.scalar("SELECT count(*) FROM mentorship_requests") == 1


class TakingTurns:
    """Two webhook processes behind one address: each update goes to the other one."""

    def __init__(self, first: BotHarness, second: BotHarness) -> None:
        self.sides = [first, second]
        self.fake = first.fake
        self.turns = 0

    def _next(self) -> BotHarness:
        self.turns += 1
        return self.sides[self.turns % 2]

    async def send(self, user: User, text: str, chat_id: int | None = None) -> Exchange:
        return await self._next().send(user, text, chat_id)

    async def press(self, user: User, data: str, chat_id: int | None = None) -> Exchange:
        return await self._next().press(user, data, chat_id)


async def test_one_form_filled_on_two_webhook_processes_taking_turns(
    tg_webhook: BotHarness, fake: FakeTelegram, database_url: str
) -> None:
    """Every step lands on the other process; each starts from the stored form, so
    no step is lost or applied twice, and Back goes back from the real position."""
    second = BotHarness(database_url, fake, mode="webhook", clock=tg_webhook.clock)
    await second.start()
    try:
        await register(tg_webhook, ALICE, "America/Los_Angeles")
        both = TakingTurns(tg_webhook, second)
        step = await both.send(ALICE, "/request")
        step = await both.press(ALICE, step.button("Career guidance"))
        step = await both.send(ALICE, "A title typed on one process")
        step = await both.press(ALICE, "f:back")  # on the other: back to the title
        assert "title" in step.text.lower(), step.text
        step = await both.send(ALICE, "Moving from QA to backend")
        step = await both.send(ALICE, "I test APIs all day; how do I start writing them?")
        step = await both.press(ALICE, step.button("45 min"))
        step = await both.press(ALICE, step.button("High"))
        step = await both.press(ALICE, day_button(step, "2026-03-03"))
        step = await both.press(ALICE, day_button(step, "2026-03-06"))
        step = await both.press(ALICE, step.button("Done"))  # her hours: the default ones
        step = await both.press(ALICE, step.button("Done"))  # no tags
        if "particular mentor" in step.text:
            step = await both.press(ALICE, step.button("No preference"))
        assert "Submit it?" in step.text and "Moving from QA to backend" in step.text
        done = await both.press(ALICE, step.button("Submit"))
        assert "submitted" in done.text
        assert both.turns >= 12
        row = tg_webhook.scalar(
            "SELECT title || '|' || duration_minutes || '|' || urgency || '|' "
            "|| available_from || '|' || available_until FROM mentorship_requests"
        )
        assert row == "Moving from QA to backend|45|high|2026-03-03|2026-03-06"
        assert tg_webhook.scalar("SELECT count(*) FROM mentorship_requests") == 1
    finally:
        await second.stop()
        second.close_database()
