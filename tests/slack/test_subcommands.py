"""The slash command's sub-commands and the Home tab's buttons reach what Telegram's
commands reach: limits, the mentors, the queue, claim and release, availability, the time
zone, and the admin's approval, assignment and statistics. Each is an action of the
shared vocabulary: refusals come from the services, answers are plain, nothing else
changes."""

from __future__ import annotations

import time
from typing import Any

from core.services.requests import submit_request
from tests.slack.harness import (
    ADMIN,
    ALICE,
    BOB,
    DAVE,
    STRANGER,
    Answer,
    SlackHarness,
    draft,
)
from tests.support.fake_slack import Call


async def typed(slack: SlackHarness, user: str, text: str, **kw: Any) -> Answer:
    """``/mentorship <text>`` typed by ``user`` in a channel."""
    return await slack.post_form(slack.command_fields(user, text), **kw)


def ephemeral(answer: Answer, user: str) -> str:
    return "\n".join(c.text for c in answer.of("chat.postEphemeral") if c.user == user)


def dms(answer: Answer, user: str) -> list[Call]:
    return [c for c in answer.of("chat.postMessage") if c.channel == user]


def button(calls: list[Call], label: str) -> dict[str, Any]:
    found = [b for c in calls for b in c.buttons() if b["text"]["text"] == label]
    assert found, f"no {label!r} in {[b['text']['text'] for c in calls for b in c.buttons()]}"
    return found[0]


def open_request(slack: SlackHarness, user: str, title: str = "Help me with SQL joins") -> int:
    student = slack.person(user)
    return submit_request(slack.ctx, student.id, draft(title)).id


async def test_help_and_unknown_sub_commands_get_the_list(slack: SlackHarness) -> None:
    helped = await typed(slack, ALICE, "help")
    text = ephemeral(helped, ALICE)
    for line in (
        "/mentorship become_mentor - apply to mentor",
        "/mentorship limits - what you can still ask for",
        "/mentorship queue - open requests you can claim (mentors)",
        "/mentorship availability [add Mon 18:00-20:00 | remove ID]",
        "/mentorship assign REQUEST_ID MENTOR_ID - hand a request to a mentor (admins)",
        "/mentorship release REQUEST_ID [reason]",
    ):
        assert line in text, text
    unknown = await typed(slack, ALICE, "frobnicate <!channel>")
    said = ephemeral(unknown, ALICE)
    assert said.startswith("I do not know /mentorship frobnicate.")
    assert "/mentorship limits" in said and not unknown.of("views.open")
    for text_ in ("", "request", "REQUEST"):  # the request form, as before
        opened = (await typed(slack, ALICE, text_)).of("views.open")
        assert len(opened) == 1 and opened[0].view["callback_id"] == "request_form"


async def test_a_student_sees_limits_mentors_and_their_own_list(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    limits = await typed(slack, ALICE, "limits")
    assert dms(limits, ALICE)[0].text.startswith("Your limits:")
    mentors = await typed(slack, ALICE, "mentors")
    assert "Bob" in dms(mentors, ALICE)[0].text
    assert button(dms(mentors, ALICE), "Request Bob")["value"] == str(slack.member(BOB).id)
    mine = await typed(slack, ALICE, "my")
    assert "You have no requests or sessions yet." in mine.text_to(ALICE)
    assert "Send /mentorship or press Request a session" in mine.text_to(ALICE)
    zone = await typed(slack, ALICE, "timezone Asia/Tokyo")
    assert "Time zone set to Asia/Tokyo." in zone.text_to(ALICE)
    assert slack.member(ALICE).timezone == "Asia/Tokyo"

    # what is not hers to do: refused in plain words, nothing changed
    before = slack.snapshot()
    queue = await typed(slack, ALICE, "queue")
    assert "Only mentors can do that." in ephemeral(queue, ALICE)
    assert "/mentorship become_mentor" in ephemeral(queue, ALICE)
    for text_ in ("approve 1", "assign 1 1", "stats", "admin"):
        refused = await typed(slack, ALICE, text_)
        assert "Only admins can do that." in ephemeral(refused, ALICE), text_
    assert slack.snapshot() == before


async def test_a_mentor_works_the_queue_and_availability(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    request_id = open_request(slack, ALICE)
    queue = await typed(slack, BOB, "queue")
    assert "Help me with SQL joins" in dms(queue, BOB)[0].text
    assert button(dms(queue, BOB), f"Claim #{request_id}")["value"] == str(request_id)

    claimed = await typed(slack, BOB, f"claim {request_id}")
    assert f"You claimed #{request_id}." in ephemeral(claimed, BOB)
    assert any(b["action_id"].startswith("s:") for c in dms(claimed, BOB) for b in c.buttons())
    assert slack.scalar("SELECT status FROM mentorship_requests") == "CLAIMED"
    released = await typed(slack, BOB, f"release {request_id} too busy this week")
    assert "Released: it is back in the queue." in ephemeral(released, BOB)
    assert slack.scalar("SELECT status FROM mentorship_requests") == "OPEN"
    usage = await typed(slack, BOB, "claim")
    assert ephemeral(usage, BOB) == "Usage: /mentorship claim REQUEST_ID"
    garbled = await typed(slack, BOB, "claim soon")
    assert ephemeral(garbled, BOB) == "There is no request #soon."

    added = await typed(slack, BOB, "availability add Sun 21:00-22:00")
    assert "Added Sunday 21:00-22:00 (Europe/Berlin)." in ephemeral(added, BOB)
    window = slack.scalar("SELECT max(id) FROM availability_windows")  # the newest
    removed = await typed(slack, BOB, f"availability remove {window}")
    assert "Removed Sunday 21:00-22:00." in ephemeral(removed, BOB)
    bad = await typed(slack, BOB, "availability add Funday 18:00-20:00")
    assert "Unknown day" in ephemeral(bad, BOB)


async def test_an_admin_assigns_and_reads_the_statistics(slack: SlackHarness) -> None:
    bob = slack.seed_mentor(BOB, ["python"])
    slack.seed_mentor(DAVE, ["sql"], approve=False)
    request_id = open_request(slack, ALICE)
    stats = await typed(slack, ADMIN, "stats")
    assert dms(stats, ADMIN) and "request" in dms(stats, ADMIN)[0].text.lower()
    usage = await typed(slack, ADMIN, "assign 1")
    assert ephemeral(usage, ADMIN) == "Usage: /mentorship assign REQUEST_ID MENTOR_ID"
    assigned = await typed(slack, ADMIN, f"assign {request_id} {bob.id}")
    assert f"Request #{request_id} is assigned" in ephemeral(assigned, ADMIN)
    assert slack.scalar("SELECT claimed_by FROM mentorship_requests") == bob.id
    rejected = await typed(slack, ADMIN, f"reject {slack.member(DAVE).id}")
    assert "rejected" in ephemeral(rejected, ADMIN)
    assert slack.scalar("SELECT status FROM mentor_profiles WHERE member_id <> :b", b=bob.id) == (
        "REJECTED"
    )


async def test_the_home_tab_buttons_press_the_same_actions(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    slack.person(ADMIN, admin=True)
    request_id = open_request(slack, ALICE)

    def labels(answer: Answer) -> dict[str, dict[str, Any]]:
        return {b["text"]["text"]: b for b in answer.of("views.publish")[-1].buttons()}

    alice = labels(await slack.home(ALICE))
    assert {"Limits", "Become a mentor"} <= set(alice) and not {"Queue", "Admin"} & set(alice)
    limits = await slack.press(ALICE, alice["Limits"]["action_id"], alice["Limits"]["value"])
    assert dms(limits, ALICE)[0].text.startswith("Your limits:")

    bob = labels(await slack.home(BOB))
    assert "Queue" in bob and "Admin" not in bob and "Become a mentor" not in bob
    queue = await slack.press(BOB, bob["Queue"]["action_id"], bob["Queue"]["value"])
    assert button(dms(queue, BOB), f"Claim #{request_id}")

    admin = labels(await slack.home(ADMIN))
    assert "Admin" in admin
    shown = await slack.press(ADMIN, admin["Admin"]["action_id"], admin["Admin"]["value"])
    assert "No mentor applications waiting." in dms(shown, ADMIN)[0].text
    # the same button pressed by someone who is not an admin
    forged = await slack.press(ALICE, admin["Admin"]["action_id"], admin["Admin"]["value"])
    assert "Only admins can do that." in forged.text_to(ALICE)


async def test_a_sub_command_is_answered_before_a_slow_users_info(slack: SlackHarness) -> None:
    slack.fake.delays["users.info"] = 5.0
    started = time.monotonic()
    answer = await typed(slack, STRANGER, "limits", settle=False)
    assert answer.status == 200 and answer.body == "" and answer.seconds < 3.0
    assert time.monotonic() - started < 3.0
    await slack.settle()
    assert (await slack.fake.wait_for("chat.postMessage")).text.startswith("Your limits:")
