"""``mentorbot slack``: Socket Mode (app token) or HTTP mode (``--http``), with the
scheduled-work loop and the Slack sender on the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.slack.app import close_slack_app
from bot.handlers.slack.sender import SlackSender
from bot.logging_setup import install_redaction
from bot.worker import (
    start_scheduler,
    stop_scheduler,
)

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


def http_app(app: AsyncApp, path: str = EVENTS_PATH) -> web.Application:
    """The events endpoint: a body that is not UTF-8 is refused (401) like any other
    request whose signature cannot be checked, rather than failing with a 500."""

    async def handle(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=401, text="invalid request")
        # slack_sdk's verifier raises on a timestamp that is not a number; Bolt turns that
        # into a 500 and runs the error handler for an unverified request
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if stamp and not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            return web.Response(status=401, text="invalid request")
        bolt_request = AsyncBoltRequest(
            body=body,
            query=request.query_string,
            headers=dict(request.headers),
        )
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app = web.Application()
    web_app.router.add_post(path, handle)
    return web_app


async def serve(settings: Settings, http: bool, host: str, port: int) -> None:
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value()
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    install_redaction(token, secret, app_token)
    core = build_runtime(settings)
    store = core.store
    slack = core.slack_app()
    engine = core.delivery([SlackSender(slack.client, store, settings.slack_command)])
    # One HTTP session for every Web API call (and every per-request client Bolt makes
    # from this one): without it slack_sdk opens a new connection for each call.
    slack.client.session = aiohttp.ClientSession()
    scheduler = start_scheduler(core.ctx, engine, settings.tick_seconds, store)
    try:
        if http:
            runner = web.AppRunner(http_app(slack))
            await runner.setup()
            await web.TCPSite(runner, host, port).start()
            logger.info("Slack HTTP mode on %s:%s%s", host, port, EVENTS_PATH)
            try:
                await asyncio.Event().wait()
            finally:
                await runner.cleanup()
        else:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(slack, app_token)
            await handler.start_async()  # type: ignore[no-untyped-call]  # slack-bolt untyped
    finally:
        await stop_scheduler(scheduler)
        await slack.client.session.close()
        close_slack_app(slack)
        core.close()


def run_slack(
    settings: Settings, http: bool = False, host: str = "127.0.0.1", port: int = 3000
) -> None:
    if settings.slack_bot_token is None or settings.slack_signing_secret is None:
        raise SystemExit(
            "Set MENTORBOT_SLACK_BOT_TOKEN (xoxb-...) and MENTORBOT_SLACK_SIGNING_SECRET."
        )
    if not http and settings.slack_app_token is None:
        raise SystemExit("Socket Mode needs MENTORBOT_SLACK_APP_TOKEN (xapp-...); or use --http.")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings, http, host, port))
