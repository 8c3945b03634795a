"""Cancel and release ask why before they act: the answer is the next message in the
private chat, /skip goes ahead without a reason, /cancel stops with nothing changed.
Typed with the reason (``/cancel_session 5 ill``) they act at once. Typed commands of
the vocabulary work on Telegram too (``/claim 5``, ``/edit 5``)."""

from __future__ import annotations

from tests.telegram.harness import ALICE, BOB, CAROL, GROUP, BotHarness, register, submit_request


async def _claimed(tg: BotHarness) -> int:
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    tg.seed_mentor(CAROL, "America/New_York", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    await tg.deliver()
    claimed = await tg.send(BOB, f"/claim {request_id}")  # typed, as the vocabulary allows
    assert "Pick a time (Europe/Berlin)" in claimed.text, claimed.text
    return request_id


def _status(tg: BotHarness, request_id: int) -> str:
    return str(tg.scalar("SELECT status FROM mentorship_requests WHERE id = :i", i=request_id))


async def test_release_asks_why_and_skip_goes_ahead_without_a_reason(tg: BotHarness) -> None:
    request_id = await _claimed(tg)
    asked = await tg.press(BOB, f"a:release:{request_id}", forged=True)
    assert "Why are you releasing it?" in asked.text, asked.text
    assert _status(tg, request_id) == "CLAIMED"
    released = await tg.send(BOB, "/skip")
    assert released.text == "Released: it is back in the queue.", released.text
    assert _status(tg, request_id) == "OPEN"
    again = await tg.send(BOB, "Now this is just chatter")  # the question is over
    assert "I did not understand that" in again.text


async def test_cancel_while_asked_why_stops_with_nothing_changed(tg: BotHarness) -> None:
    request_id = await _claimed(tg)
    asked = await tg.press(ALICE, f"a:cancel:{request_id}", forged=True)
    assert "Why are you cancelling?" in asked.text, asked.text
    stopped = await tg.send(ALICE, "/cancel")
    assert stopped.text == "Stopped: nothing was cancelled or released."
    assert _status(tg, request_id) == "CLAIMED"


async def test_an_overlong_reason_is_refused_and_asked_again(tg: BotHarness) -> None:
    request_id = await _claimed(tg)
    await tg.press(BOB, f"a:release:{request_id}", forged=True)
    refused = await tg.send(BOB, "x" * 501)
    assert "500" in refused.text and _status(tg, request_id) == "CLAIMED", refused.text
    released = await tg.send(BOB, "Travelling that week")
    assert released.text == "Released: it is back in the queue."
    reason = (
        "SELECT reason FROM transition_events WHERE entity = 'request' AND entity_id = :i "
        "ORDER BY id DESC LIMIT 1"
    )
    assert tg.scalar(reason, i=request_id) == "Travelling that week"


async def test_a_stranger_is_refused_rather_than_asked(tg: BotHarness) -> None:
    request_id = await _claimed(tg)
    refused = await tg.press(CAROL, f"a:release:{request_id}", forged=True)
    assert refused.alert and "Only the mentor who claimed" in refused.answer
    assert refused.to(CAROL.id) == []  # no question asked
    assert "I did not understand that" in (await tg.send(CAROL, "because")).text


async def test_typed_with_a_reason_acts_at_once(tg: BotHarness) -> None:
    request_id = await _claimed(tg)
    cancelled = await tg.send(ALICE, f"/cancel_request {request_id} found another mentor")
    assert cancelled.text == f"Request #{request_id} cancelled."
    assert _status(tg, request_id) == "CANCELLED"
    _, delivered = await tg.deliver()
    assert "found another mentor" in delivered.text_to(BOB.id)


async def test_typed_edit_opens_the_form_and_a_bad_id_gets_its_usage(tg: BotHarness) -> None:
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    usage = await tg.send(ALICE, "/edit abc")
    assert usage.text == "Usage: /edit REQUEST_ID", usage.text
    opened = await tg.send(ALICE, f"/edit {request_id}")
    assert f"Editing request #{request_id}" in opened.text, opened.text
    refused = await tg.send(BOB, f"/edit {request_id}")
    assert "Only" in refused.text or "cannot" in refused.text, refused.text
