"""The mentor application in the console is the shared form: each answer is checked when
it is typed (a 5,000-character domain, "abc" years, a bad tag), the answers before it are
kept, ``python; sql`` are two tags, and the admin approves the PENDING application."""

from __future__ import annotations

from core.members import Identity, Platform
from core.mentors import MentorStatus
from core.services.members import find_member
from core.services.mentor_status import mentor_status
from core.services.mentors import pending_mentors
from tests.e2e.helpers import Chat

DOMAIN = "Your domain (e.g. Backend engineering)?"
YEARS = "Years of experience (a number)?"
BIO = "A short bio for students?"
TAGS = "Your expertise tags, comma-separated (e.g. python, system-design)?"


def erin_id(chat: Chat) -> int:
    found = find_member(chat.ctx, Identity(Platform.CONSOLE, "erin"))
    assert found is not None
    return found.id


def test_each_answer_is_checked_when_typed_and_the_admin_approves(chat: Chat) -> None:
    chat.send("/as erin")
    assert chat.send("/become_mentor") == f"{DOMAIN}  (/cancel to stop)"
    assert chat.send("D" * 5000) == (
        f"Domain is too long: 5000 characters, at most 100 allowed.\n{DOMAIN}"
    )
    assert chat.send("Data engineering") == YEARS
    assert chat.send("abc") == f"Please give the years as a whole number, e.g. 5.\n{YEARS}"
    assert chat.send("7") == BIO
    assert chat.send("I build data pipelines.") == TAGS
    assert chat.send("python, c++!!") == (
        f"Tag 'c++!!' may use only letters, digits and - + # .\n{TAGS}"
    )
    assert mentor_status(chat.ctx, erin_id(chat)) is None  # nothing stored yet

    reply = chat.send("python; sql")
    assert reply.startswith(
        "Thank you! An admin will review your application. "
        "Send /availability to set your weekly times."
    )
    assert mentor_status(chat.ctx, erin_id(chat)) == MentorStatus.PENDING

    chat.send("/as admin")
    assert "Erin, Data engineering, 7 y; python, sql" in chat.send("/admin")
    assert chat.send(f"/approve {erin_id(chat)}").startswith(f"Mentor {erin_id(chat)} approved.")
    assert mentor_status(chat.ctx, erin_id(chat)) == MentorStatus.APPROVED


def test_cancel_and_no_tags(chat: Chat) -> None:
    chat.send("/as erin")
    chat.send("/become_mentor")
    chat.send("Frontend")
    assert chat.send("/cancel") == "Stopped. Nothing was saved."
    assert chat.send("4") == "I did not understand that. /help lists the commands."
    chat.sends("/become_mentor", "Frontend", "4", "I build UIs.")
    assert chat.send("-").startswith("Thank you! An admin will review your application.")
    admin = find_member(chat.ctx, Identity(Platform.CONSOLE, "admin"))
    assert admin is not None
    ((name, profile),) = pending_mentors(chat.ctx, admin.id)
    assert (name, profile.domain, profile.expertise_tags) == ("Erin", "Frontend", [])
