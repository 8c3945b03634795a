"""A failed save of the mentor application on Telegram (issue 12: the next question was
shown while the stored form was still a step behind, so the answers shifted).

The database refuses to store the person's state once: the person is told that nothing
was changed and asked the question they saw again, not the next one; their answer then
goes in its own field. The request form has the same scenario on every front-end in
``tests/scenarios/test_failed_form_save.py``.
"""

from __future__ import annotations

from tests.support.failing_writes import failing_writes
from tests.telegram.harness import ALICE, BOB, DAVE, GROUP, BotHarness, register, submit_request
from tests.telegram.test_mentor_application_form import DOMAIN_PROMPT, YEARS_PROMPT, stored_form

BUSY = "The service is busy right now and nothing was changed. Please try again."


async def test_a_failed_save_asks_the_same_question_and_the_answer_lands_right(
    tg: BotHarness,
) -> None:
    await register(tg, DAVE, "Asia/Tokyo")
    assert (await tg.send(DAVE, "/become_mentor")).text.startswith(DOMAIN_PROMPT)
    with failing_writes(tg.db, "conversation_state") as refused:
        failed = await tg.send(DAVE, "Data engineering")
    assert refused
    assert failed.text == f"{BUSY}\n\n{DOMAIN_PROMPT}", failed.text
    assert stored_form(tg) == {"answers": {}, "position": 0}

    assert (await tg.send(DAVE, "Data engineering")).text == YEARS_PROMPT
    with failing_writes(tg.db, "conversation_state"):
        assert (await tg.send(DAVE, "7")).text == f"{BUSY}\n\n{YEARS_PROMPT}"
    assert (await tg.send(DAVE, "7")).text == "A short bio for students?"
    stored = stored_form(tg)
    assert stored is not None and stored["position"] == 2, stored
    assert stored["answers"] == {"domain": "Data engineering", "years_experience": "7"}, stored


async def test_a_question_is_asked_only_once_its_answer_is_awaited(tg: BotHarness) -> None:
    """Release asks why; if storing "a reason is awaited" fails, the question is not
    asked (its answer would have found nothing waiting for it): the mentor is told to
    press again, and then all goes as usual."""
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    await tg.deliver()
    await tg.send(BOB, f"/claim {request_id}")
    with failing_writes(tg.db, "conversation_state"):
        failed = await tg.press(BOB, f"a:release:{request_id}", forged=True)
    assert "press the button again" in failed.text and "Why" not in failed.text, failed.text
    asked = await tg.press(BOB, f"a:release:{request_id}", forged=True)
    assert "Why are you releasing it?" in asked.text
    released = await tg.send(BOB, "Travelling that week")
    assert released.text == "Released: it is back in the queue."
