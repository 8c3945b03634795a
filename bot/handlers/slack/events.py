"""Events: the App Home tab and time zone changes.

Bolt acknowledges events before the listener runs, so the ``users.info`` calls here are
after the ack.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.common import deps, known_member, member_of, profile, refresh_timezone
from bot.handlers.slack.home import publish_home


async def on_home_opened(
    event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    if event.get("tab", "home") != "home" or not context.user_id:
        return
    member = known_member(context)
    if member is None:
        await member_of(context)  # someone new: registered with their Slack name and zone
    else:
        _, zone = await profile(client, context.user_id)
        context["member"] = await refresh_timezone(deps(context), member, zone)
    await publish_home(context, client, opened=True)


async def on_user_change(event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Slack's ``tz`` is the member's time zone: follow a change (of members only; anyone
    else in the workspace changing their profile is not registered for it)."""
    member = known_member(context)
    if member is None:
        return
    await refresh_timezone(deps(context), member, (event.get("user") or {}).get("tz"))


async def ignore(event: dict[str, Any]) -> None:
    """Messages in DMs and channels need no answer (acknowledged by Bolt)."""


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(on_home_opened)
    app.event("user_change")(on_user_change)
    app.event("message")(ignore)
