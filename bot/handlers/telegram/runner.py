"""``mentorbot telegram``: long polling (default) or a webhook with a secret token, with
the scheduled-work loop on the same event loop."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

from telegram import Bot, BotCommand, Update
from telegram.ext import Application

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.config_check import ConfigurationError
from bot.handlers.telegram.commands import BOT_COMMANDS
from bot.handlers.telegram.sender import TelegramSender
from bot.handlers.telegram.webhook import serve_webhook
from bot.logging_setup import configure_logging, install_redaction
from bot.worker import (
    start_scheduler,
    stop_scheduler,
)


async def check_token(token: str, api_url: str) -> None:
    """Raise ``InvalidToken`` now if Telegram rejects the token: inside ``run_polling``
    PTB would log it with a traceback first."""
    async with Bot(token, base_url=f"{api_url.rstrip('/')}/bot"):
        pass


def run_telegram(
    settings: Settings,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
) -> None:
    if settings.telegram_token is None:
        raise ConfigurationError(
            ["Set MENTORBOT_TELEGRAM_TOKEN (from @BotFather) to run on Telegram."]
        )
    token = settings.telegram_token.get_secret_value()
    secret = (
        settings.telegram_webhook_secret.get_secret_value()
        if settings.telegram_webhook_secret
        else None
    )
    if webhook_url and not secret:
        raise ConfigurationError(
            ["A webhook needs MENTORBOT_TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)."]
        )
    configure_logging()
    install_redaction(token, secret or "")
    # a rejected token is one line at the CLI (bot.cli_errors), not PTB's logged traceback
    asyncio.run(check_token(token, settings.telegram_api_url))
    app = build_runtime(settings)
    store = app.store
    application = app.telegram_application()
    engine = app.delivery([TelegramSender(application.bot, store)])

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        await application.bot.set_my_commands([BotCommand(n, d) for n, d in BOT_COMMANDS])
        application.bot_data["scheduler"] = start_scheduler(
            app.ctx, engine, settings.tick_seconds, store
        )

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        scheduler = application.bot_data.get("scheduler")
        if scheduler is not None:
            await stop_scheduler(scheduler)
        app.close()

    application.post_init = post_init
    application.post_shutdown = post_shutdown
    if webhook_url and secret:
        # our endpoint, not PTB's run_webhook: see bot.handlers.telegram.webhook
        asyncio.run(
            serve_webhook(
                application,
                listen=listen,
                port=port,
                path=urlparse(webhook_url).path,
                webhook_url=webhook_url,
                secret=secret,
                allowed_updates=Update.ALL_TYPES,
                max_body=settings.max_body_bytes,
            )
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
