"""Slack is answered before its 3 seconds run out even when the database stalls, and the
work still happens exactly once (issue 12, item 11).

The stall is real: another connection holds the de-duplication row of the very request
being sent (uncommitted, as a stalled process would), so the bot's own insert of that key
waits on the database lock. The answer must come while the lock is still held; when the
other transaction rolls back, the press takes effect once; when it commits (the request
was handled elsewhere), the press has no second effect. A Slack retry of the stalled
request is answered too, and is dropped as a repeat.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import Connection, text

import bot.handlers.slack.views as views_module
from bot.handlers.slack.common import dedup_key
from bot.handlers.slack.socket_mode import TimelySocketModeHandler
from core.errors import DomainError
from db.engine import make_engine
from tests.slack.harness import (
    ALICE,
    BOB,
    CHANNEL,
    FORM_VALUES,
    Answer,
    SlackHarness,
    signed_headers,
)
from tests.slack.test_flows import card_claim_button
from tests.support.fake_slack import walk_texts

SLACK_LIMIT = 3.0
FORM = "application/x-www-form-urlencoded"
HOLDING = "taking longer than usual"


@contextmanager
def holding_key(database_url: str, key: str) -> Iterator[Connection]:
    """A transaction of another connection that has inserted ``key`` and not committed:
    the caller commits or rolls it back (rolled back when it does neither)."""
    engine = make_engine(database_url)
    connection = engine.connect()
    try:
        connection.begin()
        connection.execute(
            text("INSERT INTO idempotency_keys (key, created_at) VALUES (:k, :t)"),
            {"k": key, "t": datetime.now(UTC).replace(tzinfo=None)},
        )
        yield connection
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.close()
        engine.dispose()


async def _card(slack: SlackHarness) -> tuple[str, str, int]:
    slack.seed_mentor(BOB, ["python"])
    opened = await slack.command(ALICE)
    view = opened.of("views.open")[0].view
    submitted = await slack.submit(ALICE, view, FORM_VALUES)
    assert submitted.form_saved, submitted.body
    _, calls = await slack.deliver()
    action_id, value = card_claim_button(calls)
    return action_id, value, int(value)


def _claimed_by(slack: SlackHarness, request_id: int) -> Any:
    return slack.scalar("SELECT claimed_by FROM mentorship_requests WHERE id = :i", i=request_id)


def _seen_by(other: Connection, query: str) -> list[Any]:
    """What the stalled transaction sees (on SQLite, nobody else may read meanwhile)."""
    return [row[0] for row in other.execute(text(query))]


async def _post_while_held(
    slack: SlackHarness, payload: dict[str, Any], retries: int = 0
) -> list[Answer]:
    """Post ``payload`` (and ``retries`` Slack retries of it) without waiting for the
    work to finish."""
    first = slack.post_payload(payload, settle=False)
    answers = [await first]
    for n in range(1, retries + 1):
        answers.append(await slack.post_form_retry(payload, n))
    return answers


async def test_a_press_is_answered_while_its_dedup_row_is_locked_then_acts_once(
    slack: SlackHarness, database_url: str
) -> None:
    action_id, value, request_id = await _card(slack)
    press = slack.action_payload(BOB, action_id, value, channel=CHANNEL)
    key = dedup_key(press)
    assert key is not None
    with holding_key(database_url, key) as other:
        mark, at_once = len(slack.fake.calls), slack.dispatch.at_once_count
        answers = await _post_while_held(slack, press, retries=1)
        # answered (both the press and Slack's retry of it) while the row is still locked:
        # at once, as every press is, not at the deadline
        assert [a.status for a in answers] == [200, 200]
        assert all(a.seconds < SLACK_LIMIT for a in answers), [a.seconds for a in answers]
        assert slack.dispatch.at_once_count - at_once == 2
        assert slack.dispatch.late_count == 0
        assert _seen_by(other, "SELECT claimed_by FROM mentorship_requests") == [None]
        other.rollback()  # the stalled process gives up: the press is ours to handle
    await slack.settle()
    assert _claimed_by(slack, request_id) == slack.member(BOB).id
    assert slack.scalar("SELECT count(*) FROM transition_events WHERE to_status = 'CLAIMED'") == 1
    calls = slack.fake.calls[mark:]
    slot_dms = [c for c in calls if c.method == "chat.postMessage" and c.channel == BOB]
    assert len([c for c in slot_dms if c.buttons()]) == 1, [c.text for c in slot_dms]
    notes = [c.text for c in calls if c.method == "chat.postEphemeral" and c.user == BOB]
    assert notes == [f"You claimed #{request_id}. Pick a time in our private chat."], notes


async def test_a_press_is_answered_at_once_before_its_work_and_a_forged_one_is_not(
    slack: SlackHarness, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack shows nothing of a press's answer, so it goes as soon as the signature is
    checked: here while the press cannot even be de-duplicated, with the deadline pushed
    far off (before, the answer waited for the work or the deadline)."""
    action_id, value, request_id = await _card(slack)
    press = slack.action_payload(BOB, action_id, value, channel=CHANNEL)
    body = urlencode({"payload": json.dumps(press)}).encode()
    forged = await slack.post_raw(body, signed_headers(body, FORM, secret="not-the-secret"))
    assert forged.status == 401 and not forged.calls
    key = dedup_key(press)
    assert key is not None
    slack.dispatch.deadline = 60.0
    with holding_key(database_url, key) as other, caplog.at_level(logging.WARNING):
        answer = await asyncio.wait_for(slack.post_payload(press, settle=False), 20)
        assert answer.status == 200 and answer.body == ""
        assert _seen_by(other, "SELECT claimed_by FROM mentorship_requests") == [None]
        other.rollback()
    await slack.settle()
    assert "not answered within" not in caplog.text
    assert slack.dispatch.late_count == 0
    assert _claimed_by(slack, request_id) == slack.member(BOB).id
    assert slack.scalar("SELECT count(*) FROM transition_events WHERE to_status = 'CLAIMED'") == 1


async def test_a_press_already_handled_elsewhere_has_no_second_effect(
    slack: SlackHarness, database_url: str
) -> None:
    action_id, value, request_id = await _card(slack)
    press = slack.action_payload(BOB, action_id, value, channel=CHANNEL)
    key = dedup_key(press)
    assert key is not None
    with holding_key(database_url, key) as other:
        (answer,) = await _post_while_held(slack, press)
        assert answer.status == 200 and answer.seconds < SLACK_LIMIT
        other.commit()  # another process had it: this delivery is a repeat
    await slack.settle()
    assert _claimed_by(slack, request_id) is None
    assert slack.scalar("SELECT count(*) FROM transition_events WHERE to_status = 'CLAIMED'") == 0


async def test_a_form_stalled_on_its_dedup_row_says_so_then_is_saved_once(
    slack: SlackHarness, database_url: str
) -> None:
    slack.seed_mentor(BOB, ["python"])
    opened = await slack.command(ALICE)
    view = dict(opened.of("views.open")[0].view, id="VFORM")
    payload = slack.submission(ALICE, view, FORM_VALUES)
    key = dedup_key(payload)
    assert key is not None
    with holding_key(database_url, key) as other:
        (answer,) = await _post_while_held(slack, payload)
        assert answer.status == 200 and answer.seconds < SLACK_LIMIT
        assert answer.json["response_action"] == "update"
        shown = "\n".join(walk_texts(answer.json["view"]["blocks"]))
        assert HOLDING in shown and "if it cannot be saved, you will get a message" in shown
        assert _seen_by(other, "SELECT id FROM mentorship_requests") == []
        mark = len(slack.fake.calls)
        other.rollback()
    await slack.settle()
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == 1
    calls = slack.fake.calls[mark:]
    assert any("submitted" in c.text for c in calls if c.channel == ALICE)
    updated = [c for c in calls if c.method == "views.update"]
    # the late "saving" answer, then the saved note, both on the form that was open
    assert [c.args["view_id"] for c in updated] == ["VFORM", "VFORM"]
    assert updated[-1].view["callback_id"] == "request_saved"
    assert "submitted" in "\n".join(walk_texts(updated[-1].view["blocks"]))


def _slow(
    monkeypatch: pytest.MonkeyPatch, name: str, seconds: float, fail: str | None = None
) -> list[int]:
    calls: list[int] = []
    original = getattr(views_module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        calls.append(1)
        if fail is not None:
            raise DomainError(fail)
        return original(*args, **kwargs)

    monkeypatch.setattr(views_module, name, slow)
    return calls


async def _availability_view(slack: SlackHarness) -> dict[str, Any]:
    opened = await slack.press(BOB, "home:availability", "")
    return dict(opened.of("views.open")[0].view, id="VAVAIL")


AVAILABILITY = {"weekday": "Monday", "start": "06:00", "end": "07:00"}


async def test_a_slow_save_inside_the_ack_is_answered_and_shown_when_done(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.seed_mentor(BOB, ["python"])
    view = await _availability_view(slack)
    saved = _slow(monkeypatch, "add_availability", 2.0)
    answer = await slack.post_payload(slack.submission(BOB, view, AVAILABILITY), settle=False)
    assert answer.seconds < SLACK_LIMIT and saved == []  # answered before the save ended
    assert HOLDING in "\n".join(walk_texts(answer.json["view"]["blocks"]))
    mark = len(slack.fake.calls)
    await slack.settle()
    assert saved == [1]
    updated = [c for c in slack.fake.calls[mark:] if c.method == "views.update"]
    assert len(updated) == 1 and updated[0].args["view_id"] == "VAVAIL"
    assert "Added Monday 06:00-07:00." in "\n".join(walk_texts(updated[0].view["blocks"]))
    count = slack.scalar(
        "SELECT count(*) FROM availability_windows WHERE mentor_id = :m AND weekday = 0",
        m=slack.member(BOB).id,
    )
    assert count == 2  # the seeded 08:00-20:00 and the new one, once


async def test_a_slow_refusal_inside_the_ack_is_told_not_lost(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.seed_mentor(BOB, ["python"])
    view = await _availability_view(slack)
    _slow(monkeypatch, "add_availability", 2.0, fail="That window overlaps another one.")
    answer = await slack.post_payload(slack.submission(BOB, view, AVAILABILITY), settle=False)
    assert answer.seconds < SLACK_LIMIT
    mark = len(slack.fake.calls)
    slack.fake.fail_next("views.update", "not_found")  # she closed the window meanwhile
    await slack.settle()
    told = [c.text for c in slack.fake.calls[mark:] if c.channel == BOB]
    assert any("That was not saved" in t and "overlaps another one" in t for t in told), told


async def test_quick_answers_are_not_held(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    view = await _availability_view(slack)
    answers = await asyncio.gather(
        *(
            slack.submit(BOB, view, AVAILABILITY | {"start": f"0{h}:00", "end": f"0{h}:30"})
            for h in range(3)
        )
    )
    assert all(a.json.get("response_action") == "update" for a in answers)
    assert slack.dispatch.late_count == 0
    assert all(HOLDING not in "\n".join(walk_texts(a.json["view"]["blocks"])) for a in answers)


class EnvelopeLog:
    """The part of Slack's Socket Mode client that the handler answers through."""

    def __init__(self) -> None:
        self.logger = logging.getLogger("socket-mode-test")
        self.answered: list[tuple[str, float]] = []

    async def send_socket_mode_response(self, response: Any) -> None:
        self.answered.append((response.envelope_id, time.monotonic()))


async def test_socket_mode_answers_the_envelope_while_the_row_is_locked(
    slack: SlackHarness, database_url: str
) -> None:
    action_id, value, request_id = await _card(slack)
    press = slack.action_payload(BOB, action_id, value, channel=CHANNEL)
    key = dedup_key(press)
    assert key is not None
    handler = TimelySocketModeHandler(slack.app, "xapp-1-test")
    envelopes = EnvelopeLog()
    envelope = SocketModeRequest(type="interactive", envelope_id="env-1", payload=press)
    with holding_key(database_url, key) as other:
        started = time.monotonic()
        await handler.handle(envelopes, envelope)  # type: ignore[arg-type]
        assert [e for e, _ in envelopes.answered] == ["env-1"]
        assert envelopes.answered[0][1] - started < SLACK_LIMIT
        assert _seen_by(other, "SELECT claimed_by FROM mentorship_requests") == [None]
        other.rollback()
    await handler.dispatch.drain()
    await handler.client.close()
    await slack.settle()
    assert _claimed_by(slack, request_id) == slack.member(BOB).id
