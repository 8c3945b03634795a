"""Slack wants every answer within 3 seconds; the slow parts come after it.

A slow ``users.info`` (5 s) neither delays the answer to someone's first slash command or
App Home nor keeps the form from opening while its trigger id is valid; a slow database
write does not delay the answer to the form's submission. Field errors and limits are
still answered inline on the form, and a double submit is still one request.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

import bot.handlers.slack.views as views_module
from core.errors import LimitReached
from core.services.requests import submit_request
from tests.slack.harness import (
    ALICE,
    BOB,
    ERIN,
    FORM_VALUES,
    NAMES,
    ZONES,
    SlackHarness,
    draft,
)

SLOW = 5.0
TRIGGER_VALID = 3.0  # seconds Slack accepts a trigger id for views.open
FORM = FORM_VALUES


async def _open_form(slack: SlackHarness, user: str) -> dict[str, Any]:
    answer = await slack.command(user)
    opened = answer.of("views.open")
    assert len(opened) == 1
    return opened[0].view


async def test_slow_users_info_does_not_delay_the_answer_or_the_form(
    slack: SlackHarness,
) -> None:
    slack.seed_mentor(BOB, ["python"])
    slack.fake.delays["users.info"] = SLOW
    started = time.monotonic()
    answer = await slack.command(ALICE, settle=False)
    assert answer.status == 200 and answer.seconds < 3.0, answer.seconds
    opened = await slack.fake.wait_for("views.open", timeout=TRIGGER_VALID)
    assert time.monotonic() - started < TRIGGER_VALID
    assert not slack.fake.named("users.info"), "the form waited for users.info"
    assert opened.view["callback_id"] == "request_form"

    await slack.settle()  # users.info answers; she is registered with her name and zone
    alice = slack.member(ALICE)
    assert (alice.display_name, alice.timezone) == (NAMES[ALICE], ZONES[ALICE])

    submitted = await slack.submit(ALICE, opened.view, FORM)
    assert submitted.status == 200 and submitted.form_saved, submitted.body
    assert submitted.seconds < 3.0
    assert "submitted" in submitted.text_to(ALICE)
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == 1

    # App Home opened for the first time by someone new: answered at once, shown after
    home = await slack.home(ERIN)
    assert home.status == 200 and home.seconds < 3.0
    published = home.of("views.publish")
    assert len(published) == 1 and published[0].args["user_id"] == ERIN
    assert slack.member(ERIN).timezone == ZONES[ERIN]


async def test_the_submission_is_answered_before_the_request_is_written(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.seed_mentor(BOB, ["python"])
    view = await _open_form(slack, ALICE)
    writes: list[float] = []
    original = views_module.submit_noting_feed

    def slow_submit(*args: Any, **kwargs: Any) -> Any:
        writes.append(time.monotonic())
        time.sleep(SLOW)
        return original(*args, **kwargs)

    monkeypatch.setattr(views_module, "submit_noting_feed", slow_submit)

    # a field error is answered inline on the form, at once, and nothing is written
    wrong = await slack.submit(ALICE, view, FORM | {"title": "", "available_until": "2026-03-01"})
    assert wrong.seconds < 3.0
    assert wrong.json["response_action"] == "errors"
    assert set(wrong.json["errors"]) == {"title", "available_until"}
    assert writes == []

    started = time.monotonic()
    good = await slack.post_payload(slack.submission(ALICE, view, FORM), settle=False)
    assert good.seconds < 3.0, good.seconds
    assert writes == [] or writes[0] - started < 1.0  # answered before the write ended
    # the answer keeps the form open, as typed, and says it is being saved
    assert good.status == 200 and good.json["response_action"] == "update", good.body
    shown = json.dumps(good.json["view"], ensure_ascii=False)
    assert "Saving your request" in shown and FORM["title"] in shown
    await slack.settle()
    assert time.monotonic() - started >= SLOW and len(writes) == 1
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == 1
    dm = [c for c in slack.fake.named("chat.postMessage") if c.channel == ALICE]
    assert any("submitted" in c.text for c in dm)
    [saved] = [c for c in slack.fake.named("views.update") if c.args["view_id"] == "V1"]
    assert saved.view["callback_id"] == "request_saved" and "submitted" in json.dumps(saved.view)

    # Submit pressed again on the same form (its submission key): the same request
    monkeypatch.setattr(views_module, "submit_noting_feed", original)
    again = await slack.submit(ALICE, view, FORM)
    assert again.seconds < 3.0 and again.form_saved, again.body
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == 1


async def test_a_double_submit_is_one_request(slack: SlackHarness) -> None:
    view = await _open_form(slack, ALICE)
    first, second = await asyncio.gather(
        slack.submit(ALICE, view, FORM), slack.submit(ALICE, view, FORM)
    )
    assert first.form_saved and second.form_saved, (first.body, second.body)
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == 1
    request_id = slack.scalar("SELECT id FROM mentorship_requests")
    told = [c.text for c in slack.fake.named("chat.postMessage") if c.channel == ALICE]
    assert told == [f"Request #{request_id} submitted. Mentors will be told in a moment."] * 2, told


async def test_a_limit_is_still_shown_on_the_form(slack: SlackHarness) -> None:
    alice = slack.person(ALICE)
    for n in range(20):
        try:
            submit_request(slack.ctx, alice.id, draft(f"Earlier request {n}"))
        except LimitReached:
            break
    else:
        raise AssertionError("no limit was reached")
    count = slack.scalar("SELECT count(*) FROM mentorship_requests")
    view = await _open_form(slack, ALICE)
    refused = await slack.submit(ALICE, view, FORM)
    assert refused.seconds < 3.0 and refused.json["response_action"] == "update"
    # the save refuses it: the form comes back, as typed, with the reason on top
    [again] = refused.of("views.update")
    shown = json.dumps(again.view, ensure_ascii=False)
    assert again.view["callback_id"] == "request_form" and "limit" in shown
    assert "Not saved" in shown and FORM["title"] in shown
    assert "not saved" in refused.text_to(ALICE) and "limit" in refused.text_to(ALICE)
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == count
