"""The Telegram webhook endpoint, in place of python-telegram-bot's own.

PTB's tornado handler answers a body it cannot parse with a 500 and a traceback, an
update it cannot read with a 400 (so Telegram resends it for ever) and logs the body,
user text included; it takes a body of any size. This endpoint checks, in this order,
before reading anything the sender wrote:

- the secret token header (403 without the right one);
- the size (413 above ``max_body`` bytes, default 1 MiB, read no further);
- the content type (415 unless JSON);
- UTF-8 and JSON, an object (400).

An update PTB cannot read is logged once without its text, counted and answered 200,
so Telegram moves on (``poison``). Nothing here logs a body.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram.ext import Application, ExtBot

from bot.handlers.telegram.poison import read_update

logger = logging.getLogger(__name__)
MIB = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(
    bot: ExtBot[Any],
    update_queue: asyncio.Queue[object],
    path: str,
    secret: str,
    max_body: int = MIB,
) -> web.Application:
    """An aiohttp app that puts each valid update on ``update_queue``."""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            logger.info("Telegram webhook: refused a request without the right secret")
            return web.Response(status=403, text="forbidden")
        if request.content_length is not None and request.content_length > max_body:
            return _too_large(request.content_length)
        raw = await _read_at_most(request, max_body)
        if raw is None:
            return _too_large(None)
        if request.content_type != "application/json":
            logger.info("Telegram webhook: refused content type %r", request.content_type[:40])
            return web.Response(status=415, text="expected application/json")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            logger.info(
                "Telegram webhook: refused a body that is not JSON (%s)", type(exc).__name__
            )
            return web.Response(status=400, text="malformed body")
        if not isinstance(data, dict):
            logger.info("Telegram webhook: refused a body that is not a JSON object")
            return web.Response(status=400, text="malformed body")
        update = read_update(data, bot)
        if update is not None:
            await update_queue.put(update)
        return web.Response(status=200)

    app = web.Application(client_max_size=max_body)
    app.router.add_post("/" + path.strip("/"), handle)
    return app


def _too_large(length: int | None) -> web.Response:
    logger.info("Telegram webhook: refused a body of %s bytes (too large)", length or "too many")
    return web.Response(status=413, text="body too large")


async def _read_at_most(request: web.Request, limit: int) -> bytes | None:
    """The body, or None as soon as it passes ``limit`` bytes (chunked bodies too)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def start_webhook_site(
    application: Application,  # type: ignore[type-arg]
    *,
    listen: str,
    port: int,
    path: str,
    secret: str,
    max_body: int = MIB,
) -> web.AppRunner:
    """Listen for Telegram's POSTs (this endpoint, not PTB's ``run_webhook``); the
    caller registers the webhook and, to stop taking updates, cleans the runner up."""
    runner = web.AppRunner(
        webhook_app(application.bot, application.update_queue, path, secret, max_body),
        access_log=None,
    )
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    logger.info("Telegram webhook on %s:%s/%s", listen, port, path.strip("/"))
    return runner
