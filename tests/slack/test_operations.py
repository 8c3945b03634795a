"""The Slack runner in HTTP mode as an operator sees it (issue 13): ``/healthz``,
``/readyz`` and ``/metrics`` on the metrics port while it serves, the counters moving
with the requests it handles, readiness following Slack's Web API, and a graceful stop
on SIGTERM (the runner's own signal handler; the test process is not stopped)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import aiohttp

from bot.config import Settings
from bot.handlers.slack.runner import EVENTS_PATH, serve
from bot.ops.api_health import API_HEALTH
from tests.slack.harness import ALICE, CHANNEL, SECRET, TOKEN
from tests.slack.test_logs import Client, _accepts, _until
from tests.support.fake_slack import FakeSlack
from tests.telegram.harness import free_port


async def _get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}{path}") as response,
    ):
        return response.status, await response.text()


def _handled(page: str, outcome: str) -> float:
    prefix = f'mentorbot_updates_handled_total{{frontend="slack",outcome="{outcome}"}} '
    found = [line for line in page.splitlines() if line.startswith(prefix)]
    return float(found[0].rsplit(" ", 1)[1]) if found else 0.0


async def test_http_mode_serves_health_and_metrics_and_stops_on_sigterm(
    database_url: str, slack_api: FakeSlack
) -> None:
    port, metrics = free_port(), free_port()
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.url,
        slack_mentors_channel=CHANNEL,
        metrics_port=metrics,
        tick_seconds=0.2,
        shutdown_seconds=5,
    )
    runner = asyncio.create_task(serve(settings, True, "127.0.0.1", port, worker=False))
    try:
        async with aiohttp.ClientSession() as http:
            slack = Client(http, f"http://127.0.0.1:{port}{EVENTS_PATH}")
            await _until(lambda: _accepts(port) and _accepts(metrics))
            assert await _get(metrics, "/healthz") == (200, "ok\n")
            before = _handled((await _get(metrics, "/metrics"))[1], "ok")
            for _ in range(3):
                assert (await slack.command(ALICE))[0] == 200
            await _until(lambda: slack_api.named("views.open"))
            page = (await _get(metrics, "/metrics"))[1]
            assert _handled(page, "ok") == before + 3, page
            assert 'mentorbot_handler_seconds_count{frontend="slack"}' in page
            assert (await _get(metrics, "/readyz"))[0] == 200

            # Slack's Web API stops answering: not ready, with the reason; back: ready
            API_HEALTH.record("slack", False)
            status, why = await _get(metrics, "/readyz")
            assert status == 503 and "slack API did not answer" in why, why
            await slack.command(ALICE)  # its views.open is answered again
            await _until(lambda: len(slack_api.named("views.open")) >= 4)
            assert (await _get(metrics, "/readyz"))[0] == 200

        started = time.monotonic()
        os.kill(os.getpid(), signal.SIGTERM)  # handled by the runner: a graceful stop
        await asyncio.wait_for(runner, settings.shutdown_seconds + 5)
        assert time.monotonic() - started < settings.shutdown_seconds
        assert not _accepts(port) and not _accepts(metrics)
    finally:
        if not runner.done():
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)
