"""Builds the slack-bolt ``AsyncApp``: client, middleware, listeners, one error handler."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack import actions, commands, events, reasons, views
from bot.handlers.slack.common import SORRY, WORK_THREADS, Deps, install_middleware, tell
from bot.ops.api_health import API_HEALTH
from bot.ops.metrics import note_outcome
from core.services.context import ServiceContext
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://slack.com/api/"


def web_api_session() -> aiohttp.ClientSession:
    """One HTTP session for every Web API call of a process (and of every per-request
    client Bolt makes from the app's), noting for ``/readyz`` whether Slack answered
    each call: any HTTP answer counts (Slack is reachable), a connection error does not."""

    async def answered(*_: Any) -> None:
        API_HEALTH.record("slack", True)

    async def unanswered(*_: Any) -> None:
        API_HEALTH.record("slack", False)

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(answered)
    trace.on_request_exception.append(unanswered)
    return aiohttp.ClientSession(trace_configs=[trace])


def build_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """The Web API client; a 429 is retried once after its ``Retry-After``."""
    client = AsyncWebClient(token=token, base_url=base_url or DEFAULT_BASE_URL)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    return client


# The Deps of each app built here, for close_slack_app (AsyncApp has no place for them).
app_deps: dict[int, Deps] = {}


def close_slack_app(app: AsyncApp) -> None:
    """Let the ack path's threads go (at shutdown)."""
    found = app_deps.pop(id(app), None)
    if found is not None:
        found.close()


def build_slack_app(
    services: ServiceContext,
    store: FrontEndStore,
    token: str,
    signing_secret: str,
    *,
    base_url: str | None = None,
    admins: frozenset[str] = frozenset(),
    mentors_channel: str | None = None,
    command: str = "/mentorship",
    work_threads: int = WORK_THREADS,
) -> AsyncApp:
    app = AsyncApp(
        client=build_client(token, base_url),
        signing_secret=signing_secret,
        raise_error_for_unhandled_request=False,
    )
    deps_ = Deps(services, store, admins, mentors_channel, command, work_threads)
    app_deps[id(app)] = deps_
    install_middleware(app, deps_)
    commands.register(app, command)
    actions.register(app)
    views.register(app)
    reasons.register(app)
    events.register(app)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Log it; tell the person in plain words; never a traceback in Slack."""
        note_outcome("error")
        logger.error("unhandled error in a Slack listener", exc_info=error)
        try:
            await tell(context.client, body, SORRY)
        except Exception:  # the apology itself failed; nothing more to do
            logger.warning("could not tell the user about the error", exc_info=True)

    return app
