"""A mentor who wins a claim from the mentors' group but never opened a private chat with
the bot gets a deep link that opens that chat on the request's time buttons."""

from __future__ import annotations

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


async def test_a_failing_slot_offer_keeps_the_claim_and_no_apology_reaches_the_group(
    tg: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.conversation.actions import times
    from core.errors import TemporaryFailure
    from core.services import slot_offers

    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    await tg.deliver()
    real = times.offer_slots
    failures = [TemporaryFailure()]

    def flaky(*args: object, **kwargs: object) -> object:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    real_offer = slot_offers._offer_in
    with_the_claim = [TemporaryFailure()]

    def no_times_with_the_claim(*args: object, **kwargs: object) -> object:
        if with_the_claim:
            raise with_the_claim.pop()
        return real_offer(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(times, "offer_slots", flaky)  # nor when asked again at once
    monkeypatch.setattr(slot_offers, "_offer_in", no_times_with_the_claim)
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
