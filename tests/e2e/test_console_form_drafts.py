"""Lost typing in the console (issue 11): Edit on the preview changes the one answer picked
and keeps the rest, a command typed mid-form pauses the form as a draft that /request
resumes (and /cancel drops), and the usage limit is refused as soon as the type is chosen.
"""

from __future__ import annotations

from tests.e2e.helpers import CAREER_GUIDANCE, MOCK_INTERVIEW, Chat, Form

DRAFT = (
    "Your request is saved as a draft; asking for a session again goes on from the same step. "
    "Send /request to ask for a session."
)


def test_edit_on_the_preview_changes_one_answer_and_keeps_the_rest(chat: Chat) -> None:
    chat.send("/as alice")
    chat.sends("/request", CAREER_GUIDANCE, "Moving from QA to backend", "Where to start?")
    preview = chat.sends("3", "3", "tomorrow", "+5", "", "python, golang", "1")
    assert "Tags: python, golang" in preview
    picker = chat.send("2")  # Edit
    assert picker.startswith("Which answer do you want to change? The others are kept.")
    assert "  2. Title" in picker and "  11. Submit as it is" in picker, picker
    step = chat.send("2")  # Title
    assert "Current answer: Moving from QA to backend" in step
    preview = chat.send("Moving from QA to Go backend")  # straight back to the preview
    for kept in (
        "Title: Moving from QA to Go backend",
        "Description: Where to start?",
        "Duration: 60 min",
        "Urgency: high",
        "Available: 2026-03-03 to 2026-03-07",
        "Hours: mornings, afternoons, evenings (07:00-22:00) (your time)",
        "Tags: python, golang",
    ):
        assert kept in preview, preview
    assert chat.send("1").startswith("Request #1 submitted.")
    assert "#1 open: Moving from QA to Go backend" in chat.send("/my")


def test_a_command_mid_form_pauses_it_and_request_resumes_it(chat: Chat) -> None:
    chat.send("/as alice")
    chat.sends("/request", CAREER_GUIDANCE, "Moving from QA to backend")
    listed = chat.send("/my")
    assert listed.startswith(DRAFT + "\nYou have no requests or sessions yet.")
    assert chat.send("I test APIs today.") == DRAFT  # not taken as the description
    assert DRAFT not in chat.send("/limits")  # said once
    resumed = chat.send("/request")
    assert resumed.startswith(
        "You have a request form in progress: resuming at the description.\n"
        "Describe it in a few sentences."
    )
    assert chat.send("I test APIs today.").startswith("How long should the session be?")
    for answer in ("2", "2", "tomorrow", "+5", "", "-", "1"):
        step = chat.send(answer)
    assert "Title: Moving from QA to backend" in step
    assert chat.send("1").startswith("Request #1 submitted.")

    # a paused form is dropped by /cancel; /request then starts afresh
    chat.sends("/request", CAREER_GUIDANCE, "Another one", "/mentors")
    assert chat.send("/cancel") == "Stopped. Nothing was saved."
    assert chat.send("/request").startswith("What kind of session do you need? (a number)")


def test_the_limit_is_refused_as_soon_as_the_type_is_chosen(chat: Chat) -> None:
    chat.send("/as alice")
    for number in range(1, 4):
        chat.submit(Form(kind=MOCK_INTERVIEW, title=f"Interview practice {number}"))
    chat.send("/request")
    refused = chat.send(MOCK_INTERVIEW)
    assert refused.startswith("You have reached the Interview prep limit (3 of 3 used).")
    assert "See /limits for what is left.\nWhat kind of session do you need?" in refused
    assert chat.send(CAREER_GUIDANCE).startswith("What do you need help with?")
