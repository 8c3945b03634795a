"""Every action id and view callback id, sent over signed HTTP by everyone who may not use
it, plus forged and stale values: 0 unauthorized changes in the database and a plain
answer each time (an ephemeral note or DM, or the modal's inline errors).

The world (all on Slack): Alice (student) has an open request, a claimed one (by Bob), a
scheduled one (with Bob, in the future), one whose session with Carol is over but not yet
reported, a completed session with Bob (unrated) and a cancelled request; Dave applied to
mentor and waits.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from core.services.claims import claim_request
from core.services.outcomes import record_outcome
from core.services.requests import cancel_request, submit_request
from core.services.sessions import available_slots, schedule_session
from core.sessions import Outcome
from tests.slack.harness import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    CHANNEL,
    DAVE,
    ERIN,
    STRANGER,
    Answer,
    SlackHarness,
    draft,
)

ACTORS = {
    "stranger": STRANGER,
    "student": ALICE,
    "other student": ERIN,
    "unapproved mentor": DAVE,
    "approved mentor": CAROL,
    "claiming mentor": BOB,
    "admin": ADMIN,
}
LEAKS = ("Traceback", "Exception", "Error:", 'File "', "sqlalchemy", "psycopg", "slack_sdk")


@dataclass
class World:
    open_request: int
    claimed_request: int
    scheduled_session: int
    past_session: int
    done_session: int
    cancelled_request: int
    dave: int
    slot: int
    move: int


def _world(slack: SlackHarness) -> World:
    ctx = slack.ctx
    slack.person(ADMIN, admin=True)
    alice = slack.person(ALICE).id
    slack.person(ERIN)
    bob = slack.seed_mentor(BOB, ["python"]).id
    carol = slack.seed_mentor(CAROL, ["python"]).id
    dave = slack.seed_mentor(DAVE, ["go"], approve=False).id

    def d(title: str, start: str, end: str) -> Any:
        return draft(
            title,
            available_from=datetime.fromisoformat(start).date(),
            available_until=datetime.fromisoformat(end).date(),
        )

    done = submit_request(ctx, alice, d("Done one", "2026-03-03", "2026-03-04"))
    claim_request(ctx, bob, done.id)
    done_session = schedule_session(ctx, bob, done.id, available_slots(ctx, bob, done.id)[0])
    past = submit_request(ctx, alice, d("Past one", "2026-03-03", "2026-03-04"))
    claim_request(ctx, carol, past.id)
    past_session = schedule_session(ctx, carol, past.id, available_slots(ctx, carol, past.id)[0])
    slack.clock.set(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    record_outcome(ctx, bob, done_session.id, Outcome.COMPLETED)

    open_ = submit_request(ctx, alice, d("Open one", "2026-03-05", "2026-03-12"))
    claimed = submit_request(ctx, alice, d("Claimed one", "2026-03-05", "2026-03-12"))
    claim_request(ctx, bob, claimed.id)
    scheduled = submit_request(ctx, alice, d("Booked one", "2026-03-05", "2026-03-12"))
    claim_request(ctx, bob, scheduled.id)
    slots = available_slots(ctx, bob, scheduled.id)
    session = schedule_session(ctx, bob, scheduled.id, slots[0])
    cancelled = submit_request(ctx, alice, d("Cancelled one", "2026-03-05", "2026-03-12"))
    cancel_request(ctx, alice, cancelled.id)
    return World(
        open_request=open_.id,
        claimed_request=claimed.id,
        scheduled_session=session.id,
        past_session=past_session.id,
        done_session=done_session.id,
        cancelled_request=cancelled.id,
        dave=dave,
        slot=int(available_slots(ctx, bob, claimed.id)[0].timestamp()),
        move=int(slots[3].timestamp()),
    )


def _buttons(w: World) -> dict[tuple[str, str], set[str]]:
    """(action id, value) of every button, with who may press it (not pressed here)."""
    return {
        ("a:claim:0", f"{w.open_request}"): {"approved mentor", "claiming mentor"},
        ("a:slots:0", f"{w.claimed_request}"): {"student", "claiming mentor"},
        ("a:release:0", f"{w.claimed_request}"): {"claiming mentor", "admin"},
        ("a:reschedule:0", f"{w.scheduled_session}"): {"student", "claiming mentor"},
        ("a:cancel:0", f"{w.open_request}"): {"student", "admin"},
        ("a:cancel_session:0", f"{w.scheduled_session}"): {"student", "claiming mentor", "admin"},
        ("a:extend:0", f"{w.open_request}"): {"student"},
        ("a:edit:0", f"{w.open_request}"): {"student"},
        ("a:repost:0", f"{w.cancelled_request}"): {"student"},
        ("a:outcome:0", f"{w.past_session}:completed"): {"student", "approved mentor", "admin"},
        ("a:outcome:1", f"{w.past_session}:student_no_show"): {"approved mentor", "admin"},
        ("a:rate:4", f"{w.done_session}:5"): {"student"},
        ("a:notes:0", f"{w.done_session}"): {"claiming mentor"},
        ("a:approve:0", f"{w.dave}"): {"admin"},
        ("a:reject:1", f"{w.dave}"): {"admin"},
        ("s:0", f"{w.claimed_request}:{w.slot}"): {"claiming mentor"},
        ("r:0", f"{w.scheduled_session}:{w.move}"): {"student", "claiming mentor"},
    }


FORGED = [
    ("x", ""),
    ("a:", "1"),
    ("a:claim", ""),
    ("a:claim:0", "abc"),
    ("a:claim:0", "99999999999999999999999999"),
    ("a:claim:0", "999999"),
    ("a:nuke:0", "1"),
    ("a:outcome:0", "1:bogus"),
    ("a:outcome:0", "1"),
    ("a:rate:0", "1:9"),
    ("a:rate:0", "1"),
    ("a:approve:0", "-1"),
    ("a:edit:0", "99999999999999999999999"),
    ("s:0", "1"),
    ("s:0", "x:y"),
    ("s:0", "1:99999999999999999999"),
    ("s:0", "1:-5"),
    ("r:0", "1:2:3"),
    ("a:claim:0", ":".join(str(i) for i in range(40))),
]


def _no_leak(answer: Answer, label: str) -> None:
    for call in answer.calls:
        for text in call.shown_texts():
            assert not any(leak in text for leak in LEAKS), f"{label}: {text!r}"


async def _press_and_check(
    slack: SlackHarness, user: str, action_id: str, value: str, label: str
) -> None:
    before = slack.snapshot()
    answer = await slack.press(user, action_id, value)
    after = slack.snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"{label} pressing {action_id}={value!r} changed {changed}"
    assert answer.status == 200, f"{label} {action_id}: HTTP {answer.status}"
    told = answer.to_user(user)
    assert told and all(c.text.strip() for c in told), (
        f"{label} pressing {action_id}={value!r} got no answer: {[c.method for c in answer.calls]}"
    )
    _no_leak(answer, label)
    others = {
        c.channel for c in answer.calls if c.method == "chat.postMessage" and c.channel != user
    } | {c.user for c in answer.calls if c.method == "chat.postEphemeral" and c.user != user}
    assert not others, f"{label} pressing {action_id}: wrote to {others}"


@pytest.mark.parametrize("actor", list(ACTORS))
async def test_every_button_pressed_by_someone_who_may_not(slack: SlackHarness, actor: str) -> None:
    world = _world(slack)
    user = ACTORS[actor]
    pressed = 0
    for (action_id, value), allowed in _buttons(world).items():
        if actor in allowed:
            continue
        await _press_and_check(slack, user, action_id, value, actor)
        pressed += 1
    assert pressed >= 6
    assert slack.scalar("SELECT count(*) FROM members WHERE is_admin") == 1


async def test_forged_and_stale_values_get_plain_answers(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    world = _world(slack)
    caplog.set_level(logging.WARNING)
    for action_id, value in FORGED:
        for user in (STRANGER, ALICE, BOB, ADMIN):
            await _press_and_check(slack, user, action_id, value, user)

    # stale: a card for a request cancelled after it was posted; a slot already booked
    late = submit_request(
        slack.ctx,
        slack.member(ALICE).id,
        draft(
            "Soon gone",
            available_from=datetime(2026, 3, 5).date(),
            available_until=datetime(2026, 3, 12).date(),
        ),
    )
    await slack.deliver()
    cancel_request(slack.ctx, slack.member(ALICE).id, late.id)
    before = slack.snapshot()
    stale = await slack.press(CAROL, "a:claim:0", str(late.id), channel=CHANNEL)
    assert stale.to_user(CAROL) and slack.snapshot() == before
    value = f"{world.claimed_request}:{world.slot}"
    booked = await slack.press(BOB, "s:0", value)
    assert "Booked for" in booked.text_to(BOB)
    before = slack.snapshot()
    again = await slack.press(BOB, "s:0", value)
    assert again.to_user(BOB) and slack.snapshot() == before
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


async def test_buttons_that_change_nothing_change_nothing(slack: SlackHarness) -> None:
    """Home buttons open a modal, link buttons only ack, the form's type select redraws
    the modal: for anyone, forged or not, the database stays as it was."""
    _world(slack)
    form_view = {"id": "V7", "hash": "h", "callback_id": "request_form", "blocks": []}
    for user in (STRANGER, ALICE, DAVE):
        before = slack.snapshot()
        for action_id in ("home:new", "home:availability", "home:zz", "link:0"):
            answer = await slack.press(user, action_id, "1")
            assert answer.status == 200
            _no_leak(answer, user)
        typed = await slack.press(user, "form:type", "x", view=form_view)
        assert typed.status == 200
        assert slack.snapshot() == before


def _views(w: World) -> list[tuple[str, dict[str, Any], dict[str, Any], set[str]]]:
    """(callback id, private metadata, values, who may submit it)."""
    return [
        (
            "request_form",
            {"key": "k1", "edit": w.open_request},
            {
                "session_type": "career-guidance",
                "title": "Taken over",
                "description": "Somebody else's request, rewritten.",
                "duration_minutes": "30",
                "urgency": "low",
                "available_from": "2026-03-05",
                "available_until": "2026-03-12",
            },
            {"student"},
        ),
        ("feedback_form", {"session": w.done_session}, {"feedback": "Forged praise"}, {"student"}),
        (
            "notes_form",
            {"session": w.done_session},
            {"mentor_notes": "forged notes", "duration_minutes": "50"},
            {"claiming mentor"},
        ),
        (
            "availability_form",
            {},
            {"weekday": "Monday", "start": "09:00", "end": "10:00"},
            # core lets an applicant set their own windows before approval
            {"unapproved mentor", "approved mentor", "claiming mentor"},
        ),
    ]


def _view(callback: str, meta: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    blocks = []
    for block_id, value in values.items():
        kind = "plain_text_input"
        if block_id in ("session_type", "urgency", "weekday"):
            kind = "static_select"
        elif block_id == "duration_minutes" and callback == "request_form":
            kind = "radio_buttons"
        elif block_id.startswith("available_"):
            kind = "datepicker"
        elif block_id in ("start", "end"):
            kind = "timepicker"
        element: dict[str, Any] = {"type": kind, "action_id": "v"}
        if kind == "static_select":
            element["options"] = [{"text": {"type": "plain_text", "text": value}, "value": value}]
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "label": {"type": "plain_text", "text": "x"},
                "element": element,
            }
        )
    return {
        "id": "V9",
        "callback_id": callback,
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


@pytest.mark.parametrize("actor", list(ACTORS))
async def test_every_view_submitted_by_someone_who_may_not(slack: SlackHarness, actor: str) -> None:
    world = _world(slack)
    user = ACTORS[actor]
    for callback, meta, values, allowed in _views(world):
        if actor in allowed:
            continue
        before = slack.snapshot()
        answer = await slack.submit(user, _view(callback, meta, values), values)
        assert answer.status == 200, answer.body
        changed = [n for n in before if before[n] != slack.snapshot()[n]]
        assert not changed, f"{actor} submitting {callback} changed {changed}"
        refused = answer.json.get("response_action") == "errors" and answer.json.get("errors")
        assert refused or answer.to_user(user), f"{actor} {callback}: no answer {answer.body!r}"
        _no_leak(answer, actor)
        assert "Traceback" not in answer.body
