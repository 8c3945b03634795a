"""Socket Mode with the same one-second answer as HTTP mode (see ``timely``)."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.handlers.slack.timely import TimelyDispatch


class TimelySocketModeHandler(AsyncSocketModeHandler):
    """Bolt's handler, whose envelopes are answered through :class:`TimelyDispatch`."""

    def __init__(self, app: AsyncApp, app_token: str, **kwargs: Any) -> None:
        super().__init__(app, app_token, **kwargs)
        self.dispatch = TimelyDispatch(app)

    async def handle(self, client: AsyncBaseSocketModeClient, req: SocketModeRequest) -> None:
        received, started = time.time(), time.monotonic()
        request = AsyncBoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req))
        response = await self.dispatch(request, started)
        await send_async_response(client, req, response, received)
