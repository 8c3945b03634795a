"""``mentorbot slack``: Socket Mode (app token) or HTTP mode (``--http``), with the
scheduled-work loop and the Slack sender on the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.bootstrap import build_app
from bot.config import Settings
from bot.handlers.slack.app import build_slack_app
from bot.handlers.slack.sender import SlackSender
from bot.logging_setup import install_redaction, redact
from bot.worker import (
    build_engine,
    feeds_from_settings,
    platforms_from_settings,
    start_scheduler,
)
from db.engine import make_session_factory
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
STOP_GRACE_SECONDS = 30.0  # how long a stop waits for a tick under way


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


class TicksInFlight:
    """How many scheduled ticks are running, from APScheduler's job events."""

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.running = 0
        self.idle = asyncio.Event()
        self.idle.set()
        done = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        scheduler.add_listener(self._seen, EVENT_JOB_SUBMITTED | done)

    def _seen(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            self.running += 1
            self.idle.clear()
            return
        self.running = max(self.running - 1, 0)
        if not self.running:
            self.idle.set()


def install_log_redaction(*secrets: str) -> None:
    """No token and no signing secret in any log line.

    ``install_redaction`` cleans each record's message. A logged exception's traceback
    (``exc_info``: a ``SlackApiError`` quotes whatever the server answered) and
    ``stack_info`` are formatted later, by the handler, so they are formatted and cleaned
    here when the record is made; a formatter then uses the cleaned ``exc_text``.
    """
    install_redaction(*secrets)
    known = tuple(s for s in secrets if s)
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(formatter.formatException(record.exc_info), known)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, known)
        return record

    logging.setLogRecordFactory(factory)


async def serve(settings: Settings, http: bool, host: str, port: int) -> None:
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    token = settings.slack_bot_token.get_secret_value()
    secret = settings.slack_signing_secret.get_secret_value()
    app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else ""
    install_log_redaction(token, secret, app_token)
    core = build_app(settings)
    store = FrontEndStore(make_session_factory(core.engine))
    slack = build_slack_app(
        core.ctx,
        store,
        token,
        secret,
        base_url=settings.slack_api_url,
        admins=frozenset(settings.admins),
        mentors_channel=settings.slack_mentors_channel,
        command=settings.slack_command,
    )
    engine = build_engine(
        core.ctx,
        [SlackSender(slack.client, store)],
        feeds_from_settings(settings),
        other_platforms=platforms_from_settings(settings),
    )
    scheduler = start_scheduler(core.ctx, engine, settings.tick_seconds)
    ticks = TicksInFlight(scheduler)
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

            await AsyncSocketModeHandler(slack, app_token).start_async()
    finally:
        # a tick under way finishes before the database closes (cancelled, its sweeps
        # would go on in their thread with a connection of a disposed pool)
        scheduler.pause()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ticks.idle.wait(), STOP_GRACE_SECONDS)
        scheduler.shutdown(wait=False)
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
