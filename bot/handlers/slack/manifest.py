"""The Slack app manifest: ``mentorbot slack manifest --url https://host/slack/events``.

Slack creates (or updates) an app from a manifest, so an operator pastes what this prints
into https://api.slack.com/apps ("Create New App" → "From a manifest") instead of
assembling the App Home, the shortcut, the slash command, the events and the scopes by
hand. The fields are those of Slack's app manifest reference
(https://docs.slack.dev/reference/app-manifest).

The bot scopes are derived from what the code does, not listed by hand:

- every Web API method the code calls is a key of :data:`METHOD_SCOPES` (with the scopes
  Slack's reference of that method requires; ``views.*`` require none);
- every event the app registers (``app.event(...)``) is a key of :data:`EVENT_SCOPES`, or
  is in :data:`UNSUBSCRIBED_EVENTS` (registered only to be acknowledged);
- the slash command and the global shortcut need ``commands``.

``tests/slack/test_manifest.py`` reads the code for ``client.<method>(`` calls and
``app.event("…")`` registrations, so a newly used method or event without an entry here
fails there.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# Web API method → the bot scopes it requires (Slack's reference of each method).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "users.info": ("users:read",),  # the profile's name and time zone
    "auth.test": (),  # the worker checks its token at start
    "views.open": (),
    "views.publish": (),
    "views.update": (),
    "files.getUploadURLExternal": ("files:write",),  # the .ics invites
    "files.completeUploadExternal": ("files:write",),
}

# slack_sdk client helpers that are not one Web API method each.
CLIENT_HELPERS: dict[str, tuple[str, ...]] = {
    "files_upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal"),
}

# Event the app subscribes to → the bot scopes the subscription requires.
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "app_home_opened": (),
    "user_change": ("users:read",),  # a member's time zone follows their profile
}

# Registered only so that Bolt acknowledges them quietly should a workspace send them
# (``events.ignore``); the app answers no typed message, so it does not subscribe to
# ``message.*`` (which would also need the ``*:history`` scopes to read them).
UNSUBSCRIBED_EVENTS: frozenset[str] = frozenset({"message"})

# The slash command and the global shortcut.
FEATURE_SCOPES: tuple[str, ...] = ("commands",)

DEFAULT_NAME = "Mentorship"
SHORTCUT_NAME = "Request a mentor"
NAME_LIMIT = 35  # display_information.name
COMMAND_LIMIT = 32  # slash_commands[].command, with the leading "/"


class ManifestError(ValueError):
    """A value Slack would refuse in the manifest (said in one line)."""


def method_of(client_method: str) -> tuple[str, ...]:
    """The Web API methods behind a ``slack_sdk`` client method name:
    ``chat_postMessage`` → ``chat.postMessage``; ``files_upload_v2`` → its two methods."""
    if client_method in CLIENT_HELPERS:
        return CLIENT_HELPERS[client_method]
    return (client_method.replace("_", ".", 1),)


def bot_scopes() -> list[str]:
    scopes = set(FEATURE_SCOPES)
    for needed in (*METHOD_SCOPES.values(), *EVENT_SCOPES.values()):
        scopes.update(needed)
    return sorted(scopes)


def bot_user_name(name: str) -> str:
    """Slack allows ``a-z 0-9 - _ .`` in a bot user's display name (80 at most)."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-")
    return (cleaned or "mentorbot")[:80]


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestError(f"the request URL must be an https:// URL, not {url!r}")
    return url


def usage_hint() -> str:
    from bot.handlers.slack.subcommands import SUBCOMMANDS

    return "[" + " | ".join(["request", "become_mentor", *SUBCOMMANDS, "help"]) + "]"


def build_manifest(
    url: str | None,
    *,
    socket_mode: bool = False,
    command: str = "/mentorship",
    name: str = DEFAULT_NAME,
) -> dict[str, Any]:
    """The manifest as a dict (print it as JSON). ``url`` is where Slack sends events,
    interactions and the slash command (``mentorbot slack --http`` serves all three on
    ``/slack/events``); in Socket Mode there is none."""
    from bot.handlers.slack.commands import SHORTCUT_CALLBACK

    if not socket_mode:
        if url is None:
            raise ManifestError("give --url https://host/slack/events, or --socket-mode")
        check_url(url)
    if not name.strip() or len(name) > NAME_LIMIT:
        raise ManifestError(f"the app name must be 1 to {NAME_LIMIT} characters")
    if not re.fullmatch(r"/[a-z0-9_-]+", command) or len(command) > COMMAND_LIMIT:
        raise ManifestError(
            f"MENTORBOT_SLACK_COMMAND must be / and lowercase letters, digits, - or _ "
            f"({COMMAND_LIMIT} characters at most), not {command!r}"
        )
    endpoint = {} if socket_mode else {"request_url": url}
    slash: dict[str, Any] = {
        "command": command,
        "description": "Ask for a mentorship session, or manage yours",
        "usage_hint": usage_hint(),
        "should_escape": False,
    }
    if not socket_mode:
        slash["url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Ask for short mentorship sessions; mentors claim and schedule them.",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                # the app writes there (reminders, cards); it answers no typed message
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": bot_user_name(name), "always_online": True},
            "shortcuts": [
                {
                    "name": SHORTCUT_NAME,
                    "type": "global",
                    "callback_id": SHORTCUT_CALLBACK,
                    "description": "Open the mentorship request form",
                }
            ],
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": {**endpoint, "bot_events": sorted(EVENT_SCOPES)},
            "interactivity": {"is_enabled": True, **endpoint},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
