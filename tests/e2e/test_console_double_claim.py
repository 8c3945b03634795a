"""Two mentors go for the same request: one wins, the other is told who did."""

from __future__ import annotations

from tests.e2e.helpers import Chat, Form, to


def test_second_mentor_is_told_already_claimed(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))

    chat.send("/as carol")
    assert "#1 Moving from QA to backend" in chat.send("/queue")
    chat.send("/as bob")
    reply = chat.send("/claim 1")
    assert reply.startswith(
        "You claimed #1. Pick a time in our private chat.\n"
        "Pick a time (Europe/Berlin); after the dot, Alice's time (America/Los_Angeles).\n"
        "Tue 3 Mar: 17:00, 17:30, 18:00, 18:30, 19:00\n"
    )
    assert "  1. Tue 3 Mar 17:00 · Alice 08:00\n" in reply
    assert "Status: claimed by Bob" in to("mentors", reply)[0]

    chat.send("/as carol")
    reply = chat.send("/claim 1")
    assert reply == "Already claimed by Bob."  # and nobody else is told anything
    assert chat.send("/queue") == "No open requests right now."
    assert chat.send("/slots 1") == (
        "Only the student and the mentor of this request can see its slots."
    )
    chat.send("/as alice")
    assert "#1 claimed: Moving from QA to backend (Career guidance, 45 min, mentor Bob)" in (
        chat.send("/my")
    )


def test_released_request_can_be_claimed_by_the_other(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.sends("/as bob", "/claim 1")
    reply = chat.send("/release 1 travelling that week")
    assert reply.startswith("Released: it is back in the queue.")
    released = 'Bob released "Moving from QA to backend" back to the queue.'
    assert f"{released} Reason: travelling that week." in to("alice", reply)[0]
    chat.send("/as carol")
    reply = chat.send("/claim 1")
    assert reply.startswith("You claimed #1. Pick a time in our private chat.\nPick a time (")
    assert to("alice", reply)[0].startswith("to alice: Good news: Carol will mentor you")
