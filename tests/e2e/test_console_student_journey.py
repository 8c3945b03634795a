"""A student's whole journey, read as the student and the mentor read it in the console."""

from __future__ import annotations

from tests.e2e.helpers import MOCK_INTERVIEW, Chat, to


def test_request_claim_schedule_remind_happen_rate(chat: Chat) -> None:
    assert "You are now Alice" in chat.send("/as alice")
    assert chat.send("/timezone America/Los_Angeles") == (
        "Time zone: America/Los_Angeles\n"
        "Time zone set to America/Los_Angeles. Send /request to ask for a session."
    )

    # The form: numbered choices, free text, the type's extra fields, dates, her own hours,
    # tags, mentor.
    reply = chat.send("/request")
    assert reply.startswith("What kind of session do you need? (a number)")
    assert "  1. Mock interview · Interview prep" in reply
    assert "  5. Career guidance · Mentorship" in reply
    assert "/back to go back, /cancel to stop" in reply
    assert chat.send(MOCK_INTERVIEW).startswith("What do you need help with?")
    assert chat.send("System design interview at a fintech").startswith("Describe it")
    assert chat.send("Final round next week; I freeze on capacity estimates.").startswith(
        "Domain (e.g. backend, data science)?"
    )
    assert chat.send("backend").startswith("Your experience so far?")
    assert chat.send("3 years of Python services").startswith("Target role?")
    reply = chat.send("Senior backend engineer")
    assert reply.startswith("How long should the session be?")
    assert "  3. 60 min" in reply
    assert chat.send("3").startswith("How urgent is it?")
    reply = chat.send("2")
    assert reply.startswith("From which day are you available? (e.g. 2026-03-02, tomorrow, +3)")
    assert chat.send("2026-03-03").startswith("Until which day are you available?")
    reply = chat.send("+6")
    assert reply.startswith("Which hours of the day suit you, in your own time zone?")
    assert "  1. ✓ Mornings 07-12\n  2. ✓ Afternoons 12-17\n  3. ✓ Evenings 17-22" in reply
    reply = chat.send("08-10")  # a typed window: before work
    assert reply.startswith("Tags help the right mentor find you")
    assert "  8. system-design" in reply
    reply = chat.send("8, kafka")
    assert reply.startswith("Would you like a particular mentor?")
    assert "  1. No preference\n  2. Bob\n  3. Carol\n  4. Dave" in reply
    reply = chat.send("2")
    assert reply.startswith(
        "If Bob does not take it in time (or declines it), may any other mentor take it?"
    )
    preview = chat.send("1")  # yes, open it to every mentor then
    for line in (
        "Type: Mock interview",
        "Title: System design interview at a fintech",
        "Domain: backend",
        "Experience: 3 years of Python services",
        "Target role: Senior backend engineer",
        "Duration: 60 min",
        "Urgency: normal",
        "Available: 2026-03-03 to 2026-03-08",
        "Hours: 08:00-10:00 (your time)",
        "Tags: system-design, kafka",
        "Here is your request (preferred mentor: Bob). Submit it?",
        "  1. Submit",
    ):
        assert line in preview

    reply = chat.send("1")
    assert reply.startswith(
        "Request #1 submitted. Bob has been asked personally; other mentors do not see it"
    )
    assert to("mentors", reply) == []  # Bob's alone for now: no card for every mentor
    (for_bob,) = to("bob", reply)  # she asked for Bob by name
    assert for_bob.startswith("to bob: Alice asked for you as their mentor.")
    assert "#1 Mock interview (60 min" in for_bob
    assert "Student: Alice. Available 2026-03-03 to 2026-03-08. Tags: system-design, kafka." in (
        for_bob
    )
    assert "[Claim] /claim 1" in for_bob

    # Bob claims and is offered times at once; Alice hears about it.
    chat.send("/as bob")
    reply = chat.send("/claim 1")
    assert reply.startswith(
        "You claimed #1. Pick a time in our private chat.\n"
        "Pick a time (Europe/Berlin); after the dot, Alice's time (America/Los_Angeles).\n"
        "Tue 3 Mar: 17:00, 17:30, 18:00\n"  # 60 min inside her 08-10
    )
    (news,) = to("alice", reply)
    assert news.startswith('to alice: Good news: Bob will mentor you on "System design interview')
    assert to("mentors", reply) == []  # addressed to Bob: no card for every mentor to update

    # Slots in Bob's zone with Alice's beside them (again, as /slots): only inside her hours,
    # so none from Bob's morning window (her night); the booking reaches each in their zone.
    reply = chat.send("/slots 1")
    assert reply.startswith("Pick a time (Europe/Berlin); after the dot, Alice's time ")
    assert reply.endswith("(reply with its number)")
    assert "  1. Tue 3 Mar 17:00 · Alice 08:00\n" in reply
    assert "  3. Tue 3 Mar 18:00 · Alice 09:00\n" in reply
    assert "Tue 3 Mar 18:30" not in reply and "Tue 3 Mar 09:00" not in reply
    reply = chat.send("1")  # 16:00 UTC
    assert reply.startswith("Booked!\nBooked for Tue 3 Mar 2026, 17:00 (Europe/Berlin).")
    (for_alice,) = to("alice", reply)
    (for_bob,) = to("bob", reply)
    assert "with Bob on Tue 3 Mar 2026, 08:00 (America/Los_Angeles), 60 min." in for_alice
    assert "with Alice on Tue 3 Mar 2026, 17:00 (Europe/Berlin), 60 min." in for_bob
    for booked in (for_alice, for_bob):
        assert "Meeting link: https://meet.jit.si/mentorbot-" in booked
        assert "(attached mentorship-1.ics)" in booked
        assert "[Reschedule] /reschedule 1" in booked
    assert to("mentors", reply) == []

    # The clock: the 24 h reminder falls due at 16:00 UTC today, the 1 h one at 15:00 tomorrow;
    # the clock jumps past each, so each says the time really left.
    assert "Reminder" not in chat.send("/clock +6h")  # 14:00 UTC
    reply = chat.send("/clock +4h")  # 18:00 UTC
    assert reply.startswith("Clock: Mon 2 Mar 2026, 19:00 (Europe/Berlin)")
    (for_alice,) = to("alice", reply)
    (for_bob,) = to("bob", reply)
    assert for_alice.startswith(
        'to alice: Reminder: "System design interview at a fintech" starts in 22 hours, '
        "on Tue 3 Mar 2026, 08:00 (America/Los_Angeles)."
    )
    assert "starts in 22 hours, on Tue 3 Mar 2026, 17:00 (Europe/Berlin)." in for_bob
    assert "[Join] https://meet.jit.si/mentorbot-" in for_bob
    assert "Reminder" not in chat.send("/clock +20h")  # Tue 14:00 UTC
    reply = chat.send("/clock +90m")  # Tue 15:30 UTC: the 1 h reminder, half an hour late
    assert (
        "starts in 30 minutes, on Tue 3 Mar 2026, 08:00 (America/Los_Angeles)."
        in to("alice", reply)[0]
    )
    assert "starts in 30 minutes, on Tue 3 Mar 2026, 17:00 (Europe/Berlin)." in to("bob", reply)[0]
    assert "Did your session" not in reply

    # After the end (17:00 UTC): did it happen?
    reply = chat.send("/clock +2h")
    (asked_alice,) = to("alice", reply)
    (asked_bob,) = to("bob", reply)
    assert asked_alice.startswith(
        'to alice: Did your session "System design interview at a fintech" on '
        "Tue 3 Mar 2026, 08:00 (America/Los_Angeles) happen?"
    )
    assert "[Yes, it happened] /outcome 1 completed" in asked_alice
    assert "on Tue 3 Mar 2026, 17:00 (Europe/Berlin) happen?" in asked_bob

    # Alice answers; she is asked for a rating, Bob for his notes.
    chat.send("/as alice")
    reply = chat.send("/outcome 1 completed")
    assert reply.startswith("Recorded: completed. Thank you!")
    (rating,) = to("alice", reply)
    assert rating.startswith('to alice: How was "System design interview at a fintech" with Bob?')
    assert "[5] /rate 1 5" in rating
    (notes_prompt,) = to("bob", reply)
    assert "Add the real duration and private notes" in notes_prompt
    assert "[Add notes] /notes 1" in notes_prompt
    reply = chat.send("/rate 1 5")
    assert reply == (
        "Thank you for rating!\n"
        "Anything you'd like to tell your mentor? It is optional. Type it, or /skip."
    )
    assert chat.send("The estimates drill was exactly what I needed.") == (
        "Thank you, your feedback is saved."
    )

    chat.send("/as bob")
    assert chat.send("/notes 1 55 Strong on APIs; practise capacity estimates.") == (
        "Saved. Only mentors and admins can read these notes."
    )
    assert (
        "session 1 completed: Tue 3 Mar 2026, 17:00 (Europe/Berlin), mentoring Alice, rated 5/5"
        in (chat.send("/my"))
    )

    # Alice's own view: completed and rated, and never Bob's private notes.
    chat.send("/as alice")
    mine = chat.send("/my")
    assert (
        "#1 completed: System design interview at a fintech (Mock interview, 60 min, mentor Bob)"
        in mine
    )
    assert (
        "session 1 completed: Tue 3 Mar 2026, 08:00 (America/Los_Angeles), with Bob, rated 5/5"
        in mine
    )
    assert "Strong on APIs" not in mine
    assert "capacity estimates" not in mine
