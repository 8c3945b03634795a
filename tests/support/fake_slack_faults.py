"""A :class:`FakeSlack` that can also fail or be slow, for the Slack front-end's tests.

``fail(method, ...)`` makes the next calls of a Web API method answer ``ok: false`` with an
error code (and an HTTP status, e.g. 500), optionally echoing the request's headers in the
answer the way a misbehaving proxy or gateway in front of the API might; ``slow(method,
seconds)`` delays every answer of a method (``FakeSlack.delays``). A failed call is recorded
in ``calls`` with its status like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.fake_slack import Call, FakeSlack


@dataclass(frozen=True)
class Failure:
    error: str
    status: int
    echo_headers: bool


class FaultySlack(FakeSlack):
    def __init__(self, zones: dict[str, str] | None = None) -> None:
        super().__init__(zones)
        self.failures: dict[str, list[Failure]] = {}

    def fail(
        self,
        method: str,
        error: str = "internal_error",
        *,
        status: int = 200,
        echo_headers: bool = False,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        self.failures.setdefault(method, []).extend([Failure(error, status, echo_headers)] * times)

    def slow(self, method: str, seconds: float) -> None:
        """Every call of ``method`` is answered after ``seconds``."""
        self.delays[method] = seconds

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        queued = self.failures.get(method)
        if not queued:
            return await super().handle(request)
        failure = queued.pop(0)
        args = await self._args(request)
        self.calls.append(Call(method, args, request.method, failure.status))
        answer: dict[str, Any] = {"ok": False, "error": failure.error}
        if failure.echo_headers:
            answer["request"] = {"headers": dict(request.headers), "args": args}
        return web.json_response(answer, status=failure.status)
