"""Moving a booked session and calling it off: both sides are told, reminders follow."""

from __future__ import annotations

from tests.e2e.helpers import Chat, Form, to


def book_with_bob(chat: Chat) -> None:
    """Alice's career question, booked with Bob on Tue 3 Mar 17:00 Berlin (16:00 UTC)."""
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.send("/as bob")
    chat.sends("/claim 1", "/slots 1")
    assert chat.send("6").startswith("Booked!\nBooked for Tue 3 Mar 2026, 17:00 (Europe/Berlin).")


def test_student_reschedules_then_cancels(chat: Chat) -> None:
    book_with_bob(chat)
    chat.send("/as alice")

    # The student moves it, picking from times shown in her own zone (not the current one).
    reply = chat.send("/reschedule 1")
    assert reply.startswith("Pick a time (America/Los_Angeles):\n  1. Tue 3 Mar 00:00\n")
    assert "  7. Tue 3 Mar 09:00" in reply
    assert "Tue 3 Mar 08:00" not in reply
    assert chat.send("0") == "Reply with a number from 1 to 12."
    reply = chat.send("7")
    assert reply.startswith("Booked!\nBooked for Tue 3 Mar 2026, 09:00 (America/Los_Angeles).")
    (for_alice,) = to("alice", reply)
    (for_bob,) = to("bob", reply)
    assert for_alice.startswith(
        'to alice: Moved: "Moving from QA to backend" is now on Tue 3 Mar 2026, 09:00 '
        "(America/Los_Angeles)."
    )
    assert for_bob.startswith(
        'to bob: Moved: "Moving from QA to backend" is now on Tue 3 Mar 2026, 18:00 '
        "(Europe/Berlin)."
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
    ]
    assert "Status: cancelled" in to("mentors", reply)[0]
    assert "session 1 cancelled" in chat.send("/my")
    assert "to " not in chat.send("/clock +2d")  # no 1 h reminder, no "did it happen?"
    chat.send("/as bob")
    assert chat.send("/slots 1") == "That is no longer possible: the request was cancelled."
    assert "Interview prep: 0 of 3 used" in chat.sends("/as alice", "/limits")


def test_mentor_reschedules_and_the_student_is_told(chat: Chat) -> None:
    book_with_bob(chat)
    reply = chat.sends("/reschedule 1", "10")  # Bob picks Wed 4 Mar 09:00 Berlin
    assert "Booked for Wed 4 Mar 2026, 09:00 (Europe/Berlin)." in reply
    assert "now on Wed 4 Mar 2026, 00:00 (America/Los_Angeles)." in to("alice", reply)[0]
