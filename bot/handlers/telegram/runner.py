"""``mentorbot telegram``: long polling (default) or a webhook with a secret token, with
the scheduled-work loop on the same event loop unless ``--no-worker`` (``mentorbot
worker`` then does it); health and metrics on their own port; a graceful stop on
SIGTERM or SIGINT (``bot.ops.shutdown``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlparse

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot, Update
from telegram.ext import Application

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.config_check import ConfigurationError
from bot.handlers.telegram.bot_profile import sync_profile
from bot.handlers.telegram.sender import TelegramSender
from bot.handlers.telegram.webhook import start_webhook_site
from bot.logging_setup import configure_logging, install_redaction
from bot.ops.gc_tuning import tune_gc_for_serving
from bot.ops.health_server import start_health_server
from bot.ops.metrics import process_metrics
from bot.ops.shutdown import Shutdown
from bot.worker import start_scheduler, stop_scheduler
from bot.worker_process import watch
from core.delivery.engine import DeliveryEngine

logger = logging.getLogger(__name__)


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
    *,
    worker: bool = True,
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
    configure_logging(log_format=settings.log_format)
    install_redaction(token, secret or "")
    # a rejected token is one line at the CLI (bot.cli_errors), not PTB's logged traceback
    asyncio.run(check_token(token, settings.telegram_api_url))
    asyncio.run(serve_telegram(settings, webhook_url, secret, listen, port, worker=worker))


async def serve_telegram(
    settings: Settings,
    webhook_url: str | None,
    secret: str | None,
    listen: str,
    port: int,
    *,
    worker: bool = True,
) -> None:
    """Run until SIGTERM or SIGINT, then stop in order: take no new updates (stop polling,
    or close the webhook's socket), let the handlers in flight and the delivery under way
    finish (the rest of a leased batch goes back at once), close the database."""
    shutdown = Shutdown()
    shutdown.install()
    app = build_runtime(settings)
    application = app.telegram_application()
    tune_gc_for_serving()
    health = await start_health_server(
        process_metrics(), watch(app), settings.metrics_host, settings.metrics_port
    )
    engine = app.delivery([TelegramSender(application.bot, app.store)]) if worker else None
    scheduler = None
    site = None
    await application.initialize()
    try:
        await sync_profile(application.bot, settings, app.store)  # menus, descriptions
        if engine is not None:
            scheduler = start_scheduler(app.ctx, engine, settings.tick_seconds, app.store)
        await application.start()
        if webhook_url and secret:
            site = await start_webhook_site(
                application,
                listen=listen,
                port=port,
                path=urlparse(webhook_url).path,
                secret=secret,
                max_body=settings.max_body_bytes,
            )
            await application.bot.set_webhook(
                webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            logger.info("Telegram long polling started")
        await shutdown.wait()
        # no new updates: the webhook's socket closes (Telegram retries elsewhere or
        # later), polling stops after its current request
        if site is not None:
            await site.cleanup()
        elif application.updater is not None and application.updater.running:
            await application.updater.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                _finish(application, scheduler, engine, settings.shutdown_seconds),
                settings.shutdown_seconds,
            )
    finally:
        if application.running:
            with contextlib.suppress(Exception):
                await application.stop()
        await application.shutdown()
        if health is not None:
            await health.cleanup()
        app.close()
        shutdown.uninstall()
    logger.info("Telegram runner stopped")


async def _finish(
    application: Application,  # type: ignore[type-arg]
    scheduler: AsyncIOScheduler | None,
    engine: DeliveryEngine | None,
    seconds: float,
) -> None:
    """Handlers in flight finish (``Application.stop`` waits for them) while the delivery
    under way ends and hands back its leases."""
    stopping = [application.stop()]
    if scheduler is not None:
        stopping.append(stop_scheduler(scheduler, seconds, engine))
    await asyncio.gather(*stopping)
