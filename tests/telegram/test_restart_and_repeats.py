"""A crash in the middle of /request, a new process that carries on; repeated updates."""

from __future__ import annotations

import asyncio

from tests.telegram.harness import (
    ALICE,
    ERIN,
    BotHarness,
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
    tags = await tg.press(ALICE, day_button(until, "2026-03-09"))
    preview = await tg.press(ALICE, tags.button("Done"))
    for kept in (
        "Type: Career guidance",
        "Title: Switching to data engineering",
        "Description: I write SQL reports; what should I learn next?",
        "Duration: 60 min",
        "Urgency: low",
        "Available: 2026-03-04 to 2026-03-09",
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
