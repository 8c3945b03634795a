"""The Slack HTTP-mode endpoint (Events API, interactivity, slash commands).

Bolt parses a body before it checks the signature, and a body it cannot parse (``{`` as
JSON, ``payload=%7B``) becomes a 500 with a traceback: anyone who can reach the endpoint
could cause one. It also logs the whole body of a badly signed request at INFO. So this
endpoint checks, in this order, before it reads what the sender wrote:

1. the size: a body over ``max_body`` bytes (default 1 MiB) gets 413;
2. the signature and its freshness (Slack's ``v0`` HMAC over timestamp and raw body,
   at most 5 minutes off): 401 otherwise, logged with the reason only;
3. the content type (415 unless form or JSON), UTF-8 and the JSON inside: 400.

Only then does Bolt see the request (it checks the signature again, which now passes),
with a deadline: Slack is answered within a second even when the database stalls
(``timely``).
A replay of a valid request within the 5 minutes is accepted here and has no second
effect (the de-duplication in ``common``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.handlers.slack.timely import ACK_DEADLINE_SECONDS, TimelyDispatch
from bot.ops.metrics import process_metrics

logger = logging.getLogger(__name__)
MIB = 1024 * 1024
FRESH_SECONDS = 60 * 5
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
DISPATCH = web.AppKey("dispatch", TimelyDispatch)


class Refused(Exception):
    """A request answered with ``status``; ``reason`` is safe to log (no body)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def verify_signature(
    raw: bytes, timestamp: str, signature: str, secret: str, now: float
) -> str | None:
    """Why the request is not Slack's (a reason to log), or None if it is."""
    if not timestamp or not signature:
        return "signature headers missing"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return "timestamp is not a number"
    if abs(now - int(timestamp)) > FRESH_SECONDS:
        return "timestamp is stale"
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "signature does not match"
    return None


def check_body(raw: bytes, content_type: str) -> str:
    """The body as text, if Bolt can read it; else :class:`Refused` (415 or 400)."""
    if content_type not in (FORM, JSON):
        raise Refused(415, "content type is neither form nor JSON")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if not body:
        return body
    try:
        if content_type == JSON or body.startswith("{"):  # as Bolt's parse_body decides
            parsed: object = json.loads(body)
        else:
            fields = dict(parse_qsl(body, keep_blank_values=True))
            parsed = json.loads(fields["payload"]) if "payload" in body else fields
            if "payload" in body and "payload" not in fields:
                parsed = {}
    except (ValueError, KeyError):
        raise Refused(400, "body is not well-formed") from None
    if not isinstance(parsed, dict):
        raise Refused(400, "body is not an object")
    return body


async def read_at_most(request: web.Request, limit: int) -> bytes:
    """The body, or :class:`Refused` (413) as soon as it passes ``limit`` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise Refused(413, f"body of {request.content_length} bytes is too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise Refused(413, "body is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def events_app(
    app: AsyncApp,
    signing_secret: str,
    path: str,
    *,
    max_body: int = MIB,
    clock: Callable[[], float] = time.time,
    deadline: float = ACK_DEADLINE_SECONDS,
) -> web.Application:
    """The aiohttp app serving Bolt at ``path`` behind the checks above."""
    dispatch = TimelyDispatch(app, deadline)

    async def handle(request: web.Request) -> web.Response:
        received = time.monotonic()
        try:
            raw = await read_at_most(request, max_body)
            why = verify_signature(
                raw,
                request.headers.get("X-Slack-Request-Timestamp", ""),
                request.headers.get("X-Slack-Signature", ""),
                signing_secret,
                clock(),
            )
            if why is not None:
                raise Refused(401, why)
            body = check_body(raw, request.content_type)
        except Refused as refused:
            process_metrics().handled.labels("slack", f"refused_{refused.status}").inc()
            logger.info("Slack HTTP: refused a request (%s): %s", refused.status, refused.reason)
            text = "invalid request" if refused.status == 401 else refused.reason
            return web.Response(status=refused.status, text=text)
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await dispatch(bolt_request, received))

    async def drain(_: web.Application) -> None:
        await dispatch.drain()

    web_app = web.Application(client_max_size=max_body)
    web_app[DISPATCH] = dispatch
    web_app.router.add_post(path, handle)
    web_app.on_shutdown.append(drain)
    return web_app
