"""``mentorbot slack manifest`` (issue 13, item 5): the printed manifest against the
documented fields, and the scopes, events, shortcut and slash command against the code.

The manifest comes from the real CLI (click's runner over ``bot.cli.main``). The code is
read with ``ast``: every Web API call anywhere in ``bot/`` (a method of slack_sdk's
client called on anything, or ``api_call("method")``) must map to scopes that the
manifest requests, and every ``app.event("…")`` registration must be subscribed (or be
one the app registers only to acknowledge). A newly used method or event with no entry
in ``bot/handlers/slack/manifest.py`` fails here.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from slack_sdk.web.async_client import AsyncWebClient

from bot.cli import main
from bot.handlers.slack import manifest as manifest_module
from bot.handlers.slack.commands import SHORTCUT_CALLBACK

REPO = Path(__file__).resolve().parents[2]
BOT = REPO / "bot"
URL = "https://mentors.example.org/slack/events"

# ----------------------------------------------------------------- the documented schema
# Slack's app manifest reference (https://docs.slack.dev/reference/app-manifest; the same
# fields as @slack/web-api's types/request/manifest.ts). A dict is an object with those
# keys only; a 1-list is an array of that; a type is a leaf; a key ending in "!" is
# required.
SCHEMA: dict[str, Any] = {
    "_metadata": {"major_version": int, "minor_version": int},
    "display_information!": {
        "name!": str,
        "description": str,
        "long_description": str,
        "background_color": str,
    },
    "features": {
        "app_home": {
            "home_tab_enabled": bool,
            "messages_tab_enabled": bool,
            "messages_tab_read_only_enabled": bool,
        },
        "bot_user": {"display_name!": str, "always_online": bool},
        "shortcuts": [
            {"name!": str, "type!": str, "callback_id!": str, "description!": str},
        ],
        "slash_commands": [
            {
                "command!": str,
                "description!": str,
                "should_escape": bool,
                "url": str,
                "usage_hint": str,
            }
        ],
        "unfurl_domains": [str],
    },
    "oauth_config": {
        "redirect_urls": [str],
        "scopes": {"bot": [str], "user": [str]},
        "token_management_enabled": bool,
    },
    "settings": {
        "allowed_ip_address_ranges": [str],
        "event_subscriptions": {"request_url": str, "bot_events": [str], "user_events": [str]},
        "incoming_webhooks": {"incoming_webhooks_enabled": bool},
        "interactivity": {"is_enabled!": bool, "request_url": str, "message_menu_options_url": str},
        "org_deploy_enabled": bool,
        "socket_mode_enabled": bool,
        "token_rotation_enabled": bool,
        "function_runtime": str,
    },
}

# The reference's documented limits.
LIMITS = {
    ("display_information", "name"): 35,
    ("display_information", "description"): 140,
    ("display_information", "long_description"): 4000,
    ("features", "bot_user", "display_name"): 80,
    ("features", "shortcuts", "callback_id"): 255,
    ("features", "shortcuts", "description"): 150,
    ("features", "slash_commands", "command"): 32,
    ("features", "slash_commands", "description"): 2000,
    ("features", "slash_commands", "usage_hint"): 1000,
}

# Granular bot scopes (Slack's scope reference, bot token type).
BOT_SCOPES = frozenset(
    [
        "app_mentions:read",
        "bookmarks:read",
        "bookmarks:write",
        "calls:read",
        "calls:write",
        "channels:history",
        "channels:join",
        "channels:manage",
        "channels:read",
        "channels:write.invites",
        "channels:write.topic",
        "chat:write",
        "chat:write.customize",
        "chat:write.public",
        "commands",
        "dnd:read",
        "emoji:read",
        "files:read",
        "files:write",
        "groups:history",
        "groups:read",
        "groups:write",
        "groups:write.invites",
        "groups:write.topic",
        "im:history",
        "im:read",
        "im:write",
        "incoming-webhook",
        "links:read",
        "links:write",
        "metadata.message:read",
        "mpim:history",
        "mpim:read",
        "mpim:write",
        "mpim:write.invites",
        "mpim:write.topic",
        "pins:read",
        "pins:write",
        "reactions:read",
        "reactions:write",
        "reminders:read",
        "reminders:write",
        "remote_files:read",
        "remote_files:share",
        "remote_files:write",
        "team:read",
        "usergroups:read",
        "usergroups:write",
        "users.profile:read",
        "users:read",
        "users:read.email",
        "users:write",
    ]
)


def check_schema(value: Any, schema: Any, path: str = "") -> list[str]:
    """Where ``value`` leaves the schema (unknown keys, wrong types, missing keys)."""
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path or '/'}: an object expected, got {type(value).__name__}"]
        keys = {key.rstrip("!"): key.endswith("!") for key in schema}
        problems = [f"{path}/{key}: not a documented field" for key in value if key not in keys]
        problems += [f"{path}/{k}: required" for k, req in keys.items() if req and k not in value]
        for key, item in value.items():
            if key in keys:
                sub = schema[key + "!" if keys[key] else key]
                problems += check_schema(item, sub, f"{path}/{key}")
        return problems
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: an array expected, got {type(value).__name__}"]
        return [
            p for i, item in enumerate(value) for p in check_schema(item, schema[0], f"{path}/{i}")
        ]
    if (schema is int and isinstance(value, bool)) or not isinstance(value, schema):
        return [f"{path}: {schema.__name__} expected, got {type(value).__name__}"]
    return []


def field_values(manifest: dict[str, Any], path: tuple[str, ...]) -> list[Any]:
    """The values at ``path``, through arrays."""
    values: list[Any] = [manifest]
    for key in path:
        values = [item for v in values for item in (v if isinstance(v, list) else [v])]
        values = [v[key] for v in values if isinstance(v, dict) and key in v]
    return values


def all_keys(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items()] + [
            pair for v in value.values() for pair in all_keys(v)
        ]
    if isinstance(value, list):
        return [pair for v in value for pair in all_keys(v)]
    return []


# ----------------------------------------------------------------- the code, read
CLIENT_METHODS = frozenset(
    name for name, v in vars(AsyncWebClient).items() if callable(v) and not name.startswith("_")
)


def web_api_calls(source: str, where: str = "<code>") -> dict[str, list[str]]:
    """Web API method → where it is called: any slack_sdk client method called on
    anything (``client.chat_postMessage(…)``, ``self.client.files_upload_v2(…)``), and
    ``api_call("method")``; an ``api_call`` whose method is not a literal is reported."""
    calls: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, at = node.func.attr, f"{where}:{node.lineno}"
        if attr == "api_call":
            first = node.args[0] if node.args else None
            for kw in node.keywords:
                if kw.arg == "api_method":
                    first = kw.value
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                calls.setdefault(first.value, []).append(at)
            else:
                calls.setdefault(f"<api_call with a computed method at {at}>", []).append(at)
        elif attr in CLIENT_METHODS:
            for method in manifest_module.method_of(attr):
                calls.setdefault(method, []).append(at)
    return calls


def registrations(source: str, kind: str) -> list[ast.expr]:
    """The first argument of every ``<app>.<kind>(…)`` registration."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == kind
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "app"
            and node.args
        ):
            found.append(node.args[0])
    return found


def bot_sources() -> dict[str, str]:
    return {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in BOT.rglob("*.py")}


def code_calls() -> dict[str, list[str]]:
    calls: dict[str, list[str]] = {}
    for where, source in bot_sources().items():
        for method, places in web_api_calls(source, where).items():
            calls.setdefault(method, []).extend(places)
    return calls


def registered(kind: str) -> list[tuple[str, ast.expr]]:
    return [(w, arg) for w, s in bot_sources().items() for arg in registrations(s, kind)]


# ----------------------------------------------------------------- the real CLI
@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """The CLI as an operator runs it, with no MENTORBOT_* from this shell or a .env."""
    import os

    for key in list(os.environ):
        if key.startswith("MENTORBOT_") or key == "DATABASE_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    return CliRunner()


def printed(cli: CliRunner, *args: str) -> dict[str, Any]:
    result = cli.invoke(main, ["slack", "manifest", *args])
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, dict)
    return parsed


@pytest.fixture
def http_manifest(cli: CliRunner) -> dict[str, Any]:
    return printed(cli, "--url", URL)


@pytest.fixture
def socket_manifest(cli: CliRunner) -> dict[str, Any]:
    return printed(cli, "--socket-mode")


# ----------------------------------------------------------------- the tests
@pytest.mark.parametrize("mode", ["http", "socket"])
def test_the_manifest_has_only_documented_fields_of_the_documented_types(
    mode: str, http_manifest: dict[str, Any], socket_manifest: dict[str, Any]
) -> None:
    manifest = http_manifest if mode == "http" else socket_manifest
    assert check_schema(manifest, SCHEMA) == []
    for path, limit in LIMITS.items():
        for value in field_values(manifest, path):
            assert 0 < len(value) <= limit, (path, value)
    assert manifest["_metadata"]["major_version"] in (1, 2)
    for shortcut in manifest["features"]["shortcuts"]:
        assert shortcut["type"] in ("global", "message")
    (display_name,) = field_values(manifest, ("features", "bot_user", "display_name"))
    assert re.fullmatch(r"[a-z0-9._-]+", display_name)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) <= BOT_SCOPES
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert re.fullmatch(r"[a-z_]+(\.[a-z]+)?", event)
    # what the issue asks for
    assert manifest["display_information"]["name"] == "Mentorship"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["org_deploy_enabled"] is False
    assert manifest["settings"]["token_rotation_enabled"] is False


def test_http_mode_sends_events_interactions_and_the_command_to_the_url(
    http_manifest: dict[str, Any],
) -> None:
    settings = http_manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == URL
    assert settings["interactivity"]["request_url"] == URL
    assert [c["url"] for c in http_manifest["features"]["slash_commands"]] == [URL]


def test_socket_mode_drops_every_request_url(socket_manifest: dict[str, Any]) -> None:
    assert socket_manifest["settings"]["socket_mode_enabled"] is True
    urls = [key for key, _ in all_keys(socket_manifest) if key.endswith("url")]
    assert urls == []
    # the rest is the same app
    assert socket_manifest["features"]["shortcuts"]
    assert socket_manifest["features"]["slash_commands"]


def test_every_web_api_method_the_code_calls_has_its_scopes_requested(
    http_manifest: dict[str, Any],
) -> None:
    calls = code_calls()
    assert "chat.postMessage" in calls and "views.publish" in calls  # the reader reads
    unmapped = {m: at for m, at in calls.items() if m not in manifest_module.METHOD_SCOPES}
    assert unmapped == {}, "add these Web API methods to METHOD_SCOPES (manifest.py)"
    requested = set(http_manifest["oauth_config"]["scopes"]["bot"])
    for method in calls:
        missing = set(manifest_module.METHOD_SCOPES[method]) - requested
        assert not missing, f"{method} needs {missing}"


def test_no_scope_is_requested_for_a_method_the_code_no_longer_calls(
    http_manifest: dict[str, Any],
) -> None:
    calls = code_calls()
    assert set(manifest_module.METHOD_SCOPES) - set(calls) == set()
    needed = {"commands"} | {
        scope
        for needs in (
            *manifest_module.METHOD_SCOPES.values(),
            *manifest_module.EVENT_SCOPES.values(),
        )
        for scope in needs
    }
    assert set(http_manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_the_reader_notices_a_new_method_and_a_computed_api_call() -> None:
    source = (
        "async def f(client, web):\n"
        "    await client.reactions_add(name='x')\n"
        "    await web.conversations_open(users='U1')\n"
        "    await client.api_call('pins.add')\n"
        "    await client.api_call(api_method=name)\n"
        "    await client.files_upload_v2(content='x')\n"
    )
    calls = web_api_calls(source)
    assert {"reactions.add", "conversations.open", "pins.add"} <= set(calls)
    assert {"files.getUploadURLExternal", "files.completeUploadExternal"} <= set(calls)
    assert any(m.startswith("<api_call with a computed method") for m in calls)
    assert not set(calls) & {"reactions.add", "pins.add"} & set(manifest_module.METHOD_SCOPES)


def test_every_event_the_app_registers_is_subscribed(http_manifest: dict[str, Any]) -> None:
    events = registered("event")
    assert events, "no app.event registrations found"
    names = []
    for where, arg in events:
        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), where
        names.append(arg.value)
    subscribed = set(http_manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "user_change"} <= set(names)
    for name in names:
        assert name in subscribed or name in manifest_module.UNSUBSCRIBED_EVENTS, name
    # and nothing is subscribed that nobody listens to
    assert subscribed <= set(names)
    # the events left out are acknowledged and nothing more
    events_source = (BOT / "handlers/slack/events.py").read_text(encoding="utf-8")
    for name in manifest_module.UNSUBSCRIBED_EVENTS:
        assert f'app.event("{name}")(ignore)' in events_source


def test_the_event_scopes_are_requested(http_manifest: dict[str, Any]) -> None:
    requested = set(http_manifest["oauth_config"]["scopes"]["bot"])
    for event in http_manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert set(manifest_module.EVENT_SCOPES[event]) <= requested


def test_the_shortcut_and_the_slash_command_are_the_ones_the_app_registers(
    cli: CliRunner, http_manifest: dict[str, Any]
) -> None:
    shortcuts = registered("shortcut")
    assert [
        (arg.id if isinstance(arg, ast.Name) else getattr(arg, "value", None))
        for _, arg in shortcuts
    ] == ["SHORTCUT_CALLBACK"]
    assert [s["callback_id"] for s in http_manifest["features"]["shortcuts"]] == [SHORTCUT_CALLBACK]
    assert SHORTCUT_CALLBACK == "mentorship_request"
    assert http_manifest["features"]["shortcuts"][0]["type"] == "global"
    # the command is the one registered: Settings.slack_command, through bootstrap
    (command,) = [arg for _, arg in registered("command")]
    assert isinstance(command, ast.Name) and command.id == "command"
    assert "command=self.settings.slack_command" in (BOT / "bootstrap.py").read_text()
    assert [c["command"] for c in http_manifest["features"]["slash_commands"]] == ["/mentorship"]
    hint = http_manifest["features"]["slash_commands"][0]["usage_hint"]
    assert "queue" in hint and "help" in hint


def test_the_slash_command_follows_the_setting(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MENTORBOT_SLACK_COMMAND", "/mentor")
    manifest = printed(cli, "--url", URL, "--name", "Campus Mentors")
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/mentor"]
    assert manifest["display_information"]["name"] == "Campus Mentors"
    assert manifest["features"]["bot_user"]["display_name"] == "campus-mentors"


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([], "--url"),
        (["--url", "http://mentors.example.org/slack/events"], "https://"),
        (["--url", "mentors.example.org"], "https://"),
        (["--url", URL, "--name", "x" * 36], "35"),
    ],
)
def test_a_manifest_slack_would_refuse_is_a_usage_error(
    cli: CliRunner, args: list[str], said: str
) -> None:
    assert said in usage_error(cli.invoke(main, ["slack", "manifest", *args]))


def test_a_command_slack_would_refuse_is_a_usage_error(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MENTORBOT_SLACK_COMMAND", "/Mentor Ship")
    output = usage_error(cli.invoke(main, ["slack", "manifest", "--url", URL]))
    assert "MENTORBOT_SLACK_COMMAND" in output


def test_mentorbot_slack_still_runs_the_bot_and_manifest_does_not(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def run_slack(*args: Any, **kwargs: Any) -> None:
        runs.append((args, kwargs))

    monkeypatch.setattr("bot.handlers.slack.runner.run_slack", run_slack)
    result = cli.invoke(main, ["slack", "--http", "--host", "0.0.0.0", "--port", "3100"])
    assert result.exit_code == 0, result.output
    ((args, kwargs),) = runs
    given = [*args, *kwargs.values()]
    assert True in given and "0.0.0.0" in given and 3100 in given
    runs.clear()
    printed(cli, "--url", URL)
    assert runs == []
    help_text = cli.invoke(main, ["slack", "--help"]).output
    assert "manifest" in help_text and "--http" in help_text
