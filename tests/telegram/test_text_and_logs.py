"""User text is shown as typed (no parse mode, never over 4096 characters) and the bot
token never reaches the logs, even at DEBUG with httpx logging every request URL."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import install_redaction
from tests.support.fake_telegram import TEXT_LIMIT, FakeTelegram, User
from tests.telegram.harness import (
    ALICE,
    BOB,
    GROUP,
    TOKEN,
    BotHarness,
    fill_request,
    register,
)

NASTY = '<b>Bold</b> & "quotes" <script>alert(1)</script> &amp; <a href="x">'


def _all_bot_texts(fake: FakeTelegram) -> list[tuple[str, dict]]:
    return [
        (c.text, c.params)
        for c in fake.calls
        if c.method in ("sendMessage", "editMessageText") and c.ok
    ]


async def test_markup_characters_and_very_long_text_are_rendered_safely(tg: BotHarness) -> None:
    eve = User(2003, "<Eve & co>", "</b>")
    welcome = await tg.send(eve, "/start")
    assert "Welcome, <Eve & co> </b>!" in welcome.text

    await register(tg, ALICE, "America/Los_Angeles")
    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Career guidance"))
    await tg.send(ALICE, NASTY[:190])
    huge = ("<i>&lt; 4000+ characters & more</i> " * 130)[:4200]
    refused = await tg.send(ALICE, huge)
    assert len(refused.replies) == 1 and "description" in refused.text.lower()
    assert "3000" in refused.text and len(refused.text) < 1000  # the text is not echoed
    long_ok = ("<&> " * 750)[:3000]
    step = await tg.send(ALICE, long_ok)
    assert "How long" in step.text

    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await tg.send(ALICE, "/cancel")

    # a personal reference: title, description, organization and message at their maxima
    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Personal reference"))
    await tg.send(ALICE, NASTY[:190])
    await tg.send(ALICE, long_ok)
    await tg.send(ALICE, "<Org> & Co " * 18)
    duration = await tg.send(ALICE, ("Dear referee & <friends>, " * 80)[:2000])
    assert "How long" in duration.text
    step = await tg.press(ALICE, duration.button("30 min"))
    step = await tg.press(ALICE, step.button("Low"))
    step = await tg.send(ALICE, "tomorrow")
    step = await tg.send(ALICE, "+5")
    step = await tg.press(ALICE, step.button("Done"))  # her hours: the default ones
    step = await tg.press(ALICE, step.button("Done"))  # no tags
    if "particular mentor" in step.text:
        step = await tg.press(ALICE, step.button("No preference"))
    preview = step.replies[-1]
    # over 4096 characters in all: several messages, nothing cut, the buttons on the last
    assert len(step.replies) >= 2 and preview.text.endswith("Submit it?")
    assert all(len(c.text) <= TEXT_LIMIT for c in step.replies)
    assert NASTY[:190] in step.text  # shown exactly as typed
    submit = [d for d in preview.callback_data if d.endswith(":submit")]
    done = await tg.press(ALICE, submit[0])
    assert "submitted" in done.text

    tg.fake.add_group(GROUP)
    await tg.deliver()
    card = tg.fake.calls_to(GROUP)
    assert all(len(c.text) <= TEXT_LIMIT for c in card)
    assert NASTY[:190] in "\n".join(c.text for c in card)
    mine = await tg.send(ALICE, "/my")
    assert NASTY[:100] in mine.text

    texts = _all_bot_texts(tg.fake)
    assert texts and all(p.get("parse_mode") is None for _, p in texts)  # plain text only
    assert max(len(t) for t, _ in texts) <= TEXT_LIMIT
    assert not tg.fake.violations


async def test_debug_logs_never_contain_the_token(
    tg: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction(TOKEN)
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram", "apscheduler", "core", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)  # as verbose as it gets

    await register(tg, ALICE, "America/Los_Angeles")
    preview = await fill_request(tg, ALICE)
    await tg.press(ALICE, preview.button("Submit"))
    tg.fake.add_group(GROUP)
    tg.fake.fail("sendMessage", GROUP, status=429, retry_after=1)
    await tg.deliver()
    tg.fake.fail("getUpdates", status=502, description="Bad Gateway")
    tg.fake.fail("sendMessage", ALICE.id, status=500, description="Internal Server Error")
    failed = await tg.send(ALICE, "/my")  # the reply fails: the error handler logs it
    assert [c.status for c in failed.replies] == [500, 200]
    assert failed.replies[1].text.startswith("Sorry, something went wrong on our side.")
    await tg.send(ALICE, "/limits")
    assert not any("Traceback" in c.text for c in tg.fake.calls)  # none reached a chat

    text = caplog.text  # formatted, with tracebacks
    secret_part = TOKEN.split(":", 1)[1]
    assert TOKEN not in text and secret_part not in text
    for record in caplog.records:
        assert secret_part not in record.getMessage()
    requests = [r for r in caplog.records if r.name.startswith("httpx")]
    assert requests, "httpx logged nothing: the test would prove nothing"
    assert any("[redacted]" in r.getMessage() for r in requests)
    assert any(r.levelno >= logging.ERROR for r in caplog.records)  # the failures were logged
