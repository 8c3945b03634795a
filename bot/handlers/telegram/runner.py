"""``mentorbot telegram``: long polling (default) or a webhook with a secret token, with
the scheduled-work loop on the same event loop."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from telegram import BotCommand, Update
from telegram.ext import Application

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.telegram.commands import BOT_COMMANDS
from bot.handlers.telegram.sender import TelegramSender
from bot.logging_setup import install_redaction
from bot.worker import (
    start_scheduler,
    stop_scheduler,
)


def run_telegram(
    settings: Settings,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
) -> None:
    if settings.telegram_token is None:
        raise SystemExit("Set MENTORBOT_TELEGRAM_TOKEN (from @BotFather) to run on Telegram.")
    token = settings.telegram_token.get_secret_value()
    secret = (
        settings.telegram_webhook_secret.get_secret_value()
        if settings.telegram_webhook_secret
        else None
    )
    if webhook_url and not secret:
        raise SystemExit(
            "A webhook needs MENTORBOT_TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -)."
        )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # every tick
    install_redaction(token, secret or "")
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
    if webhook_url:
        application.run_webhook(
            listen=listen,
            port=port,
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
