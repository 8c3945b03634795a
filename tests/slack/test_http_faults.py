"""The Slack HTTP endpoint's fault matrix (issue 12, item 2): malformed JSON (as a body
and as ``payload=``), a body that is not UTF-8, a huge body, no content type, unsigned,
a wrong signature, a stale one, a replay. Every one gets a 4xx (a replay: 200 with no
second effect); none a 500, none a traceback, and no body reaches the logs."""

from __future__ import annotations

import io
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.slack.harness import ALICE, SECRET, SlackHarness, sign, signed_headers

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MARKER = "ZQX-slack-marker-5521"


def _signed_without_type(body: bytes) -> dict[str, str]:
    headers = signed_headers(body, FORM)
    del headers["Content-Type"]
    return headers


def _stale(body: bytes) -> dict[str, str]:
    old = str(int(time.time()) - 600)
    return {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": old,
        "X-Slack-Signature": sign(body, old),
    }


async def test_fault_matrix(slack: SlackHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    command = urlencode(slack.command_fields(ALICE, f"request {MARKER}")).encode()
    brace = f'{{"text": "{MARKER}'.encode()
    payload = b"payload=%7B" + MARKER.encode()
    latin = command + b"&x=caf\xe9" + MARKER.encode()
    huge = command + b"&pad=" + MARKER.encode() * (12 * 1024 * 1024 // len(MARKER))
    cases: dict[str, tuple[bytes, dict[str, str], int]] = {
        "{ as JSON, signed": (brace, signed_headers(brace, JSON), 400),
        "{ as JSON, unsigned": (brace, {"Content-Type": JSON}, 401),
        "payload=%7B, signed": (payload, signed_headers(payload, FORM), 400),
        "payload=%7B, unsigned": (payload, {"Content-Type": FORM}, 401),
        "a JSON list, signed": (b"[1]", signed_headers(b"[1]", JSON), 400),
        "not UTF-8, signed": (latin, signed_headers(latin, FORM), 400),
        "12 MiB, signed": (huge, signed_headers(huge, FORM), 413),
        "12 MiB, unsigned": (huge, {"Content-Type": FORM}, 413),
        "no content type, signed": (command, _signed_without_type(command), 415),
        "unsigned": (command, {"Content-Type": FORM}, 401),
        "wrong signature": (command, signed_headers(command, FORM, secret="x" + SECRET), 401),
        "stale": (command, _stale(command), 401),
    }
    assert slack.http is not None
    for name, (raw, headers, expected) in cases.items():
        async with slack.http.post(slack.url, data=io.BytesIO(raw), headers=headers) as response:
            status = response.status
            await response.read()
        assert status == expected, f"{name}: {status}"
    await slack.settle()
    assert not [c for c in slack.fake.calls if c.method == "views.open"]
    assert slack.scalar("SELECT count(*) FROM members") == 0

    first = await slack.post_raw(command, signed_headers(command, FORM))
    replayed = await slack.post_raw(command, signed_headers(command, FORM))
    assert first.status == replayed.status == 200
    assert len(first.of("views.open")) == 1 and not replayed.of("views.open")

    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, tracebacks
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert MARKER not in logged
    refusals = [r for r in caplog.records if "refused a request" in r.getMessage()]
    assert len(refusals) == len(cases)  # one line each, with the reason and no body
