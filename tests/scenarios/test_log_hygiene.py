"""No user text and no secret in the logs at INFO or above, on every front-end (issue
12, item 10).

A marker string goes into every text field a person fills in (request title,
description and typed tags, a mentor application, a cancellation reason, feedback, free
text the bot does not understand, an unknown command's arguments); the whole journey
runs on Telegram, Slack and the console; nothing logged at INFO or above may contain a
marker, a bot token or the signing secret.
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.log_context import ContextFilter
from bot.logging_setup import JsonLines, command_word, install_redaction, scrub_bolt
from tests.scenarios.driver import BOOK, Driver, RequestSpec
from tests.scenarios.people import ALICE, BOB, DAVE
from tests.scenarios.story import cast
from tests.slack.harness import SECRET as SLACK_SECRET
from tests.slack.harness import TOKEN as SLACK_TOKEN
from tests.telegram.harness import TOKEN as TELEGRAM_TOKEN

MARK = "QZV-logmark"


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
        for r in caplog.records
        if r.levelno >= logging.INFO
    )


async def test_no_marker_and_no_secret_in_logs_at_info(
    driver: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(ContextFilter())  # as the runners' handler: ids at emit time
    install_redaction(TELEGRAM_TOKEN, SLACK_TOKEN, SLACK_SECRET)  # as the runners do
    d = driver
    await cast(d)
    spec = RequestSpec(title=f"Title {MARK}-1", description=f"Description {MARK}-2 here")
    request = str(await d.submit_request(ALICE, spec))
    await d.press_shown(BOB, "claim", (request,))
    await d.pick_first(BOB, BOOK)
    session = str(d.scalar("SELECT id FROM mentorship_sessions"))
    await d.cancel_session(ALICE, session, f"Reason {MARK}-3")
    await d.apply_to_mentor(DAVE, (f"Domain {MARK}-4", "4", f"Bio {MARK}-5", "python"))
    await d.type(ALICE, f"free text {MARK}-6")
    await d.type(ALICE, f"/nosuchcommand {MARK}-7")
    await d.type(ALICE, f"/claim {MARK}-8")
    logged = _logged(caplog)
    assert MARK not in logged
    for secret in (TELEGRAM_TOKEN, TELEGRAM_TOKEN.split(":", 1)[1], SLACK_TOKEN, SLACK_SECRET):
        assert secret not in logged
    # MENTORBOT_LOG_FORMAT=json: the same records as JSON lines, with the update and
    # person ids the front-ends bound; each parses, and none carries a marker
    formatter = JsonLines()
    as_json = [formatter.format(r) for r in caplog.records if r.levelno >= logging.INFO]
    assert MARK not in "\n".join(as_json)
    records = [json.loads(line) for line in as_json]
    assert all({"time", "level", "logger", "event"} <= set(r) for r in records)


def test_a_failed_console_command_is_logged_by_name_only() -> None:
    assert command_word(f"/request {MARK}") == "/request"
    assert command_word(f"{MARK} typed") == "(free text)"
    assert command_word(f"/{MARK}/x") == "(free text)"


def test_bolt_messages_lose_the_bodies_they_quote() -> None:
    bad = f"Invalid request signature detected (signature: v0=1, timestamp: 1, body: text={MARK})"
    assert MARK not in scrub_bolt(bad)
    assert MARK not in scrub_bolt(f"Request body: {{'text': '{MARK}'}}")
    assert MARK not in scrub_bolt(f"{{'text': '{MARK}'}}")


async def test_a_console_command_that_fails_logs_its_name_not_the_line(
    database_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console used to log the typed line (``%r`` of the text) when a command failed."""
    from bot.handlers.console.session import COMMANDS
    from tests.scenarios.conftest import start_driver

    def broken(*args: object) -> None:
        raise RuntimeError("the database went away")

    caplog.set_level(logging.INFO)
    d = await start_driver("console", database_url)
    try:
        await d.register(ALICE)
        monkeypatch.setitem(COMMANDS, "my", broken)
        said = await d.type(ALICE, f"/my {MARK}-9")
    finally:
        await d.stop()
    assert "something went wrong" in said
    failed = [r for r in caplog.records if "console command" in r.getMessage()]
    assert len(failed) == 1 and "/my" in failed[0].getMessage()
    assert MARK not in _logged(caplog)
