"""Input the bot cannot use never stops it (issue 12, items 2 and 10).

- An update python-telegram-bot cannot read, in long polling and over the webhook: the
  bot moves past it (offset / 200), logs one line with ids and the error's class only,
  and handles the updates after it; no fetching the same batch again and again.
- The webhook's fault matrix: malformed JSON, a body that is not UTF-8, a huge body, no
  content type, no secret, a wrong secret, a replayed update: 4xx (or, for a replay,
  200 with no second effect), no traceback, no body in the logs.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from typing import Any

import aiohttp
import pytest

from bot.handlers.telegram.poison import PoisonCount
from tests.support.fake_telegram import FakeTelegram
from tests.telegram.harness import ALICE, ERIN, SECRET, BotHarness

MARKER = "ZQX-poison-marker-7731"


def _poisoned(fake: FakeTelegram) -> dict[str, Any]:
    """A message update whose date is not a number: PTB cannot build a Message from it."""
    update = fake.message_update(ALICE, f"/start {MARKER}")
    update["message"]["date"] = f"yesterday {MARKER}"
    return update


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.levelname} {r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
    )


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


async def test_polling_skips_a_poison_update_once_and_handles_the_next(
    tg: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = tg.fake
    caplog.set_level(logging.INFO)
    before = PoisonCount.skipped
    polls_before = len(fake.method_calls("getUpdates"))
    poison = _poisoned(fake)
    await fake.queue_update(poison)
    await fake.wait_confirmed(poison["update_id"])  # the offset moved past it

    welcome = await tg.send(ERIN, "/start")  # the next update is handled as usual
    assert "Which time zone" in welcome.text
    # the poison was the last of its batch and still confirmed: not fetched again
    await asyncio.sleep(0.3)
    polls = len(fake.method_calls("getUpdates")) - polls_before
    assert polls < 20, f"{polls} getUpdates calls: polling is looping"
    assert PoisonCount.skipped - before == 1

    skipped = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(skipped) == 1
    line = skipped[0].getMessage()
    assert f"update_id={poison['update_id']}" in line and f"user={ALICE.id}" in line
    assert "TypeError" in line
    assert MARKER not in _log_text(caplog)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # nothing was sent to the person whose update was skipped, nobody was registered
    assert fake.calls_to(ALICE.id) == []
    assert tg.scalar("SELECT count(*) FROM members") == 1


async def test_polling_skips_a_poison_update_in_the_middle_of_a_batch(tg: BotHarness) -> None:
    fake = tg.fake
    first = fake.message_update(ERIN, "/start")
    poison = _poisoned(fake)
    after = fake.message_update(ALICE, "/help")
    for update in (first, poison, after):
        await fake.queue_update(update)
    await fake.wait_confirmed(after["update_id"])
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    await asyncio.sleep(0.2)
    assert any("Which time zone" in c.text for c in fake.calls_to(ERIN.id))
    assert fake.calls_to(ALICE.id), "the update after the poison was not handled"


async def test_webhook_answers_a_poison_update_200_and_handles_the_next(
    tg_webhook: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    tg = tg_webhook
    caplog.set_level(logging.INFO)
    before = PoisonCount.skipped
    status = await tg.fake.post_to_webhook(_poisoned(tg.fake), url=tg.webhook_url)
    assert status == 200  # Telegram stops resending it
    assert PoisonCount.skipped - before == 1
    welcome = await tg.send(ERIN, "/start")
    assert "Which time zone" in welcome.text
    skipped = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(skipped) == 1
    assert MARKER not in _log_text(caplog)
    assert not _tracebacks(caplog)


async def _post(
    url: str, body: bytes, headers: dict[str, str], *, chunked: bool = False
) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client:
        if chunked:

            async def pieces() -> Any:
                for start in range(0, len(body), 256 * 1024):
                    yield body[start : start + 256 * 1024]

            data: Any = pieces()
        else:
            data = io.BytesIO(body)
        async with client.post(url, data=data, headers=headers) as response:
            return response.status, await response.text()


async def test_webhook_fault_matrix(
    tg_webhook: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    tg = tg_webhook
    caplog.set_level(logging.INFO)
    good = tg.fake.message_update(ALICE, f"/start {MARKER}")
    body = json.dumps(good).encode()
    json_type = {"Content-Type": "application/json"}
    signed = json_type | {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    huge = json.dumps(tg.fake.message_update(ALICE, MARKER + "x" * (12 * 1024 * 1024))).encode()
    cases: dict[str, tuple[bytes, dict[str, str], bool, int]] = {
        "malformed JSON": (f'{{"update_id": 1, "{MARKER}'.encode(), signed, False, 400),
        "not UTF-8": (body.replace(b"/start", b"/st\xe9rt"), signed, False, 400),
        "a JSON list": (f'["{MARKER}"]'.encode(), signed, False, 400),
        "12 MiB": (huge, signed, False, 413),
        "12 MiB, chunked": (huge, signed, True, 413),
        "no content type": (body, {"X-Telegram-Bot-Api-Secret-Token": SECRET}, False, 415),
        "no secret": (body, json_type, False, 403),
        "wrong secret": (body, json_type | {"X-Telegram-Bot-Api-Secret-Token": "x"}, False, 403),
    }
    for name, (raw, headers, chunked, expected) in cases.items():
        status, _ = await _post(tg.webhook_url, raw, headers, chunked=chunked)
        assert status == expected, f"{name}: {status}"
    assert tg.fake.calls_to(ALICE.id) == []
    assert tg.scalar("SELECT count(*) FROM members") == 0

    # the valid update, then the same one replayed: one effect
    assert (await _post(tg.webhook_url, body, signed))[0] == 200
    assert (await _post(tg.webhook_url, body, signed))[0] == 200
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    assert len([c for c in tg.fake.calls_to(ALICE.id) if c.method == "sendMessage"]) == 1

    assert not _tracebacks(caplog), _tracebacks(caplog)
    assert MARKER not in _log_text(caplog)
