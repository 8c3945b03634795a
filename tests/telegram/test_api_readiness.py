"""``/readyz`` follows the Bot API (issue 13): a call that gets no answer (nothing
listening) makes the process not ready, with the reason; the next answered call, even a
refusal, makes it ready again."""

from __future__ import annotations

import pytest
from telegram.error import NetworkError

from bot.handlers.telegram.application import tolerant_bot
from bot.ops.api_health import API_HEALTH
from tests.support.fake_telegram import FakeTelegram
from tests.telegram.harness import TOKEN

NOT_READY = "the telegram API did not answer the last call"


async def test_readiness_follows_whether_the_bot_api_answered() -> None:
    fake = await FakeTelegram(TOKEN).start()
    try:
        async with tolerant_bot(TOKEN, fake.url) as bot:  # getMe answered: ready
            API_HEALTH.record("telegram", False)  # as after an earlier unanswered call
            await bot.get_me()
            assert NOT_READY not in API_HEALTH.problems()
            fake.fail("sendMessage", status=403)  # a refusal is an answer: still ready
            with pytest.raises(Exception, match="blocked"):
                await bot.send_message(chat_id=1, text="hello")
            assert NOT_READY not in API_HEALTH.problems()
            await fake.close()  # nothing answers any more
            with pytest.raises(NetworkError):
                await bot.get_me()
            assert NOT_READY in API_HEALTH.problems()
    finally:
        await fake.close()
        API_HEALTH.record("telegram", True)  # other tests start ready
