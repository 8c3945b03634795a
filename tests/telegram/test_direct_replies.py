"""Answers to what a person just did survive a short 429 from the Bot API."""

from __future__ import annotations

from tests.telegram.harness import ALICE, BotHarness, register


async def test_a_reply_refused_with_429_is_sent_after_the_wait(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    tg.fake.fail("sendMessage", ALICE.id, status=429, retry_after=1)
    limits = await tg.send(ALICE, "/limits")
    statuses = [c.status for c in limits.replies]
    assert statuses == [429, 200], statuses
    assert limits.replies[0].text == limits.replies[1].text  # the same answer, once
    assert "went wrong" not in limits.text


async def test_a_button_answer_refused_with_429_is_answered_after_the_wait(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    first = await tg.send(ALICE, "/request")
    tg.fake.fail("answerCallbackQuery", status=429, retry_after=1)
    step = await tg.press(ALICE, first.button("Career guidance"))  # asserts it was answered
    assert [c.status for c in step.answers] == [429, 200]
    assert "title" in step.text.lower()


async def test_a_long_429_is_not_waited_for_and_nothing_breaks(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    tg.fake.fail("sendMessage", ALICE.id, status=429, retry_after=30)
    await tg.send(ALICE, "/limits")  # the answer is dropped (logged), not waited for
    later = await tg.send(ALICE, "/limits")
    assert [c.status for c in later.replies] == [200] and "left" in later.text.lower()
