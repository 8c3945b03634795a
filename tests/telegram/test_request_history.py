"""A request's history, reached from /my: the student and the mentor read who moved it and
why; anyone else is told it does not exist. The action is one vocabulary entry
(bot/conversation/actions/history.py); no Telegram code names it."""

from __future__ import annotations

from tests.telegram.harness import (
    ALICE,
    BOB,
    CAROL,
    GROUP,
    BotHarness,
    register,
    submit_request,
)


async def test_the_student_and_the_mentor_read_the_history_others_cannot(tg: BotHarness) -> None:
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    tg.seed_mentor(CAROL, "America/New_York", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    await tg.deliver()
    await tg.press(BOB, f"a:claim:{request_id}", GROUP)

    mine = await tg.send(ALICE, "/my")
    shown = await tg.press(ALICE, mine.button(f"History #{request_id}"))
    text = shown.text_to(ALICE.id)
    assert f"History of #{request_id} Moving from QA to backend" in text
    assert "request new → open, by Alice" in text and "request open → claimed, by Bob" in text
    assert "(America/Los_Angeles)" in text  # times in the reader's own zone

    as_mentor = await tg.press(BOB, f"a:history:{request_id}", forged=True)
    assert "request open → claimed, by Bob" in as_mentor.text_to(BOB.id)

    before = tg.snapshot()
    refused = await tg.press(CAROL, f"a:history:{request_id}", forged=True)
    assert refused.alert and refused.answer == "That request no longer exists."
    assert "claimed" not in refused.text_to(CAROL.id)
    assert tg.snapshot() == before
