"""The deployment files (issue 13, item 7): ``Dockerfile``, ``compose.yaml`` and the
systemd units in ``deploy/``.

There is no Docker daemon here, so the files' content is checked against the code:
the image's entry point is the package's console script; every command the files run is
a real ``mentorbot`` command with real options (resolved through the click group
``bot.cli.main``, values parsed by click); the health check asks ``/healthz``; the ports
are the settings' and the CLI's defaults; the final image runs as a user of its own; and
the processes are configured only with variables that ``bot/config.py`` (or the code)
reads.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import click
import pytest

from bot.cli import main
from bot.config import Settings
from bot.config_values import check_database_url

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
COMPOSE = REPO / "compose.yaml"
UNITS = sorted((REPO / "deploy").glob("*.service"))


# ----------------------------------------------------------------- what the code knows
@cache
def bot_string_constants() -> frozenset[str]:
    found = set()
    for path in (REPO / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return frozenset(found)


@cache
def known_variables() -> frozenset[str]:
    """``DATABASE_URL`` and ``MENTORBOT_<FIELD>`` for every Settings field (and its
    aliases), plus any ``MENTORBOT_…`` name the code reads by itself (a string constant
    that is exactly the name, e.g. ``bot.logging_setup``'s ``MENTORBOT_LOG_CONTENT``)."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names = set()
    for name, info in Settings.model_fields.items():
        names.add((prefix + name).upper())
        alias = info.validation_alias
        choices = getattr(alias, "choices", [alias] if isinstance(alias, str) else [])
        names.update(str(choice).upper() for choice in choices if isinstance(choice, str))
    names.update(c for c in bot_string_constants() if re.fullmatch(r"MENTORBOT_[A-Z0-9_]+", c))
    return frozenset(names)


def allowed_variables() -> frozenset[str]:
    return known_variables()


def metrics_port() -> int:
    """The default of ``MENTORBOT_METRICS_PORT``."""
    default = Settings.model_fields["metrics_port"].default
    assert isinstance(default, int), "Settings.metrics_port has no plain default"
    return default


def shutdown_limit() -> float:
    """How long a process may take after SIGTERM (the issue: 10 s, configurable)."""
    return float(Settings.model_fields["shutdown_seconds"].default)


def option_default(command: str, option: str) -> Any:
    cmd = main.get_command(click.Context(main), command)
    assert cmd is not None
    (param,) = [p for p in cmd.params if option in p.opts]
    return param.default


# ----------------------------------------------------------------- commands, resolved
@dataclass
class Resolved:
    path: list[str]
    params: dict[str, Any]


def takes_value(cmd: click.Command, token: str) -> bool:
    name = token.split("=", 1)[0]
    for param in cmd.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return not param.is_flag and "=" not in token
    raise click.NoSuchOption(name)


def resolve(argv: list[str]) -> Resolved:
    """``mentorbot ARGV`` through the real click group: each word a command, each option
    one of that command's, each value of its type. Raises click's UsageError if not."""
    cmd: click.Command = main
    ctx = click.Context(main, info_name="mentorbot")
    args, path, params = list(argv), [], {}
    while True:
        name = path[-1] if path else "mentorbot"
        if isinstance(cmd, click.Group):
            i = 0
            while i < len(args) and args[i].startswith("-"):
                i += 2 if takes_value(cmd, args[i]) else 1
            parent = ctx if path else None
            if i:  # its own options, parsed by click
                ctx = cmd.make_context(name, args[:i], parent=parent)
            else:  # none (a group given no arguments would print its help)
                ctx = click.Context(cmd, info_name=name, parent=parent)
            params.update(ctx.params)
            if i == len(args):
                assert path and cmd.invoke_without_command, f"{' '.join(argv)}: no command"
                return Resolved(path, params)
            word = args[i]
            sub = cmd.get_command(ctx, word)
            if sub is None:
                raise click.UsageError(f"no such command: {word!r}")
            cmd, args, path = sub, args[i + 1 :], [*path, word]
        else:
            ctx = cmd.make_context(name, args, parent=ctx)
            params.update(ctx.params)
            return Resolved(path, params)


def test_the_resolver_refuses_what_the_cli_would() -> None:
    assert resolve(["db", "upgrade"]).path == ["db", "upgrade"]
    assert resolve(["slack", "--http", "--port", "3000"]).params["port"] == 3000
    assert resolve(["slack", "manifest", "--socket-mode"]).path == ["slack", "manifest"]
    assert resolve(["telegram", "--port", "8443"]).params["port"] == 8443
    assert resolve(["worker"]).path == ["worker"]
    assert resolve(["telegram", "--no-worker"]).params["no_worker"] is True
    for bad in (
        ["db", "downgrade"],
        ["telegram", "--webhok", "https://x"],
        ["telegram", "--port", "many"],
        ["nonsense"],
        ["slack", "x"],
        ["worker", "--no-worker"],
    ):
        with pytest.raises(click.UsageError):
            resolve(bad)


# ----------------------------------------------------------------- a small YAML reader
class YamlSubsetError(ValueError):
    pass


def _strip_comment(line: str) -> str:
    quote = None
    for i, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] == " "):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str) -> Any:
    if text[:1] in '[{"':
        return json.loads(text)  # flow collections and double quotes: JSON's syntax here
    if text[:1] == "'":
        if not text.endswith("'"):
            raise YamlSubsetError(text)
        return text[1:-1].replace("''", "'")
    if text[:1] in "&*|>!%@`":
        raise YamlSubsetError(f"not in the subset this test reads: {text}")
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text


def parse_yaml(text: str) -> Any:
    """The block mappings, block sequences of scalars, JSON-style flow collections and
    plain or quoted scalars that compose.yaml is written in; anything else is an error
    (PyYAML is not a dependency; where it is installed, it must read the same)."""
    lines = []
    for raw in text.splitlines():
        if "\t" in raw:
            raise YamlSubsetError("tab")
        content = _strip_comment(raw)
        if content.strip():
            lines.append((len(content) - len(content.lstrip(" ")), content.strip()))

    def block(i: int, indent: int) -> tuple[Any, int]:
        if lines[i][1].startswith("- "):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
                item = lines[i][1][2:].strip()
                if re.match(r"^[\w.-]+:( |$)", item):
                    raise YamlSubsetError(f"a mapping in a sequence: {item}")
                items.append(_scalar(item))
                i += 1
            return items, i
        mapping: dict[str, Any] = {}
        while i < len(lines) and lines[i][0] == indent:
            match = re.fullmatch(r"([\w.-]+):(?: (.*))?", lines[i][1])
            if not match:
                raise YamlSubsetError(f"line not understood: {lines[i][1]}")
            key, rest = match.group(1), (match.group(2) or "").strip()
            if key in mapping:
                raise YamlSubsetError(f"duplicate key {key}")
            if rest:
                mapping[key], i = _scalar(rest), i + 1
            elif i + 1 < len(lines) and lines[i + 1][0] > indent:
                mapping[key], i = block(i + 1, lines[i + 1][0])
            else:
                mapping[key], i = None, i + 1
        if i < len(lines) and lines[i][0] > indent:
            raise YamlSubsetError(f"bad indentation: {lines[i][1]}")
        return mapping, i

    value, end = block(0, lines[0][0])
    if end != len(lines):
        raise YamlSubsetError(f"not read: {lines[end][1]}")
    return value


@cache
def compose() -> dict[str, Any]:
    text = COMPOSE.read_text(encoding="utf-8")
    parsed = parse_yaml(text)
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        pass
    else:
        assert yaml.safe_load(text) == parsed
    assert isinstance(parsed, dict)
    return parsed


def mentorbot_services() -> dict[str, dict[str, Any]]:
    """The services that run the image built here."""
    return {n: s for n, s in compose()["services"].items() if s.get("build") == "."}


def long_running() -> dict[str, dict[str, Any]]:
    return {n: s for n, s in mentorbot_services().items() if s["command"] != ["db", "upgrade"]}


def test_the_yaml_reader_reads_what_yaml_means() -> None:
    text = 'a:\n  b: [1, "x"]\n  c:\n    - "8443:8443"\n    - plain # note\n  d: "no"\n  e: {}\n'
    assert parse_yaml(text) == {
        "a": {"b": [1, "x"], "c": ["8443:8443", "plain"], "d": "no", "e": {}}
    }
    for unread in ("a: &x 1\n", "a:\n  - b: 1\n", "a: |\n  x\n", "a: 1\na: 2\n"):
        with pytest.raises(YamlSubsetError):
            parse_yaml(unread)


# ----------------------------------------------------------------- the Dockerfile
@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[tuple[str, str]]

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


@cache
def stages() -> list[Stage]:
    text = DOCKERFILE.read_text(encoding="utf-8")
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if current and line.lstrip().startswith("#"):
            continue  # a comment inside a continued instruction
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        logical.append(current.strip())
        current = ""
    assert not current, "a continued line at the end"
    result: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+ )?(\S+)(?: [Aa][Ss] (\S+))?", args.strip())
            assert match, line
            result.append(Stage(match.group(1), match.group(2), []))
        else:
            assert result, f"{line}: before FROM"
            result[-1].instructions.append((keyword, args.strip()))
    return result


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def test_the_image_is_multi_stage_and_the_final_stage_is_slim_and_not_root() -> None:
    build, final = stages()[0], stages()[-1]
    assert len(stages()) >= 2
    assert final.base == "python:3.11-slim"
    # the final stage takes the built virtualenv, not the sources or the build tools
    copies = final.all("COPY")
    assert copies and all(c.startswith(f"--from={build.name}") for c in copies), copies
    assert not any("pip install" in run for run in final.all("RUN"))
    users = final.all("USER")
    assert users, "the final stage sets no USER: it would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    # the user is created in the final stage
    assert any(users[-1].split(":")[0] in run for run in final.all("RUN"))


def test_the_build_stage_installs_the_package_as_pyproject_builds_it() -> None:
    build = stages()[0]
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    copied = " ".join(build.all("COPY")).split()
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    for needed in ["pyproject.toml", project["project"]["readme"], *packages]:
        assert needed in copied or f"./{needed}" in copied, f"{needed} is not copied"
    assert any(re.search(r"pip install (--\S+ )*\.(\s|$)", run) for run in build.all("RUN"))
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    for needed in ["pyproject.toml", project["project"]["readme"], *packages]:
        assert needed not in ignored


def test_the_entry_point_is_the_packages_console_script() -> None:
    final = stages()[-1]
    (entrypoint,) = final.all("ENTRYPOINT")
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    program, *args = exec_form(entrypoint)
    assert program in scripts and args == []
    assert scripts[program] == "bot.cli:main"  # the click group every check resolves through
    (cmd,) = final.all("CMD")
    resolve(exec_form(cmd))  # the default command is a real one


def test_the_healthcheck_asks_healthz_on_the_metrics_port_without_curl() -> None:
    final = stages()[-1]
    (check,) = final.all("HEALTHCHECK")
    assert re.search(r"""['"]/healthz['"]""", check), check  # the path, exactly
    assert "MENTORBOT_METRICS_PORT" in check and str(metrics_port()) in check
    assert "127.0.0.1" in check
    assert "curl" not in check and "wget" not in check  # neither is in the slim image
    assert re.search(r"--timeout=\d+s", check) and re.search(r"--interval=\d+s", check)
    probe = exec_form(check.split(" CMD ", 1)[1])
    assert probe[0] == "python"
    compile(probe[probe.index("-c") + 1], "<healthcheck>", "exec")
    assert "/healthz" in bot_string_constants()  # the path the health server serves


def test_exposed_ports_are_the_defaults() -> None:
    exposed = {int(p.split("/")[0]) for e in stages()[-1].all("EXPOSE") for p in e.split()}
    assert exposed == {
        metrics_port(),
        option_default("telegram", "--port"),
        option_default("slack", "--port"),
    }


def test_the_dockerfile_sets_no_unknown_setting() -> None:
    for stage in stages():
        for env in stage.all("ENV"):
            for name in re.findall(r"(\w+)=", env):
                assert not name.startswith("MENTORBOT_") or name in allowed_variables()


# ----------------------------------------------------------------- compose.yaml
def test_compose_has_postgres_a_front_end_and_a_worker() -> None:
    services = compose()["services"]
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    (volume,) = postgres["volumes"]
    assert volume.split(":")[0] in compose()["volumes"]
    assert volume.split(":")[1] == "/var/lib/postgresql/data"
    commands = {n: resolve(s["command"]) for n, s in mentorbot_services().items()}
    paths = [r.path for r in commands.values()]
    assert paths.count(["worker"]) == 1
    assert ["db", "upgrade"] in paths
    front_ends = [n for n, r in commands.items() if r.path in (["telegram"], ["slack"])]
    default_front_ends = [n for n in front_ends if "profiles" not in services[n]]
    assert default_front_ends, "no front-end runs by default"
    for name in front_ends:
        # the scheduled work is the worker's alone
        assert "--no-worker" in services[name]["command"]


def test_every_compose_command_is_a_real_mentorbot_command() -> None:
    for name, service in mentorbot_services().items():
        resolved = resolve(service["command"])
        assert resolved.path, name
        assert service["image"] == mentorbot_services()[next(iter(mentorbot_services()))]["image"]


def test_compose_waits_for_a_healthy_database_and_the_migration() -> None:
    for name, service in mentorbot_services().items():
        depends = service["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        if name in long_running():
            assert depends["migrate"] == {"condition": "service_completed_successfully"}
            assert service["restart"] == "unless-stopped"
            grace = re.fullmatch(r"(\d+)s", service["stop_grace_period"])
            assert grace and int(grace.group(1)) > shutdown_limit()


def test_compose_ports_are_the_defaults_the_processes_listen_on() -> None:
    for name, service in long_running().items():
        resolved = resolve(service["command"])
        assert service["expose"] == [str(metrics_port())], name
        env = service["environment"]
        if "MENTORBOT_METRICS_PORT" in env:
            assert str(env["MENTORBOT_METRICS_PORT"]) == str(metrics_port())
        # reachable from the rest of the compose network, published to no host port
        assert env.get("MENTORBOT_METRICS_HOST") == "0.0.0.0", name
        published = [p.split(":") for p in service.get("ports", [])]
        if "port" in resolved.params:
            command = resolved.path[0]
            assert resolved.params["port"] == option_default(command, "--port")
            assert resolved.params["host" if command == "slack" else "listen"] == "0.0.0.0"
            assert published == [[str(resolved.params["port"])] * 2], name
        else:
            assert published == [], name


def test_compose_configures_only_known_settings_and_secrets_come_from_outside() -> None:
    secret_fields = {
        f"MENTORBOT_{name.upper()}"
        for name, info in Settings.model_fields.items()
        if "SecretStr" in str(info.annotation)
    }
    assert "MENTORBOT_TELEGRAM_TOKEN" in secret_fields
    for name, service in mentorbot_services().items():
        env = service["environment"]
        assert isinstance(env, dict), f"{name}: environment as a mapping"
        unknown = set(env) - allowed_variables()
        assert not unknown, f"{name}: {unknown} are not settings bot/config.py knows"
        for key in set(env) & (secret_fields | {"DATABASE_URL"}):
            value = str(env[key])
            if key == "DATABASE_URL":
                assert "${POSTGRES_PASSWORD:?" in value
                concrete = re.sub(r"\$\{[^}]*\}", "password", value)
                check_database_url(concrete)  # what Settings would say of it
                assert concrete.startswith("postgresql+psycopg://")
                assert "@postgres:5432/" in concrete
            else:
                assert re.fullmatch(rf"\$\{{{key}:[?-][^}}]*\}}", value), f"{name}: {key}"
    # a service that runs by default needs its own platform's secrets: ${VAR:?}
    telegram = next(s for s in long_running().values() if s["command"][0] == "telegram")
    assert telegram["environment"]["MENTORBOT_TELEGRAM_TOKEN"].startswith(
        "${MENTORBOT_TELEGRAM_TOKEN:?"
    )


# ----------------------------------------------------------------- systemd units
def unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        assert current is not None and "=" in line, f"{path.name}: {line}"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def one(entries: list[tuple[str, str]], key: str) -> str:
    values = [v for k, v in entries if k == key]
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def test_there_are_a_front_end_unit_and_a_worker_unit() -> None:
    names = {p.name for p in UNITS}
    assert {"mentorbot.service", "mentorbot-worker.service"} <= names
    commands = {p.name: one(unit(p)["Service"], "ExecStart").split()[1:] for p in UNITS}
    assert commands["mentorbot-worker.service"] == ["worker"]
    assert "--no-worker" in commands["mentorbot.service"]


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_a_systemd_unit_runs_a_real_command_as_its_own_user(path: Path) -> None:
    sections = unit(path)
    service = sections["Service"]
    program, *argv = one(service, "ExecStart").split()
    assert program == "/opt/mentorbot/.venv/bin/mentorbot"
    resolve(argv)
    assert one(service, "User") not in ("root", "0")
    assert one(service, "EnvironmentFile").startswith("/etc/mentorbot/")
    assert one(service, "Restart") == "on-failure"
    assert one(service, "KillSignal") == "SIGTERM"
    assert int(one(service, "TimeoutStopSec")) > shutdown_limit()
    assert one(sections["Install"], "WantedBy") == "multi-user.target"
    for _, value in [e for e in service if e[0] == "Environment"]:
        name, _, setting = value.partition("=")
        assert name in allowed_variables() or not name.startswith("MENTORBOT_"), name
        if name == "MENTORBOT_METRICS_PORT":
            assert int(setting) > 0


def test_the_units_serve_health_on_different_ports() -> None:
    ports = []
    for path in UNITS:
        env = dict(v.partition("=")[::2] for k, v in unit(path)["Service"] if k == "Environment")
        ports.append(env.get("MENTORBOT_METRICS_PORT", str(metrics_port())))
    assert len(set(ports)) == len(ports), ports
