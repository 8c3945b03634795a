"""``mentorbot slack``: Socket Mode (app token) or HTTP mode (``--http``), with the
scheduled-work loop and the Slack sender on the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.config_check import ConfigurationError
from bot.handlers.slack.app import close_slack_app, web_api_session
from bot.handlers.slack.http_endpoint import MIB, events_app
from bot.handlers.slack.sender import SlackSender
from bot.logging_setup import configure_logging, install_redaction
from bot.ops.gc_tuning import tune_gc_for_serving
from bot.ops.health_server import start_health_server
from bot.ops.metrics import process_metrics
from bot.ops.shutdown import Shutdown
from bot.worker import (
    start_scheduler,
    stop_scheduler,
)
from bot.worker_process import watch

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def http_app(
    app: AsyncApp, signing_secret: str, path: str = EVENTS_PATH, *, max_body: int = MIB
) -> web.Application:
    """The events endpoint: size, signature and freshness checked before anything the
    sender wrote is parsed; malformed bodies 400 (see ``http_endpoint``)."""
    return events_app(app, signing_secret, path, max_body=max_body)


async def serve(
    settings: Settings, http: bool, host: str, port: int, *, worker: bool = True
) -> None:
    """Run until SIGTERM or SIGINT, then stop in order: take no new requests (close the
    socket or the Socket Mode connection), let the work after acks finish and the
    delivery under way end (the rest of a leased batch goes back at once)."""
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value()
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    install_redaction(token, secret, app_token)
    shutdown = Shutdown()
    shutdown.install()
    core = build_runtime(settings)
    store = core.store
    slack = core.slack_app()
    tune_gc_for_serving()
    engine = (
        core.delivery([SlackSender(slack.client, store, settings.slack_command)])
        if worker
        else None
    )
    health = await start_health_server(
        process_metrics(), watch(core), settings.metrics_host, settings.metrics_port
    )
    # One HTTP session for every Web API call (and every per-request client Bolt makes
    # from this one): without it slack_sdk opens a new connection for each call.
    slack.client.session = web_api_session()
    scheduler = start_scheduler(core.ctx, engine, settings.tick_seconds, store) if engine else None
    try:
        if http:
            runner = web.AppRunner(
                http_app(slack, secret, max_body=settings.max_body_bytes), access_log=None
            )
            await runner.setup()
            await web.TCPSite(runner, host, port).start()
            logger.info("Slack HTTP mode on %s:%s%s", host, port, EVENTS_PATH)
            try:
                await shutdown.wait()
            finally:
                await runner.shutdown()  # no new requests; late answers drained
                await runner.cleanup()
        else:
            from bot.handlers.slack.socket_mode import TimelySocketModeHandler

            handler = TimelySocketModeHandler(slack, app_token)
            await handler.connect_async()  # type: ignore[no-untyped-call]  # slack-bolt untyped
            logger.info("Slack Socket Mode connected")
            try:
                await shutdown.wait()
            finally:
                await handler.close_async()  # type: ignore[no-untyped-call]
                await handler.dispatch.drain(settings.shutdown_seconds)
    finally:
        if scheduler is not None:
            await stop_scheduler(scheduler, settings.shutdown_seconds, engine)
        if health is not None:
            await health.cleanup()
        close_slack_app(slack)  # Home tabs still to build are dropped before the session
        await slack.client.session.close()
        core.close()
        shutdown.uninstall()
    logger.info("Slack runner stopped")


def run_slack(
    settings: Settings,
    http: bool = False,
    host: str = "127.0.0.1",
    port: int = 3000,
    *,
    worker: bool = True,
) -> None:
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        raise ConfigurationError(
            ["Set MENTORBOT_SLACK_BOT_TOKEN (xoxb-...) and MENTORBOT_SLACK_SIGNING_SECRET."]
        )
    if not http and settings.slack_app_token is None:
        raise ConfigurationError(
            ["Socket Mode needs MENTORBOT_SLACK_APP_TOKEN (xapp-...); or use --http."]
        )
    configure_logging(log_format=settings.log_format)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings, http, host, port, worker=worker))
