"""The console presses the shared vocabulary: every action can be typed, and the buttons
of an answer are a numbered menu that a number presses (then the answer says what the
shared layer says on every front-end)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.conversation.dispatcher import VOCABULARY  # the vocabulary, filled
from core.services.admin import export_rows
from core.services.members import get_member
from tests.e2e.helpers import Chat, Form, to

BOOKED_AT = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # Tue 17:00 Berlin, 08:00 Los Angeles


def book_with_bob(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.sends("/as bob", "/claim 1", "1")  # the first time offered


def number_of(reply: str, label: str) -> str:
    """The number the menu in ``reply`` gives the button ``label``."""
    found = re.search(rf"^  (\d+)\. {re.escape(label)}$", reply, re.MULTILINE)
    assert found, f"no {label!r} in {reply!r}"
    return found.group(1)


def sessions(chat: Chat) -> list[tuple[str, datetime]]:
    return [(s.status.value, s.scheduled_at) for s in export_rows(chat.ctx, None)[1]]


def test_my_offers_move_and_cancel_by_number(chat: Chat) -> None:
    book_with_bob(chat)
    assert sessions(chat) == [("SCHEDULED", BOOKED_AT)]
    chat.send("/as alice")
    mine = chat.send("/my")
    assert mine.endswith("  (reply with its number)")
    assert number_of(mine, "Cancel 1")
    buttons = len(re.findall(r"^  \d+\. ", mine, re.MULTILINE))
    assert chat.send(str(buttons + 1)) == f"Reply with a number from 1 to {buttons}."
    asked = chat.send(number_of(mine, "Move 1"))
    assert asked.startswith("Why are you moving it? The other person will be told.")
    times = chat.send("/skip")  # in her zone, without the current time
    assert times.startswith(
        "Pick a time (America/Los_Angeles); after the dot, Bob's time (Europe/Berlin).\n"
        "Tue 3 Mar: 08:30, 09:00, 09:30, 10:00\n"
    )
    assert "  1. Tue 3 Mar 08:30 · Bob 17:30\n" in times
    assert "Tue 3 Mar 08:00" not in times
    reply = chat.send("1")
    assert reply.startswith("Booked!\nBooked for Tue 3 Mar 2026, 08:30 (America/Los_Angeles).")
    assert "is now on Tue 3 Mar 2026, 17:30 (Europe/Berlin)." in to("bob", reply)[0]
    assert sessions(chat) == [("SCHEDULED", datetime(2026, 3, 3, 16, 30, tzinfo=UTC))]
    # The menu was answered: a number now means nothing.
    assert chat.send("1") == "I did not understand that. /help lists the commands."


def test_timezone_menu_sets_the_zone(chat: Chat) -> None:
    chat.send("/as erin")
    reply = chat.send("/timezone")
    assert reply.startswith("Your time zone is UTC.\n  1. Europe/London\n  2. Europe/Berlin\n")
    assert chat.send("2").startswith("Time zone: Europe/Berlin\nTime zone set to Europe/Berlin.")
    assert get_member(chat.ctx, chat.session.require_me().id).timezone == "Europe/Berlin"
    assert chat.send("/clock") == "Clock: Mon 2 Mar 2026, 09:00 (Europe/Berlin)"


def test_a_refused_pick_changes_nothing_and_the_menu_stays(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    assert "  1. Claim #1" in chat.sends("/as bob", "/queue")
    chat.sends("/as carol", "/claim 1")
    chat.send("/as bob")  # switching person keeps each one's menu
    assert chat.send("1") == "Already claimed by Carol."
    assert [r.claimed_by for r in export_rows(chat.ctx, None)[0]] == [4]  # Carol
    assert chat.send("5") == "Reply with a number from 1 to 1."  # still his menu


def test_a_menu_waits_while_someone_else_types(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.sends("/as bob", "/claim 1")
    chat.sends("/as carol", "/queue", "/as bob")
    assert chat.send("1").startswith("Booked!\nBooked for Tue 3 Mar 2026, 17:00 (Europe/Berlin).")
    assert sessions(chat) == [("SCHEDULED", BOOKED_AT)]


def test_every_action_can_be_typed_and_bad_arguments_get_a_plain_answer(chat: Chat) -> None:
    chat.send("/as alice")
    assert {"claim", "book", "move", "set_timezone", "assign"} <= set(VOCABULARY)
    for name in sorted(VOCABULARY):
        for args in ("", " 99999999999999999999999", " #1 x y z", " abc"):
            reply = chat.send(f"/{name}{args}")
            assert reply, f"/{name}{args} got no answer"
            assert "I do not know" not in reply, reply
    assert export_rows(chat.ctx, None) == ([], [])
