"""Moving a booked session and calling it off: both sides are told, reminders follow."""

from __future__ import annotations

from tests.e2e.helpers import Chat, Form, to


def book_with_bob(chat: Chat) -> None:
    """Alice's career question, booked with Bob on Tue 3 Mar 17:00 Berlin (16:00 UTC)."""
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.send("/as bob")
    chat.sends("/claim 1", "/slots 1")
    assert chat.send("1").startswith("Booked!\nBooked for Tue 3 Mar 2026, 17:00 (Europe/Berlin).")


def test_student_reschedules_then_cancels(chat: Chat) -> None:
    book_with_bob(chat)
    chat.send("/as alice")

    # The student moves it, picking from times shown in her own zone (not the current one).
    assert chat.send("/reschedule 1").startswith("Why are you moving it?")
    reply = chat.send("My exam moved")
    assert reply.startswith(
        "Pick a time (America/Los_Angeles); after the dot, Bob's time (Europe/Berlin).\n"
        "Tue 3 Mar: 08:30, 09:00, 09:30, 10:00\n"
    )
    assert "  1. Tue 3 Mar 08:30 · Bob 17:30\n" in reply
    assert "  2. Tue 3 Mar 09:00 · Bob 18:00\n" in reply
    assert "Tue 3 Mar 08:00" not in reply  # the time it is booked for now
    assert chat.send("0") == "Reply with a number from 1 to 10."  # 9 times, More times
    reply = chat.send("2")
    assert reply.startswith("Booked!\nBooked for Tue 3 Mar 2026, 09:00 (America/Los_Angeles).")
    (for_alice,) = to("alice", reply)
    (for_bob,) = to("bob", reply)
    assert for_alice.startswith(
        'to alice: Moved by you: "Moving from QA to backend" is now on Tue 3 Mar 2026, 09:00 '
        "(America/Los_Angeles).\n    Reason: My exam moved"
    )
    assert for_bob.startswith(
        'to bob: Moved by Alice: "Moving from QA to backend" is now on Tue 3 Mar 2026, 18:00 '
        "(Europe/Berlin).\n    Reason: My exam moved"
    )
    assert "(attached mentorship-1.ics)" in for_bob
    assert "session 1 scheduled: Tue 3 Mar 2026, 09:00 (America/Los_Angeles), with Bob" in (
        chat.send("/my")
    )

    # Reminders follow the new time: nothing at the old 24 h mark (16:00 UTC), one at 17:00.
    assert "Reminder" not in chat.send("/clock +8h30m")
    reply = chat.send("/clock +1h")
    assert (
        "starts in 24 hours, on Tue 3 Mar 2026, 09:00 (America/Los_Angeles)."
        in (to("alice", reply)[0])
    )
    assert "starts in 24 hours, on Tue 3 Mar 2026, 18:00 (Europe/Berlin)." in to("bob", reply)[0]

    # The student calls it off: the mentor is told, with her reason; nothing more is sent.
    reply = chat.send("/cancel_session 1 I got sick")
    assert reply.startswith("Session cancelled; the other person has been told.\n")
    assert to("bob", reply) == [
        'to bob: Request #1 "Moving from QA to backend" was cancelled by Alice. Reason: I got sick.'
        "\n      (attached mentorship-1.ics)"  # METHOD:CANCEL: out of his calendar
    ]
    (for_alice,) = to("alice", reply)  # hers too
    assert for_alice.startswith('to alice: You cancelled "Moving from QA to backend" on ')
    assert for_alice.endswith("(attached mentorship-1.ics)")
    assert "Status: cancelled" in to("mentors", reply)[0]
    assert "session 1 cancelled" in chat.send("/my")
    assert "to " not in chat.send("/clock +2d")  # no 1 h reminder, no "did it happen?"
    chat.send("/as bob")
    assert chat.send("/slots 1") == "That is no longer possible: the request was cancelled."
    assert "Interview prep: 0 of 3 used" in chat.sends("/as alice", "/limits")


def test_mentor_reschedules_and_the_student_is_told(chat: Chat) -> None:
    book_with_bob(chat)
    # Bob pages on with More times and picks Thu 5 Mar 18:00 Berlin (09:00 for Alice).
    reply = chat.sends("/reschedule 1 A conference", "10", "3")
    assert "Booked for Thu 5 Mar 2026, 18:00 (Europe/Berlin)." in reply
    assert "now on Thu 5 Mar 2026, 09:00 (America/Los_Angeles)." in to("alice", reply)[0]
