"""A mentor who wins a claim from the mentors' group but never opened a private chat with
the bot gets a deep link that opens that chat on the request's time buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.telegram.harness import ALICE, BOB, GROUP, BotHarness, register, submit_request


async def test_the_claim_winner_without_a_private_chat_lands_on_the_slot_offer(
    tg: BotHarness,
) -> None:
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    await tg.deliver()
    tg.fake.block(BOB.id)  # Telegram refuses to start a conversation Bob never opened

    won = await tg.press(BOB, f"a:claim:{request_id}", GROUP)

    assert won.answer.startswith(f"You claimed #{request_id}") and not won.alert
    pointer = won.text_to(GROUP)
    link = f"https://t.me/mentor_bot?start=slots-{request_id}"
    assert link in pointer and "private chat" in pointer
    assert "/my" not in pointer  # no promise that /my shows the time buttons
    assert "Sorry" not in won.text  # no apology in the group

    tg.fake.unblock(BOB.id)  # Bob follows the link: Telegram sends /start <payload>
    landed = await tg.send(BOB, f"/start slots-{request_id}")
    assert "Pick a time (Europe/Berlin)" in landed.text_to(BOB.id)
    buttons = landed.buttons(BOB.id)
    slot_buttons = [b for b in buttons if b.startswith(f"s:{request_id}:")]
    more = [b for b in buttons if b not in slot_buttons]  # "More times »", nothing else
    assert slot_buttons and len(more) == 1 and "more_times" in more[0], buttons
    booked = await tg.press(BOB, slot_buttons[0])
    assert booked.answer == "Booked!"


async def test_a_deep_link_to_someone_elses_request_is_refused_plainly(tg: BotHarness) -> None:
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    stranger_link = await tg.send(BOB, f"/start slots-{request_id}")  # Bob has not claimed it
    text = stranger_link.text_to(BOB.id)
    assert text and "Pick a time" not in text and "Traceback" not in text
    assert tg.scalar("SELECT status FROM mentorship_requests WHERE id = :i", i=request_id) == (
        "OPEN"
    )


def _failing_once(real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, except that its first call fails as a busy database would."""
    from core.errors import TemporaryFailure

    failures = [TemporaryFailure()]

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    return flaky


async def test_a_failing_slot_offer_keeps_the_claim_and_no_apology_reaches_the_group(
    tg: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.conversation.actions import times
    from core.services import slot_offers

    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    await tg.deliver()
    # the times listed with the claim fail, and so does asking for them again at once
    monkeypatch.setattr(slot_offers, "_offer_in", _failing_once(slot_offers._offer_in))
    monkeypatch.setattr(times, "offer_slots", _failing_once(times.offer_slots))
    won = await tg.press(BOB, f"a:claim:{request_id}", GROUP)

    assert won.answer.startswith(f"You claimed #{request_id}") and not won.alert
    assert won.to(GROUP) == []  # no apology, nothing at all in the group
    told = won.text_to(BOB.id)
    assert "could not list its times just now" in told and "nothing was changed" not in told
    assert tg.scalar("SELECT status FROM mentorship_requests WHERE id = :i", i=request_id) == (
        "CLAIMED"
    )
    retried = await tg.press(BOB, won.buttons(BOB.id)[0])
    assert "Pick a time (Europe/Berlin)" in retried.text_to(BOB.id)
