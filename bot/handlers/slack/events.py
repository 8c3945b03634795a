"""Events: the App Home tab and time zone changes."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.common import deps, profile, refresh_timezone
from bot.handlers.slack.home import publish_home


async def on_home_opened(
    event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    if event.get("tab", "home") != "home" or "member" not in context:
        return
    member = context["member"]
    _, zone = await profile(client, context.user_id or "")
    context["member"] = await refresh_timezone(deps(context), member, zone)
    await publish_home(context, client)


async def on_user_change(event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Slack's ``tz`` is the member's time zone: follow a change."""
    if "member" not in context:
        return
    await refresh_timezone(deps(context), context["member"], (event.get("user") or {}).get("tz"))


async def ignore(event: dict[str, Any]) -> None:
    """Messages in DMs and channels need no answer (acknowledged by Bolt)."""


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.event("user_change")(on_user_change)
    app.event("message")(ignore)
