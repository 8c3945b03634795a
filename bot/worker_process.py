"""``mentorbot worker``: the scheduled work alone (sweeps and delivery), no chat updates.

A deployment whose front-ends run behind a load balancer (webhooks, Slack HTTP mode, with
``--no-worker``) runs the scheduled work here, scaled on its own: any number of workers
and front-ends share one PostgreSQL (rows are leased with SKIP LOCKED). The worker sends
to every platform it has credentials for; the console needs none (it delivers in its own
process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.logging_setup import configure_logging, install_redaction
from bot.ops.gc_tuning import tune_gc_for_serving
from bot.ops.health_server import Readiness, start_health_server
from bot.ops.metrics import process_metrics
from bot.ops.shutdown import Shutdown
from bot.worker import start_scheduler, stop_scheduler
from core.delivery.ports import Sender
from db.outbox_stats import outbox_stats

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def platform_senders(runtime: Runtime) -> AsyncIterator[list[Sender]]:
    """A sender per platform with credentials, their connections closed at the end."""
    settings = runtime.settings
    senders: list[Sender] = []
    async with contextlib.AsyncExitStack() as stack:
        if settings.telegram_token is not None:
            from bot.handlers.telegram.application import tolerant_bot
            from bot.handlers.telegram.sender import TelegramSender

            bot = tolerant_bot(
                settings.telegram_token.get_secret_value(), settings.telegram_api_url
            )
            await stack.enter_async_context(bot)  # getMe: a rejected token stops here
            senders.append(TelegramSender(bot, runtime.store))
        if settings.slack_bot_token is not None:
            from bot.handlers.slack.app import build_client, web_api_session
            from bot.handlers.slack.sender import SlackSender

            client = build_client(
                settings.slack_bot_token.get_secret_value(), settings.slack_api_url
            )
            client.session = await stack.enter_async_context(web_api_session())
            await client.auth_test()  # a rejected token stops here
            senders.append(SlackSender(client, runtime.store, settings.slack_command))
        yield senders


def watch(runtime: Runtime) -> Readiness:
    """This process's metrics read the outbox; its readiness checks the database."""
    metrics = process_metrics()
    metrics.watch_outbox(lambda: outbox_stats(runtime.sessions, runtime.ctx.now()))
    return Readiness(runtime.engine)


async def serve_worker(settings: Settings) -> None:
    shutdown = Shutdown()
    shutdown.install()
    runtime = build_runtime(settings)
    tune_gc_for_serving()
    try:
        readiness = watch(runtime)
        health = await start_health_server(
            process_metrics(), readiness, settings.metrics_host, settings.metrics_port
        )
        async with platform_senders(runtime) as senders:
            engine = runtime.delivery(senders)
            scheduler = start_scheduler(runtime.ctx, engine, settings.tick_seconds, runtime.store)
            names = ", ".join(s.platform.value for s in senders) or "no chat platform"
            logger.info("worker started: sweeps and delivery for %s", names)
            await shutdown.wait()
            await stop_scheduler(scheduler, settings.shutdown_seconds, engine)
        if health is not None:
            await health.cleanup()
    finally:
        runtime.close()
        shutdown.uninstall()
    logger.info("worker stopped")


def run_worker(settings: Settings) -> None:
    configure_logging(log_format=settings.log_format)
    secrets = (settings.telegram_token, settings.slack_bot_token, settings.slack_signing_secret)
    install_redaction(*(s.get_secret_value() for s in secrets if s is not None))
    asyncio.run(serve_worker(settings))
