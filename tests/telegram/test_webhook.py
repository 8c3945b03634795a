"""Webhook mode: the secret token is required and checked (403, 403, 200)."""

from __future__ import annotations

import asyncio

from tests.telegram.harness import ALICE, SECRET, BotHarness


async def test_webhook_is_registered_with_the_secret(tg_webhook: BotHarness) -> None:
    calls = tg_webhook.fake.method_calls("setWebhook")
    assert len(calls) == 1
    assert calls[0].params["url"] == tg_webhook.webhook_url
    assert calls[0].params["secret_token"] == SECRET
    assert tg_webhook.fake.method_calls("getUpdates") == []  # no polling in webhook mode


async def test_missing_and_wrong_secret_get_403_the_right_one_200(tg_webhook: BotHarness) -> None:
    tg = tg_webhook
    fake = tg.fake
    start = fake.message_update(ALICE, "/start")
    since = len(fake.calls)

    missing = await fake.post_to_webhook(start, url=tg.webhook_url, omit_secret=True)
    wrong = await fake.post_to_webhook(start, url=tg.webhook_url, secret="not-the-secret")
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    assert (missing, wrong) == (403, 403)
    assert fake.calls[since:] == []  # neither reached a handler
    assert tg.scalar("SELECT count(*) FROM members") == 0

    right = await fake.post_to_webhook(start, url=tg.webhook_url)
    await asyncio.wait_for(tg.application.update_queue.join(), 15)
    assert right == 200
    replies = fake.calls_to(ALICE.id, since)
    assert len(replies) == 1 and "Which time zone" in replies[0].text
    assert tg.scalar("SELECT count(*) FROM members") == 1

    # the whole product works the same way over the webhook
    chosen = await tg.press(ALICE, "tz:Europe/Berlin")
    assert chosen.answer == "Time zone: Europe/Berlin"
