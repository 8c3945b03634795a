"""A mentor's journey: apply, get approved, set availability, claim, book, write notes."""

from __future__ import annotations

from core.services.admin import export_rows
from tests.e2e.helpers import RESUME_REVIEW, Chat, Form, to


def test_register_approved_availability_claim_slot_notes(chat: Chat) -> None:
    reply = chat.send("/as erin")
    assert reply.startswith("Hello Erin, you are new here")
    assert "You are now Erin (student; UTC)." in reply
    chat.send("/timezone Europe/London")

    # Applying: four questions; a wrong answer is explained and the question asked again.
    assert chat.send("/become_mentor").startswith("Your domain (e.g. Backend engineering)?")
    assert chat.send("Data engineering") == "Years of experience (a number)?"
    assert chat.send("many") == (
        "Please give the years as a whole number, e.g. 5.\nYears of experience (a number)?"
    )
    assert chat.send("7") == "A short bio for students?"
    assert chat.send("I build data pipelines and review CVs for data roles.").startswith(
        "Your expertise tags"
    )
    reply = chat.send("python, spark, career-change")
    assert reply.startswith("Thank you! An admin will review your application.")
    (for_admin,) = to("admin", reply)
    assert for_admin.startswith("to admin: Erin applied to be a mentor.")
    assert "[Approve] /approve 6" in for_admin
    assert chat.send("/queue") == (
        "Your mentor profile is not approved yet; an admin will review it."
    )

    # The admin sees the application and approves it by its number in the menu.
    chat.send("/as admin")
    reply = chat.send("/admin")
    assert reply.startswith(
        "1 mentor application(s) waiting.\n"
        "  6: Erin, Data engineering, 7 y; python, spark, career-change\n"
    )
    assert "  1. Approve Erin\n  2. Reject Erin\n  (reply with its number)" in reply
    reply = chat.send("1")
    assert reply.startswith("Mentor 6 approved.")
    assert to("erin", reply) == [
        "to erin: You are approved as a mentor. Welcome! Send /queue to see open requests."
    ]
    assert chat.send("/admin").startswith("No mentor applications waiting.")

    # Weekly availability, in Erin's own zone.
    chat.send("/as erin")
    assert "Erin, Data engineering, 7 y, no ratings yet; python, spark, career-change" in (
        chat.send("/mentors")
    )
    assert chat.send("/availability").startswith("No availability yet.")
    reply = chat.send("/availability add Tue 18:00-20:00")
    assert reply.startswith("Added Tuesday 18:00-20:00 (Europe/London).\n")
    assert "Your weekly availability (Europe/London):\n" in reply
    assert ": Tuesday 18:00-20:00\n" in reply
    assert "  1. Remove Tuesday 18:00-20:00" in reply
    assert chat.send("/availability add Funday 18:00-20:00").startswith("Unknown day 'Funday'.")
    assert chat.send("/queue") == "No open requests right now."

    # Alice asks for a resume review; Erin finds it in her queue, claims it and books it.
    chat.send("/as alice")
    chat.submit(Form(kind=RESUME_REVIEW, title="Review my data engineer CV", duration="1"))
    chat.send("/as erin")
    reply = chat.send("/queue")
    assert reply.startswith("Open requests:")
    assert "#1 Review my data engineer CV (Resume review, 30 min, normal) from Alice" in reply
    assert "  1. Claim #1\n  (reply with its number)" in reply
    reply = chat.send("1")  # Claim #1 from the menu: the times follow at once
    assert to("alice", reply)[0].startswith("to alice: Good news: Erin will mentor you")
    slots = (
        "Pick a time (Europe/London); after the dot, Alice's time (America/Los_Angeles).\n"
        "Tue 3 Mar: 18:00, 18:30, 19:00, 19:30\n"
        "  1. Tue 3 Mar 18:00 · Alice 10:00\n  2. Tue 3 Mar 18:30 · Alice 10:30\n"
        "  3. Tue 3 Mar 19:00 · Alice 11:00\n  4. Tue 3 Mar 19:30 · Alice 11:30\n"
        "  (reply with its number)"
    )
    assert reply.startswith("You claimed #1. Pick a time in our private chat.\n" + slots + "\n")
    assert chat.send("/slots 1") == slots
    assert chat.send("5") == "Reply with a number from 1 to 4."
    reply = chat.send("1")
    assert reply.startswith("Booked!\nBooked for Tue 3 Mar 2026, 18:00 (Europe/London).")
    assert (
        "with Erin on Tue 3 Mar 2026, 10:00 (America/Los_Angeles), 30 min."
        in (to("alice", reply)[0])
    )
    assert "with Alice on Tue 3 Mar 2026, 18:00 (Europe/London), 30 min." in to("erin", reply)[0]
    assert chat.send("/notes 1 Good CV.") == (
        "Notes can be added once the session has taken place."
    )

    # After the session Erin says it happened and adds the real duration and notes
    # through the prompt's button.
    reply = chat.send("/clock +1d12h")
    assert "Did your session" in to("erin", reply)[0]
    reply = chat.send("/outcome 1 completed")
    assert reply.startswith("Recorded: completed. Thank you!")
    (notes_prompt,) = to("erin", reply)
    assert "[Add notes] /notes 1" in notes_prompt
    assert to("alice", reply)[0].startswith('to alice: How was "Review my data engineer CV"')
    assert chat.send("/notes 1").startswith(
        "Your notes on session 1 (real duration 30 min): none yet.\nSend a new note"
    )
    assert chat.send("40 Solid CV; move the Spark project to the top.") == (
        "Saved. Only mentors and admins can read these notes."
    )
    assert "mentoring Alice" in chat.send("/my")
    chat.send("/as alice")
    assert "Spark project" not in chat.send("/my")

    # What was stored: the real duration and the private notes, for mentors and admins only.
    _, (session,) = export_rows(chat.ctx, None)
    assert session.session_duration_minutes == 40
    assert session.mentor_notes == "Solid CV; move the Spark project to the top."
