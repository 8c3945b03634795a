"""The mentors' group card, claims (also two at the same moment), booking in each person's
zone with an .ics invite, and what follows the session: did it happen, rating, notes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.support.fake_telegram import FakeTelegram
from tests.telegram.harness import (
    ALICE,
    BOB,
    CAROL,
    GROUP,
    BotHarness,
    register,
    submit_request,
)


async def _posted_request(tg: BotHarness) -> int:
    """Alice (Los Angeles) asks; Bob (Berlin) and Carol (New York) are mentors; the card
    is in the mentors' group."""
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    tg.seed_mentor(CAROL, "America/New_York", ["data-science"])
    await register(tg, ALICE, "America/Los_Angeles")
    request_id = await submit_request(tg, ALICE, title="Moving from QA to backend")
    _, delivered = await tg.deliver()
    card = delivered.to(GROUP)
    assert [c.callback_data for c in card] == [[f"a:claim:{request_id}"]], delivered.calls
    return request_id


async def test_claim_card_edit_booking_in_each_zone_and_after_the_session(
    tg: BotHarness,
) -> None:
    request_id = await _posted_request(tg)
    card = tg.fake.find_button_message(GROUP, f"a:claim:{request_id}")
    assert card is not None and "Moving from QA to backend" in card.text

    won = await tg.press(BOB, f"a:claim:{request_id}", GROUP)
    assert won.answer.startswith(f"You claimed #{request_id}") and not won.alert
    assert won.to(GROUP) == []  # nothing about Bob's slots is posted in the group
    offer = won.to(BOB.id)
    assert len(offer) == 1 and "Pick a time (Europe/Berlin)" in offer[0].text
    # Alice is free 3-6 March (Los Angeles) within her default hours 07:00-22:00; Bob
    # 08:00-20:00 Berlin: the first slot is Tuesday 3 March 16:00 Berlin = 07:00 in Los
    # Angeles (earlier Berlin hours are Alice's night); the button shows both times
    first_slot = offer[0].buttons[0]
    assert first_slot["text"] == "Tue 3 Mar 16:00 · Alice 07:00", offer[0].buttons[:3]

    lost = await tg.press(CAROL, f"a:claim:{request_id}", GROUP)
    assert lost.alert and lost.answer == "Already claimed by Bob."
    assert lost.to(GROUP) == [] and lost.to(CAROL.id) == []

    _, delivered = await tg.deliver()
    edits = [c for c in delivered.to(GROUP) if c.method == "editMessageText"]
    assert len(edits) == 1 and edits[0].params["message_id"] == card.message_id
    assert "Status: claimed by Bob" in edits[0].text and edits[0].buttons == []
    assert card.text == edits[0].text and card.reply_markup is None  # seen by everyone
    assert "Good news: Bob will mentor you" in delivered.text_to(ALICE.id)

    booked = await tg.press(BOB, first_slot["callback_data"])
    assert booked.answer == "Booked!"
    assert "Booked for Tue 3 Mar 2026, 16:00 (Europe/Berlin)" in booked.text

    _, delivered = await tg.deliver()
    for user, zone, shown in (
        (ALICE, "America/Los_Angeles", "Tue 3 Mar 2026, 07:00 (America/Los_Angeles)"),
        (BOB, "Europe/Berlin", "Tue 3 Mar 2026, 16:00 (Europe/Berlin)"),
    ):
        # (Bob's DM card of the request, if he had one, is redrawn as well: not counted)
        calls = [c for c in delivered.to(user.id) if c.method != "editMessageText"]
        assert [c.method for c in calls] == ["sendMessage", "sendDocument"], calls
        assert shown in calls[0].text and "Meeting link: https://" in calls[0].text
        join = [b for b in calls[0].buttons if "url" in b]
        assert join and join[0]["url"].startswith("https://meet.jit.si/")
        filename, invite = calls[1].files["document"]
        assert filename.endswith(".ics")
        assert b"BEGIN:VCALENDAR" in invite and b"DTSTART" in invite
        assert b"DTSTART:20260303T150000Z" in invite
        assert zone in calls[0].text
    scheduled_edit = [c for c in delivered.to(GROUP) if c.method == "editMessageText"]
    assert scheduled_edit and "scheduled with Bob" in scheduled_edit[-1].text

    # an hour before: reminders with a Join button, in each zone
    tg.clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))  # the session is at 15:00 UTC
    _, reminders = await tg.deliver()
    assert "starts in 1 hour" in reminders.text_to(ALICE.id)
    assert "starts in 1 hour" in reminders.text_to(BOB.id)

    # after the end: did it happen? Alice says yes; she rates, Bob adds notes
    tg.clock.advance(timedelta(hours=2))
    _, prompts = await tg.deliver()
    assert "Did your session" in prompts.text_to(ALICE.id)
    session_id = tg.scalar("SELECT id FROM mentorship_sessions")
    happened = await tg.press(ALICE, f"a:outcome:{session_id}:completed")
    assert happened.answer == "Recorded: completed. Thank you!"
    _, after = await tg.deliver()
    stars = [c for c in after.to(ALICE.id) if c.callback_data]
    assert stars and stars[0].callback_data == [f"a:rate:{session_id}:{n}" for n in range(1, 6)]
    assert len(stars[0].params["reply_markup"]["inline_keyboard"][0]) == 5  # one row
    assert f"a:notes:{session_id}" in [d for c in after.to(BOB.id) for d in c.callback_data]

    rated = await tg.press(ALICE, f"a:rate:{session_id}:5")
    assert rated.answer == "Thank you for rating!" and "Anything you'd like" in rated.text
    thanks = await tg.send(ALICE, "Great session <b>really</b> & helpful")
    assert "feedback is saved" in thanks.text
    notes = await tg.press(BOB, f"a:notes:{session_id}")
    assert "real duration" in notes.text
    saved = await tg.send(BOB, "55 Strong on SQL; weak on <queues>")
    assert "Saved" in saved.text
    row = tg.scalar(
        "SELECT session_rating || '|' || session_feedback || '|' || session_duration_minutes "
        "|| '|' || mentor_notes FROM mentorship_sessions"
    )
    assert row == "5|Great session <b>really</b> & helpful|55|Strong on SQL; weak on <queues>"
    again = await tg.press(ALICE, f"a:rate:{session_id}:1")
    assert again.alert and "already been rated" in again.answer
    mine = await tg.send(ALICE, "/my")
    assert "Strong on SQL" not in mine.text  # private notes stay private


async def test_two_mentors_press_claim_at_once_in_one_process(tg: BotHarness) -> None:
    request_id = await _posted_request(tg)
    card = tg.fake.find_button_message(GROUP, f"a:claim:{request_id}")
    updates = [
        tg.fake.callback_update(mentor, f"a:claim:{request_id}", card) for mentor in (CAROL, BOB)
    ]
    since = len(tg.fake.calls)
    for update in updates:  # one getUpdates answer carries both presses
        await tg.fake.queue_update(update)
    await tg.fake.wait_confirmed(updates[-1]["update_id"])
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    answers = {
        c.params["callback_query_id"]: c.params
        for c in tg.fake.calls[since:]
        if c.method == "answerCallbackQuery"
    }
    # Two people's presses are handled concurrently: either may win, never both.
    presses = (answers[u["callback_query"]["id"]] for u in updates)
    by_name = dict(zip(("Carol", "Bob"), presses, strict=True))
    winners = [name for name, a in by_name.items() if a["text"].startswith("You claimed")]
    assert len(winners) == 1, by_name
    winner = winners[0]
    loser = by_name["Bob" if winner == "Carol" else "Carol"]
    assert loser["text"] == f"Already claimed by {winner}." and loser["show_alert"] is True
    assert not by_name[winner].get("show_alert")
    winner_user = CAROL if winner == "Carol" else BOB
    assert tg.scalar("SELECT claimed_by FROM mentorship_requests") == tg.member(winner_user).id


async def test_two_mentors_press_claim_at_once_on_two_webhook_processes(
    tg_webhook: BotHarness, fake: FakeTelegram, database_url: str
) -> None:
    """Two bot processes behind one webhook address (a load balancer): each gets one of
    two presses of the same card at the same moment; the database picks one winner."""
    first = tg_webhook
    second = BotHarness(database_url, fake, mode="webhook", clock=first.clock)
    await second.start()
    try:
        first.fake.add_group(GROUP)
        first.seed_mentor(BOB, "Europe/Berlin", ["python"])
        first.seed_mentor(CAROL, "America/New_York", ["data-science"])
        await register(first, ALICE, "America/Los_Angeles")
        for round_ in range(3):
            request_id = await submit_request(first, ALICE, title=f"Round {round_} question")
            await first.deliver()
            card = fake.find_button_message(GROUP, f"a:claim:{request_id}")
            presses = [
                fake.callback_update(BOB, f"a:claim:{request_id}", card),
                fake.callback_update(CAROL, f"a:claim:{request_id}", card),
            ]
            bob, carol = await asyncio.gather(
                first.deliver_update(presses[0], GROUP), second.deliver_update(presses[1], GROUP)
            )
            outcomes = sorted([bob.answer, carol.answer])
            winner = tg_webhook.scalar(
                "SELECT display_name FROM members WHERE id = "
                "(SELECT claimed_by FROM mentorship_requests WHERE id = :id)",
                id=request_id,
            )
            assert outcomes[0] == f"Already claimed by {winner}.", outcomes
            assert outcomes[1].startswith(f"You claimed #{request_id}"), outcomes
            assert [bob.alert, carol.alert].count(True) == 1
            events = first.scalar(
                "SELECT count(*) FROM transition_events WHERE entity_id = :id "
                "AND entity = 'request' AND to_status = 'CLAIMED'",
                id=request_id,
            )
            assert events == 1
            await first.deliver()  # the card: edited once, to the one winner
            assert f"claimed by {winner}" in fake.messages[(GROUP, card.message_id)].text
    finally:
        await second.stop()
        second.close_database()


async def test_student_reschedules_then_the_mentor_cancels_with_buttons(tg: BotHarness) -> None:
    request_id = await _posted_request(tg)
    won = await tg.press(BOB, f"a:claim:{request_id}", GROUP)
    await tg.press(BOB, won.to(BOB.id)[0].buttons[0]["callback_data"])
    _, delivered = await tg.deliver()
    booked = next(c for c in delivered.to(ALICE.id) if c.text.startswith("Booked:"))
    session_id = tg.scalar("SELECT id FROM mentorship_sessions")
    assert booked.callback_data == [f"a:reschedule:{session_id}", f"a:cancel_session:{session_id}"]

    asked = await tg.press(ALICE, f"a:reschedule:{session_id}")
    assert "Why are you moving it?" in asked.text and "/skip" in asked.text, asked.text
    offer = await tg.send(ALICE, "My exam moved")
    assert "Pick a time (America/Los_Angeles)" in offer.text
    # Alice's day starts at 07:00 (her default hours) = 16:00 in Berlin, where Bob is free
    labels = [b["text"] for c in offer.replies for b in c.buttons]
    assert labels[0] == "Tue 3 Mar 07:30 · Bob 16:30", labels[:3]  # 07:00 is the booking
    moved = await tg.press(ALICE, offer.replies[0].buttons[0]["callback_data"])
    assert "Booked for Tue 3 Mar 2026, 07:30 (America/Los_Angeles)" in moved.text
    _, delivered = await tg.deliver()
    for user, shown in ((ALICE, "07:30 (America/Los_Angeles)"), (BOB, "16:30 (Europe/Berlin)")):
        calls = delivered.to(user.id)
        assert calls[0].text.startswith("Moved by ") and shown in calls[0].text, calls
        assert "Reason: My exam moved" in calls[0].text, calls
        assert calls[1].method == "sendDocument"
        invite = calls[1].files["document"][1]
        assert f"UID:session-{session_id}@mentorbot".encode() in invite  # same event, moved
        assert b"DTSTART:20260303T153000Z" in invite

    asked = await tg.press(BOB, f"a:cancel_session:{session_id}")
    assert "Why are you cancelling?" in asked.text and "/skip" in asked.text, asked.text
    assert tg.scalar("SELECT status FROM mentorship_sessions") == "SCHEDULED"  # not yet
    cancelled = await tg.send(BOB, "A family emergency")
    assert cancelled.text == "Session cancelled; the other person has been told."
    _, delivered = await tg.deliver()
    assert "was cancelled by Bob. Reason: A family emergency." in delivered.text_to(ALICE.id)
    assert tg.scalar("SELECT status FROM mentorship_sessions") == "CANCELLED"
