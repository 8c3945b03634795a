"""``/healthz``, ``/readyz`` and ``/metrics`` on ``MENTORBOT_METRICS_PORT``, in every
long-running mode (aiohttp, already the webhooks' server).

- ``/healthz``: the process is alive and its event loop answers (200).
- ``/readyz``: the database answers, its schema is at the migrations' head, and every
  chat platform's API answered this process's last call (200); else 503 with one line
  per problem. A load balancer stops sending here; an orchestrator keeps the process.
- ``/metrics``: Prometheus' text format (``bot.ops.metrics``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine

from bot.config_check import ConfigurationError
from bot.ops.api_health import API_HEALTH, ApiHealth
from bot.ops.metrics import Metrics
from db.migrate import head_revision, revision_of

logger = logging.getLogger(__name__)
CHECK_SECONDS = 3.0


class Readiness:
    def __init__(self, engine: Engine, api: ApiHealth = API_HEALTH) -> None:
        self.engine = engine
        self.api = api
        self.head = head_revision()

    def database_problems(self) -> list[str]:
        try:
            found = revision_of(self.engine)
        except Exception as exc:
            return [f"the database does not answer ({type(exc).__name__})"]
        if found != self.head:
            return [f"the database schema is at {found}, not {self.head}: run mentorbot db upgrade"]
        return []

    async def problems(self) -> list[str]:
        try:
            found = await asyncio.wait_for(asyncio.to_thread(self.database_problems), CHECK_SECONDS)
        except TimeoutError:
            found = [f"the database did not answer within {CHECK_SECONDS:.0f} s"]
        return found + self.api.problems()


def health_app(metrics: Metrics, readiness: Callable[[], Readiness] | Readiness) -> web.Application:
    ready = readiness if isinstance(readiness, Readiness) else readiness()

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        problems = await ready.problems()
        if problems:
            return web.Response(status=503, text="".join(f"{p}\n" for p in problems))
        return web.Response(text="ready\n")

    async def metrics_page(_: web.Request) -> web.Response:
        body = await asyncio.to_thread(generate_latest, metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app


async def start_health_server(
    metrics: Metrics, readiness: Readiness, host: str, port: int
) -> web.AppRunner | None:
    """Serve the three paths; None when ``port`` is 0 (turned off)."""
    if not port:
        return None
    runner = web.AppRunner(health_app(metrics, readiness), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigurationError(
            [
                f"MENTORBOT_METRICS_PORT: cannot listen on {host}:{port} ({exc.strerror}); "
                "set another port, or 0 to turn health and metrics off."
            ]
        ) from exc
    logger.info("health and metrics on %s:%s (/healthz, /readyz, /metrics)", host, port)
    return runner
