"""End to end over HTTP: the modal, the mentors channel card, two mentors claiming at
once, slot buttons by DM, the booking in each person's zone with an .ics, App Home per
role, a Telegram student with a Slack mentor, 429 handling and mrkdwn escaping."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from core.members import Identity, Platform
from core.services.members import register_member
from core.services.requests import submit_request
from core.timefmt import local_time
from tests.slack.harness import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    Answer,
    SlackHarness,
    draft,
)
from tests.support.fake_slack import Call

EVIL = "Help <!channel> see <https://evil.example|ok> & more"


async def open_modal(slack: SlackHarness, user: str) -> dict[str, Any]:
    answer = await slack.command(user)
    assert answer.status == 200
    opened = answer.of("views.open")
    assert len(opened) == 1, [c.method for c in answer.calls]
    return opened[0].view


async def submit_form(
    slack: SlackHarness, user: str, title: str = "Moving from QA to backend"
) -> Answer:
    view = await open_modal(slack, user)
    values = {
        "session_type": "career-guidance",
        "title": title,
        "description": "I test APIs all day; how do I start writing them? & why <b>?",
        "duration_minutes": "45",
        "urgency": "high",
        "available_from": "2026-03-03",
        "available_until": "2026-03-06",
        "tags": ["python"],
        "tags_new": "apis",
        "preferred_mentor_id": None,
    }
    answer = await slack.submit(user, view, values)
    assert answer.status == 200
    assert answer.body == "" or answer.json.get("response_action") != "errors", answer.body
    return answer


def card_claim_button(calls: list[Call]) -> tuple[str, str]:
    for call in calls:
        if call.method == "chat.postMessage" and call.channel == CHANNEL:
            for b in call.buttons():
                if b["action_id"].startswith("a:claim"):
                    return b["action_id"], b["value"]
    raise AssertionError(f"no card with a Claim button in {[c.method for c in calls]}")


async def test_student_submits_modal_card_posted_two_mentors_claim_at_once(
    slack: SlackHarness,
) -> None:
    slack.seed_mentor(BOB, ["python"])
    slack.seed_mentor(CAROL, ["python"])
    submitted = await submit_form(slack, ALICE)
    assert "submitted" in submitted.text_to(ALICE)
    # from the slash command, not her Home: it is built when she opens it, not now
    assert not submitted.of("views.publish")
    home = (await slack.home(ALICE)).of("views.publish")
    assert len(home) == 1 and "Moving from QA to backend" in str(home[0].view)
    alice = slack.member(ALICE)
    assert alice.timezone == "America/Los_Angeles"  # from users.info
    request_id = slack.scalar(
        "SELECT id FROM mentorship_requests WHERE student_id = :s", s=alice.id
    )
    assert slack.scalar("SELECT status FROM mentorship_requests") == "OPEN"
    assert slack.scalar("SELECT title FROM mentorship_requests") == "Moving from QA to backend"

    _, calls = await slack.deliver()
    action_id, value = card_claim_button(calls)
    assert value == str(request_id)
    card = next(c for c in calls if c.method == "chat.postMessage" and c.channel == CHANNEL)

    bob_press = slack.action_payload(BOB, action_id, value, channel=CHANNEL)
    carol_press = slack.action_payload(CAROL, action_id, value, channel=CHANNEL)
    mark = len(slack.fake.calls)
    answers = await asyncio.gather(slack.post_payload(bob_press), slack.post_payload(carol_press))
    assert [a.status for a in answers] == [200, 200]
    await slack.settle()
    calls = slack.fake.calls[mark:]
    claimed_by = slack.scalar(
        "SELECT claimed_by FROM mentorship_requests WHERE id = :i", i=request_id
    )
    winner, loser = (BOB, CAROL) if claimed_by == slack.member(BOB).id else (CAROL, BOB)
    assert claimed_by == slack.member(winner).id
    winner_name = {BOB: "Bob", CAROL: "Carol"}[winner]
    ephemerals = [c for c in calls if c.method == "chat.postEphemeral" and c.user == loser]
    assert any(f"Already claimed by {winner_name}" in c.text for c in ephemerals), ephemerals
    slots = [c for c in calls if c.method == "chat.postMessage" and c.channel == winner]
    assert any(b["action_id"].startswith("s:") for c in slots for b in c.buttons())
    assert not any(
        c.channel == loser and c.method == "chat.postMessage" and c.buttons() for c in calls
    )
    events = slack.scalar("SELECT count(*) FROM transition_events WHERE to_status = 'CLAIMED'")
    assert events == 1

    _, calls = await slack.deliver()
    updates = [c for c in calls if c.method == "chat.update" and c.channel == CHANNEL]
    assert updates and updates[0].args["ts"] == card.args.get("ts", updates[0].args["ts"])
    assert f"claimed by {winner_name}" in updates[-1].text
    assert not any(b["action_id"].startswith("a:claim") for b in updates[-1].buttons())
    thread = [c for c in calls if c.method == "chat.postMessage" and c.args.get("thread_ts")]
    assert thread, "the audit line goes to the card's thread"


async def test_slot_buttons_by_dm_then_booking_in_each_zone_with_ics(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    await submit_form(slack, ALICE)
    _, calls = await slack.deliver()
    action_id, value = card_claim_button(calls)
    claimed = await slack.press(BOB, action_id, value, channel=CHANNEL)
    dm = [c for c in claimed.calls if c.method == "chat.postMessage" and c.channel == BOB]
    slot_buttons = [b for c in dm for b in c.buttons() if b["action_id"].startswith("s:")]
    assert slot_buttons, [c.text for c in dm]
    assert "Europe/Berlin" in " ".join(c.text for c in dm)
    chosen = slot_buttons[0]

    booked = await slack.press(BOB, chosen["action_id"], chosen["value"])
    assert "Booked for" in booked.text_to(BOB)
    session = slack.scalar("SELECT count(*) FROM mentorship_sessions")
    assert session == 1
    with slack.db.connect() as c:
        from sqlalchemy import text

        scheduled = c.execute(text("SELECT scheduled_at FROM mentorship_sessions")).scalar()
    from datetime import UTC, datetime

    if isinstance(scheduled, str):
        scheduled = datetime.fromisoformat(scheduled)
    if scheduled.tzinfo is None:
        scheduled = scheduled.replace(tzinfo=UTC)
    assert int(scheduled.timestamp()) == int(chosen["value"].split(":")[1])

    _, calls = await slack.deliver()
    to_alice = [c for c in calls if c.method == "chat.postMessage" and c.channel == ALICE]
    to_bob = [c for c in calls if c.method == "chat.postMessage" and c.channel == BOB]
    alice_time = local_time(scheduled, "America/Los_Angeles")
    bob_time = local_time(scheduled, "Europe/Berlin")
    assert any(alice_time in c.text for c in to_alice), [c.text for c in to_alice]
    assert any(bob_time in c.text for c in to_bob), [c.text for c in to_bob]
    # the .ics went to both DMs through files_upload_v2's three steps
    for user in (ALICE, BOB):
        files = slack.fake.uploaded_to("D" + user[1:])
        assert files and b"BEGIN:VCALENDAR" in files[0], user
    assert slack.fake.named("files.getUploadURLExternal")
    assert slack.fake.named("upload")


async def test_app_home_per_role(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    slack.seed_mentor(DAVE, ["go"], approve=False)
    submit_request(slack.ctx, slack.person(ALICE).id, draft())
    views: dict[str, dict[str, Any]] = {}
    for user in (ALICE, BOB, ADMIN):
        answer = await slack.home(user)
        assert answer.status == 200
        published = answer.of("views.publish")
        assert len(published) == 1 and published[0].args["user_id"] == user
        views[user] = published[0].view
    texts = {u: " ".join(t for t in _texts(v)) for u, v in views.items()}
    assert "Your requests" in texts[ALICE] and "Mentor:" not in texts[ALICE]
    assert "Admin" not in texts[ALICE]
    assert "Moving from QA to backend" in texts[ALICE]
    assert "Mentor: open requests" in texts[BOB] and "Admin" not in texts[BOB]
    claim_buttons = [
        e
        for b in views[BOB]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("a:claim")
    ]
    assert claim_buttons
    assert "Admin" in texts[ADMIN] and "Dave" in texts[ADMIN]
    assert "America/Los_Angeles" in texts[ALICE] and "Europe/Berlin" in texts[BOB]


def _texts(view: dict[str, Any]) -> list[str]:
    from tests.support.fake_slack import walk_texts

    return list(walk_texts(view.get("blocks") or []))


async def test_telegram_student_claimed_by_slack_mentor(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    tess, _ = register_member(
        slack.ctx, Identity(Platform.TELEGRAM, "555001"), "Tess", "Asia/Kolkata"
    )
    request = submit_request(slack.ctx, tess.id, draft("From Telegram"))
    _, calls = await slack.deliver()
    action_id, value = card_claim_button(calls)
    assert value == str(request.id)
    claimed = await slack.press(BOB, action_id, value, channel=CHANNEL)
    assert "You claimed" in claimed.text_to(BOB)
    sent_before = len(slack.telegram.sent)
    _, calls = await slack.deliver()
    to_tess = [s for s in slack.telegram.sent[sent_before:] if s.address.chat_id == "555001"]
    assert to_tess, "the student's notification goes out on Telegram"
    assert any("Bob" in s.message.text for s in to_tess), [s.message.text for s in to_tess]
    assert not [c for c in calls if c.channel in ("555001", "T1:555001")]


async def test_429_is_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    submit_request(slack.ctx, slack.person(ALICE).id, draft())
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    started = time.monotonic()
    _, calls = await slack.deliver()
    posts = [c for c in calls if c.method == "chat.postMessage"]
    assert posts[0].status == 429
    retried = [c for c in posts[1:] if c.channel == posts[0].channel and c.text == posts[0].text]
    assert [c.status for c in retried] == [200], [(c.channel, c.status) for c in posts]
    assert time.monotonic() - started >= 1.0  # it waited for Retry-After
    assert len([c for c in slack.fake.named("chat.postMessage") if c.channel == CHANNEL]) == 1


ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


async def test_user_text_is_escaped_in_every_posted_text(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    await submit_form(slack, ALICE, title=EVIL)
    _, calls = await slack.deliver()
    action_id, value = card_claim_button(calls)
    await slack.press(BOB, action_id, value, channel=CHANNEL)
    await slack.deliver()
    await slack.home(ALICE)
    await slack.home(BOB)
    checked = 0
    for call in (
        slack.fake.named("chat.postMessage")
        + slack.fake.named("chat.update")
        + (slack.fake.named("chat.postEphemeral") + slack.fake.named("views.publish"))
    ):
        mrkdwn = [call.text] if call.text else []
        mrkdwn += _mrkdwn(call.blocks)
        for shown in mrkdwn:
            assert "<!channel>" not in shown and "<https://evil" not in shown, shown
            assert not ENTITY.search(shown), shown
            checked += "evil" in shown
    assert checked >= 3


def _mrkdwn(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            out.append(str(node.get("text")))
        for value in node.values():
            if isinstance(value, dict | list):
                out += _mrkdwn(value)
    elif isinstance(node, list):
        for item in node:
            out += _mrkdwn(item)
    return out


async def test_global_shortcut_opens_the_same_modal(slack: SlackHarness) -> None:
    answer = await slack.shortcut(ALICE)
    assert answer.status == 200
    opened = answer.of("views.open")
    assert len(opened) == 1 and opened[0].view["callback_id"] == "request_form"


async def test_dm_cards_of_matching_mentors_are_redrawn_on_claim(slack: SlackHarness) -> None:
    """Bob and Carol mentor python and get the card by DM; once Bob claims it, Carol's DM
    card (and the channel's) show who has it, without a Claim button."""
    slack.seed_mentor(BOB, ["python"])
    slack.seed_mentor(CAROL, ["python"])
    submit_request(slack.ctx, slack.person(ALICE).id, draft("Typing a big codebase"))
    _, calls = await slack.deliver()
    dm_cards = [
        c
        for c in calls
        if c.method == "chat.postMessage"
        and c.channel in (BOB, CAROL)
        and any(b["action_id"].startswith("a:claim") for b in c.buttons())
    ]
    assert sorted(c.channel for c in dm_cards) == sorted([BOB, CAROL])
    action_id, value = card_claim_button(calls)
    await slack.press(BOB, action_id, value, channel=CHANNEL)
    _, calls = await slack.deliver()
    updates = {c.channel: c for c in calls if c.method == "chat.update"}
    carol_dm = "D" + CAROL[1:]
    assert {CHANNEL, carol_dm} <= set(updates), sorted(updates)
    for update in updates.values():
        assert "claimed by Bob" in update.text
        assert not [b for b in update.buttons() if b["action_id"].startswith("a:claim")]
    assert updates[carol_dm].args["ts"]  # the DM card's own message, edited in place
