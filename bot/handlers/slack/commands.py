"""The slash command and the global shortcut.

``/mentorship`` alone (or ``request``) and the shortcut open the request modal,
``become_mentor`` the mentor application; every other sub-command is an action of the
shared vocabulary (``subcommands``). ``ack()`` comes first: nothing calls the Web API
before it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack import mentor_application, subcommands
from bot.handlers.slack.common import guarded
from bot.handlers.slack.request_opener import open_request_modal

SHORTCUT_CALLBACK = "mentorship_request"
__all__ = ["open_request_modal", "register"]  # open_request_modal: where it was


@guarded
async def on_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    word, *words = str(body.get("text") or "").split() or [""]
    word = word.lower()
    if word in ("", "request"):
        await open_request_modal(context, client, body["trigger_id"])
    elif word == "become_mentor":
        await mentor_application.open_application(context, client, body["trigger_id"])
    else:
        await subcommands.run(context, client, body, word, words)


@guarded
async def on_shortcut(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await open_request_modal(context, client, body["trigger_id"])


def register(app: AsyncApp, command: str) -> None:
    app.command(command)(on_command)
    app.shortcut(SHORTCUT_CALLBACK)(on_shortcut)
    mentor_application.register(app)
