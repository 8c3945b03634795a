"""Issue 12, defect 8 on Slack: one ``channel_not_found`` used to make a single attempt,
then mark the request card SKIPPED ("recipient unreachable"), with no retry, no word to an
admin and no log line, while the student read "Mentors have been told." Now the card is
retried with backoff, the admin gets one DM saying what is wrong and how to fix it, and
the student is told the truth."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web

from tests.slack.harness import (
    ADMIN,
    ALICE,
    BOB,
    CHANNEL,
    ERIN,
    FORM_VALUES,
    NAMES,
    ZONES,
    SlackHarness,
)
from tests.support.fake_slack import Call, FakeSlack

PROBLEM = "Request cards cannot be posted"


class RefusingChannel(FakeSlack):
    """The mentors' channel answers ``error`` to every post while ``error`` is set."""

    error: str | None = None

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "chat.postMessage" and self.error is not None:
            args = await self._args(request)
            if args.get("channel") == CHANNEL and not args.get("thread_ts"):
                self.calls.append(Call(method, args, request.method, 200))
                return web.json_response({"ok": False, "error": self.error})
        return await super().handle(request)


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlack]:
    server = RefusingChannel(ZONES)
    server.names.update(NAMES)
    await server.start()
    yield server
    await server.close()


async def _submit(slack: SlackHarness, user: str, title: str) -> str:
    opened = await slack.command(user)
    [view] = [c.view for c in opened.of("views.open")]
    done = await slack.submit(user, view, FORM_VALUES | {"title": title})
    assert done.status == 200 and done.form_saved, done.body
    return [c.text for c in slack.fake.named("chat.postMessage") if c.channel == user][-1]


def _to_channel(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and c.channel == CHANNEL]


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
async def test_a_failing_mentors_channel_is_retried_and_one_admin_is_told(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    caplog.set_level(logging.INFO)
    fake: Any = slack.fake
    fake.error = error
    slack.person(ADMIN, admin=True)
    slack.seed_mentor(BOB, ["python"])

    said = await _submit(slack, ALICE, "Moving from QA to backend")
    assert "Mentors will be told in a moment." in said, said
    _, calls = await slack.deliver()
    assert len(_to_channel(calls)) == 1
    posted = "SELECT status FROM notifications WHERE kind = 'request_posted'"
    assert slack.scalar(posted) == "PENDING"  # waiting for a retry, not SKIPPED

    said = await _submit(slack, ERIN, "Another request")
    assert "Mentors cannot be told just yet" in said, said

    tries = 0
    for _ in range(4):
        slack.clock.advance(timedelta(hours=1))
        _, calls = await slack.deliver()
        tries += len(_to_channel(calls))
    assert tries >= 4  # retried, with backoff
    to_admin = [c.text for c in slack.fake.named("chat.postMessage") if c.channel == ADMIN]
    problem = [t for t in to_admin if PROBLEM in t]
    assert len(problem) == 1, to_admin
    assert CHANNEL in problem[0] and "To fix it" in problem[0]

    fake.error = None  # fixed
    slack.clock.advance(timedelta(hours=1))
    _, calls = await slack.deliver()
    slack.clock.advance(timedelta(hours=1))
    _, more = await slack.deliver()
    cards = [c.text for c in _to_channel(calls + more)]
    assert len([c for c in cards if "Moving from QA to backend" in c]) == 1, cards
    assert len([c for c in cards if "Another request" in c]) == 1, cards

    failed = [r.getMessage() for r in caplog.records if "send failed" in r.getMessage()]
    assert failed and all("platform=slack" in m and f"reason={error}" in m for m in failed)
    assert not [r for r in caplog.records if "Moving from QA" in r.getMessage()]
