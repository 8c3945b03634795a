"""Requests still waiting for their answer go before work done after an answer."""

from __future__ import annotations

import asyncio
import time

import pytest
from slack_bolt.context.ack.async_ack import AsyncAck

import bot.handlers.slack.ack_first as ack_first
from bot.handlers.slack.ack_first import AckFirst, AnsweringAck


async def test_after_answer_work_waits_until_every_request_is_answered() -> None:
    acks = AckFirst(max_wait=5)
    acks.entered(1)
    acks.entered(2)
    order: list[str] = []

    async def save() -> None:
        await acks.turn()
        order.append("save")

    saving = asyncio.create_task(save())
    await asyncio.sleep(0.05)
    assert order == [], "the save waits while two requests are unanswered"
    acks.answered(1)
    await asyncio.sleep(0.05)
    assert order == [], "one is still unanswered"
    order.append("answer 2")
    acks.answered(2)
    await asyncio.wait_for(saving, 1)
    assert order == ["answer 2", "save"]


async def test_after_answer_work_is_never_starved() -> None:
    acks = AckFirst(max_wait=0.1)
    acks.entered(1)  # never answered (a request with no listener)
    started = time.monotonic()
    await acks.turn()
    assert time.monotonic() - started < 1.0


async def test_a_request_never_answered_stops_counting_once_slack_gave_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acks = AckFirst()
    acks.entered(1)
    assert acks.unanswered == 1
    monkeypatch.setattr(ack_first, "SLACK_WAITS", 0.0)
    await asyncio.sleep(0.01)
    assert acks.unanswered == 0
    await asyncio.wait_for(acks.turn(), 0.05)  # no wait at all


async def test_the_ack_wrapper_answers_once_called_and_keeps_bolts_response() -> None:
    acks = AckFirst(max_wait=5)
    acks.entered(7)
    inner = AsyncAck()  # type: ignore[no-untyped-call]
    ack = AnsweringAck(inner, acks, 7)
    assert ack.response is None and acks.unanswered == 1
    await ack(text="done")
    assert acks.unanswered == 0
    assert ack.response is inner.response is not None
    assert ack.response.status == 200
    # Bolt sets the response itself when a listener fails before acking
    acks.entered(8)
    other = AnsweringAck(AsyncAck(), acks, 8)  # type: ignore[no-untyped-call]
    other.response = inner.response
    assert acks.unanswered == 0
