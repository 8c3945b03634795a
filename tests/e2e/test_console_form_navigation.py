"""/back and /cancel inside the request form, and Edit / Cancel at the preview."""

from __future__ import annotations

from tests.e2e.helpers import CAREER_GUIDANCE, MOCK_INTERVIEW, Chat

TYPE = "What kind of session do you need? (a number)"
TITLE = "What do you need help with? (a short title)"
DESCRIPTION = "Describe it in a few sentences."


def test_back_goes_one_step_back_and_answers_can_change(chat: Chat) -> None:
    chat.send("/as alice")
    assert chat.send("/request").startswith(TYPE)
    assert chat.send("/back").startswith(TYPE)  # nothing before the first step
    chat.sends(MOCK_INTERVIEW, "Backend interview")
    assert chat.send("/back").startswith(TITLE)
    assert chat.send("System design interview").startswith(DESCRIPTION)
    assert chat.send("Final round next week.").startswith("Domain (e.g. backend")
    assert chat.send("backend").startswith("Your experience so far?")
    # Back to the type, through the extra fields; a mentorship type has no extra fields.
    for question in ("Domain (e.g. backend", DESCRIPTION, TITLE, TYPE):
        assert chat.send("/back").startswith(question)
    assert chat.send(CAREER_GUIDANCE).startswith(TITLE)
    assert chat.send("System design interview").startswith(DESCRIPTION)
    assert chat.send("Final round next week.").startswith("How long should the session be?")
    preview = chat.sends("2", "2", "tomorrow", "+5", "", "-", "1")
    assert "Type: Career guidance" in preview
    assert "Title: System design interview" in preview
    assert "Domain:" not in preview  # the interview's extra answers went with the type
    # /back at the preview returns to the last question.
    assert chat.send("/back").startswith("Would you like a particular mentor?")
    assert chat.send("3").startswith(  # Carol this time
        "If Carol does not take it in time (or declines it), may any other mentor take it?"
    )
    assert chat.send("1").startswith("Type: Career guidance")  # yes, open it to everyone
    assert chat.send("1").startswith("Request #1 submitted.")
    assert chat.send("/back") == "There is nothing to go back to."


def test_cancel_stops_the_form_and_saves_nothing(chat: Chat) -> None:
    chat.send("/as alice")
    chat.sends("/request", CAREER_GUIDANCE, "Moving from QA to backend")
    assert chat.send("/cancel") == "Stopped. Nothing was saved."
    assert chat.send("Some description") == "I did not understand that. /help lists the commands."
    assert chat.send("/my") == (
        "You have no requests or sessions yet. Send /request to ask for a session."
    )
    assert chat.send("/cancel") == (
        "There is nothing to cancel. To withdraw a request: /cancel_request ID"
    )


def test_preview_edit_keeps_answers_and_cancel_discards(chat: Chat) -> None:
    chat.send("/as alice")
    chat.sends("/request", CAREER_GUIDANCE, "Moving from QA to backend", "Where to start?")
    preview = chat.sends("2", "2", "tomorrow", "+5", "", "python", "1")
    assert "Tags: python" in preview
    reply = chat.send("2")  # Edit
    assert reply.startswith("Which answer do you want to change?"), reply
    chat.sends("title", "Moving from QA to Go backend")  # a field by its name
    chat.sends("edit", "duration", "3", "edit", "urgency", "3", "edit", "first day", "+2")
    preview = chat.sends("edit", "last day", "+9", "edit", "tags", "backend, golang")
    assert "Title: Moving from QA to Go backend" in preview
    assert "Duration: 60 min" in preview
    assert "Urgency: high" in preview
    assert "Available: 2026-03-04 to 2026-03-11" in preview
    assert "Tags: backend, golang" in preview
    assert chat.send("3") == "Stopped. Nothing was saved."  # the preview's Cancel
    assert chat.send("/my").startswith("You have no requests")
