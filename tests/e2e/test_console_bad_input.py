"""Bad input gets one line saying what is wrong (and, in the form, the same question again),
never a traceback."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import CAREER_GUIDANCE, Chat

TITLE = "What do you need help with? (a short title)"
DURATION = "How long should the session be? (a number)"
FROM = "From which day are you available? (e.g. 2026-03-02, tomorrow, +3)"
UNTIL = "Until which day are you available? (e.g. 2026-03-02, tomorrow, +3)"
HOURS = "Which hours of the day suit you, in your own time zone?"


def asked_again(reply: str, question: str) -> str:
    """The explanation line, checking that the question follows it."""
    explanation, _, rest = reply.partition("\n")
    assert rest.startswith(question), reply
    assert explanation and "Traceback" not in reply
    return explanation


def test_commands_with_bad_arguments(chat: Chat) -> None:
    assert chat.send("hello") == "I did not understand that. /help lists the commands."
    assert chat.send("/my") == "First say who you are: /as alice"
    assert chat.send("/as") == "Usage: /as NAME, e.g. /as alice"
    assert chat.send("/as al!ce") == "Use a simple name like alice or bob."
    chat.send("/as bob")
    assert chat.send("/frobnicate") == "I do not know /frobnicate. /help lists the commands."
    assert chat.send("/claim abc") == "There is no request #abc."
    assert chat.send("/claim") == "Usage: /claim REQUEST_ID"
    assert chat.send("/claim 99") == "There is no request #99."
    assert chat.send("/clock soon") == "Move the clock with e.g. /clock +2d, +3h or +90m."
    assert chat.send("/clock +500d") == "That is more than a year; move in smaller steps."
    assert chat.send("/timezone Mars/Olympus") == (
        "'Mars/Olympus' is not a time zone I know. Try e.g. Europe/Berlin or Asia/Tokyo."
    )
    assert chat.send("/availability add Mon 6pm-8pm") == (
        "Times look like 18:00. Usage: /availability add Mon 18:00-20:00"
    )
    assert chat.send("/outcome 1 maybe") == (
        "Usage: /outcome SESSION_ID completed|mentor_no_show|student_no_show"
    )
    assert chat.send("/rate 1 9") == "Usage: /rate SESSION_ID 1-5"
    assert chat.send('/cancel_request "unclosed') == 'There is no request #"unclosed.'
    assert chat.send("/cancel_request") == "Usage: /cancel_request REQUEST_ID [reason]"
    assert chat.send("/approve 3") == "Only admins can do that."
    assert chat.send("/stats") == "Only admins can do that."


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ("", "The title cannot be empty."),
        ("   ", "The title cannot be empty."),
        ("ab", "The title must be at least 3 characters long."),
        ("x" * 300, "The title is too long: 300 characters, at most 200 allowed."),
    ],
    ids=["empty", "blank", "short", "300-chars"],
)
def test_bad_title_is_explained_and_asked_again(chat: Chat, answer: str, explanation: str) -> None:
    chat.sends("/as alice", "/request", CAREER_GUIDANCE)
    assert asked_again(chat.send(answer), TITLE) == explanation
    assert chat.send("A good title").startswith("Describe it in a few sentences.")


def test_bad_choices_and_dates_are_explained_and_asked_again(chat: Chat) -> None:
    chat.send("/as alice")
    reply = chat.send("/request")
    assert asked_again(chat.send("0"), "What kind of session") == (
        "Please answer with a number from 1 to 8."
    )
    assert asked_again(chat.send("mock"), "What kind of session") == (
        "Please pick one of the listed options."
    )
    chat.sends(CAREER_GUIDANCE, "Moving from QA to backend")
    reply = chat.send("I test APIs today and want to build them.")
    assert reply.startswith(DURATION)
    assert asked_again(chat.send("9"), DURATION) == "Please answer with a number from 1 to 3."
    assert asked_again(chat.send("45"), DURATION) == "Please answer with a number from 1 to 3."
    chat.sends("2", "2")

    read_error = "I could not read '{}' as a date. Use e.g. 2026-03-02, 'tomorrow' or '+3'."
    for bad in ("31.02.2026", "yesterday", "next week"):
        assert asked_again(chat.send(bad), FROM) == read_error.format(bad)
    assert asked_again(chat.send("2020-01-01"), FROM) == (
        "The first day cannot be in the past (today is 2026-03-02)."
    )
    assert chat.send("03.03.2026").startswith(UNTIL)
    assert asked_again(chat.send("today"), UNTIL) == (
        "The last day cannot be before the first day."
    )
    assert asked_again(chat.send("+200"), UNTIL) == (
        "The last day can be at most 60 days ahead (2026-05-01)."
    )
    assert chat.send("+5").startswith(HOURS)
    assert asked_again(chat.send("late"), HOURS) == (
        "I could not read 'late' as hours. Pick mornings, afternoons or evenings, "
        "or type a window such as 18-21 or 06:30-08:00."
    )
    assert chat.send("").startswith("Tags help the right mentor find you")  # all ticked
    chat.send("-")
    assert asked_again(chat.send("7"), "Would you like a particular mentor?") == (
        "Please answer with a number from 1 to 4."
    )
    reply = chat.send("1")
    assert "Available: 2026-03-03 to 2026-03-07" in reply
    assert chat.send("4") == "Please answer 1 (submit), 2 (edit) or 3 (cancel)."
    assert chat.send("1").startswith("Request #1 submitted.")


def test_bad_slot_number_and_unknown_request(chat: Chat) -> None:
    chat.sends("/as alice", "/request", CAREER_GUIDANCE, "Moving from QA to backend", "Help?")
    chat.sends("2", "2", "tomorrow", "+5", "", "-", "1", "1")
    assert chat.send("/slots 1") == "Nobody has claimed this request yet."
    chat.send("/as bob")
    chat.send("/claim #1")  # the '#' people copy from the card is fine
    chat.send("/slots 1")
    assert chat.send("13") == "Reply with a number from 1 to 11."  # 10 times, More times
    assert chat.send("soon") == "Reply with a number from 1 to 11."
    assert chat.send("/notes 7 50 Fine.") == "There is no session #7."
