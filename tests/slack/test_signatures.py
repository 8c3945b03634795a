"""Signed requests over real HTTP: valid 200, every kind of bad signature 401 (never a
500), a replay has no second effect, and a slow listener still acks in time."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlencode

import pytest

import bot.conversation.actions.claims as actions_module
from tests.slack.harness import (
    ALICE,
    BOB,
    CHANNEL,
    SECRET,
    SlackHarness,
    draft,
    sign,
    signed_headers,
)

FORM = "application/x-www-form-urlencoded"


def _bad_cases(body: bytes) -> dict[str, tuple[bytes, dict[str, str]]]:
    now = str(int(time.time()))
    good = signed_headers(body, FORM)
    changed = bytearray(body)
    changed[len(changed) // 2] ^= 0x01
    old = str(int(time.time()) - 301)
    future = str(int(time.time()) + 301)
    # a correctly signed body that is not UTF-8 is malformed, not forged: 400, in
    # test_http_faults.py with the other malformed bodies
    return {
        "wrong secret": (body, signed_headers(body, FORM, secret="not-" + SECRET)),
        "one byte changed": (bytes(changed), good),
        "301 s old": (
            body,
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": old,
                "X-Slack-Signature": sign(body, old),
            },
        ),
        "301 s in the future": (
            body,
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": future,
                "X-Slack-Signature": sign(body, future),
            },
        ),
        "headers missing": (body, {"Content-Type": FORM}),
        "signature missing": (body, {"Content-Type": FORM, "X-Slack-Request-Timestamp": now}),
        "timestamp missing": (body, {"Content-Type": FORM, "X-Slack-Signature": sign(body, now)}),
        "non-numeric timestamp": (
            body,
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": "soon",
                "X-Slack-Signature": sign(body, "soon"),
            },
        ),
    }


async def test_signature_matrix(slack: SlackHarness) -> None:
    body = urlencode(slack.command_fields(ALICE)).encode()
    for name in _bad_cases(body):
        # built again for each case: a timestamp made before the earlier cases ran would
        # be a little less than 301 s off by the time it is sent
        raw, headers = _bad_cases(body)[name]
        answer = await slack.post_raw(raw, headers)
        assert answer.status == 401, f"{name}: {answer.status} {answer.body}"
        assert not answer.calls, f"{name}: the app acted: {[c.method for c in answer.calls]}"
    assert slack.scalar("SELECT count(*) FROM members") == 0

    valid = await slack.post_raw(body, signed_headers(body, FORM))
    assert valid.status == 200
    assert len(valid.of("views.open")) == 1

    # the same request again (Slack retried, or someone replays a captured request within
    # the 5 minutes): a fresh, valid signature, and still no second modal
    replay = await slack.post_raw(body, signed_headers(body, FORM) | {"X-Slack-Retry-Num": "1"})
    assert replay.status == 200
    assert not replay.of("views.open")
    again = await slack.post_raw(body, signed_headers(body, FORM))
    assert again.status == 200 and not again.of("views.open")


async def test_replayed_claim_and_event_have_no_second_effect(slack: SlackHarness) -> None:
    from core.services.requests import submit_request

    slack.seed_mentor(BOB, ["python"])
    alice = slack.person(ALICE)
    request = submit_request(slack.ctx, alice.id, draft())
    await slack.deliver()
    payload: dict[str, Any] = slack.action_payload(
        BOB, "a:claim:0", str(request.id), channel=CHANNEL
    )
    first = await slack.post_payload(payload)
    assert first.status == 200 and first.to_user(BOB)
    events = slack.scalar("SELECT count(*) FROM transition_events")
    second = await slack.post_payload(payload)
    assert second.status == 200
    assert second.calls == [], [c.method for c in second.calls]
    assert slack.scalar("SELECT count(*) FROM transition_events") == events

    # an event delivered twice (same event_id, the second with X-Slack-Retry-Num)
    body_event = {"type": "app_home_opened", "tab": "home", "channel": "D1", "user": ALICE}
    import json

    raw = json.dumps(
        {"team_id": "T1", "type": "event_callback", "event_id": "EvSAME", "event": body_event}
    ).encode()
    one = await slack.post_raw(raw, signed_headers(raw, "application/json"))
    two = await slack.post_raw(
        raw, signed_headers(raw, "application/json") | {"X-Slack-Retry-Num": "1"}
    )
    assert one.status == two.status == 200
    assert len(one.of("views.publish")) == 1 and not two.of("views.publish")


async def test_a_listener_taking_5_seconds_still_acks_within_3(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.services.requests import submit_request

    slack.seed_mentor(BOB, ["python"])
    request = submit_request(slack.ctx, slack.person(ALICE).id, draft())
    original = actions_module.claim_with_offer

    def slow_claim(*args: Any, **kwargs: Any) -> Any:
        time.sleep(5)
        return original(*args, **kwargs)

    monkeypatch.setattr(actions_module, "claim_with_offer", slow_claim)
    started = time.monotonic()
    answer = await slack.press(BOB, "a:claim:0", str(request.id), channel=CHANNEL, settle=False)
    assert answer.status == 200
    assert answer.seconds < 3.0, answer.seconds
    await slack.settle()
    assert time.monotonic() - started >= 5
    assert slack.scalar("SELECT status FROM mentorship_requests WHERE id = :i", i=request.id) == (
        "CLAIMED"
    )
    await asyncio.sleep(0)
