"""Every command the README shows runs as written (issue 13, item 8).

The commands are read from the README itself: the lines of its ``sh`` code blocks and
every inline code span that starts with a command (``.venv/bin/mentorbot …``,
``mentorbot …``, ``make …``, ``scripts/…``, ``benchmarks/…``, ``python …``, ``docker …``),
including the ``admin export …`` spans that continue a ``mentorbot`` one in a table row.
Each must match a rule below: either what this test runs for it (benchmarks with their
smallest sizes, placeholders such as DIR and NAME filled in), in a subprocess with a
timeout, expecting exit 0 and no traceback; or the reason it cannot run here (a real
token, a Docker daemon, a process that runs until stopped), naming the test that covers
it. A command added to the README without a rule fails the first test.

All of it runs on a demo database made once (``mentorbot console`` seeds the demo cast),
copied for each command; benchmarks also use the local PostgreSQL (``TEST_DATABASE_URL``,
each in a schema of its own) when it answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
MENTORBOT = str(VENV_BIN / "mentorbot")
TIMEOUT = 60
PROGRAMS = (".venv/bin/", "mentorbot", "make", "scripts/", "benchmarks/", "python", "docker")
SUBCOMMANDS = ("admin", "db", "catalogue", "console", "run", "slack", "telegram", "worker")
BENCHMARKS = sorted(p.stem for p in (REPO / "benchmarks").glob("*.py") if p.stem[0] != "_")
DEMO_SCRIPT = "/as alice\n/my\n/limits\n/as bob\n/queue\n"


# ---------------------------------------------------------------------- reading the README


def _command(span: str) -> str | None:
    """The span as a command, or None when it is not one (a path, a setting, a word)."""
    text = " ".join(span.replace("\\|", "|").split())
    words = text.split()
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value before the program
        words = words[1:]
    if not words or not words[0].startswith(PROGRAMS):
        return None
    if len(words) == 1 and not words[0].startswith(("scripts/", "benchmarks/")):
        return None  # the name of a program, not a command
    return text


def readme_commands(markdown: str) -> list[str]:
    found: list[str] = []
    in_block, block_lang = False, ""
    for line in markdown.splitlines():
        fence = re.match(r"\s*```(\w*)", line)
        if fence:
            in_block, block_lang = not in_block, fence.group(1)
            continue
        if in_block:
            if block_lang in ("sh", "bash", "shell", "console"):
                command = _command(line.split(" #")[0].strip().removeprefix("$ "))
                if command:
                    found.append(command)
            continue
        program = ""
        for span in re.findall(r"`([^`]+)`", line):
            command = _command(span)
            first = span.split()[0] if span.split() else ""
            if command is None and program and (first.startswith("-") or first in SUBCOMMANDS):
                command = f"{program} {span.replace(chr(92) + '|', '|')}"  # `admin export …`
            if command is None:
                continue
            if "mentorbot" in command.split()[0] and line.lstrip().startswith("|"):
                program = command.split()[0]  # a table row: the next spans may continue it
            found.append(command)
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------------- what runs for each


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, connect_timeout=3):
            return url
    except Exception:
        return None


POSTGRES = _postgres_url()


def _bootstrapped() -> bool:
    """Whether ``scripts/bootstrap`` would do nothing (else it would pip install)."""
    listing = sorted(str(p.relative_to(REPO)) for p in REPO.glob("*/__init__.py"))
    wanted = (REPO / "pyproject.toml").read_bytes() + "".join(f"{p}\n" for p in listing).encode()
    stamp = REPO / ".venv" / ".mentorbot-pyproject.sha256"
    return stamp.exists() and stamp.read_text().strip() == hashlib.sha256(wanted).hexdigest()


@dataclass
class Run:
    argvs: list[list[str]]  # one or more runs (an alternative such as csv|json: each)
    bootstraps: bool = False  # goes through scripts/bootstrap
    needs_postgres: bool = False
    check: Callable[[str], None] | None = None  # on stdout
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)


def _dbs(sqlite: str, postgres: str) -> str:
    return f"{sqlite},{postgres}" if POSTGRES else sqlite


def _json(out: str) -> None:
    assert isinstance(json.loads(out), dict)


LIFECYCLE = [
    "--lifecycles",
    "3",
    "--races",
    "1",
    "--racers",
    "5",
    "--db",
    _dbs("sqlite", "postgres"),
]
BACKENDS = _dbs("sqlite", "postgresql")
FEW_PEOPLE = ["--students", "3", "--claims", "2", "--mentors", "2", "--warmup", "1"]


def _tiny_benchmark(name: str) -> Run:
    tiny = {
        "lifecycle": [*LIFECYCLE],
        "sweep_scaling": ["--sizes", "2000,5000", "--repeat", "1"],
        "delivery_rate": ["--messages", "20", "--chats", "5", "--db", _dbs("sqlite", "postgres")],
        "telegram_throughput": [*FEW_PEOPLE, "--backends", BACKENDS],
        "slack_throughput": [*FEW_PEOPLE, "--concurrency", "4", "--backends", BACKENDS],
        "soak": ["--seconds", "3", "--processes", "1", "--delivering", "1", "--tasks", "1"],
        "hot_path": ["--tiny"],
    }[name]
    return Run(
        [[PYTHON, "-m", f"benchmarks.{name}", *tiny]],
        needs_postgres=name in ("sweep_scaling", "soak", "hot_path"),
    )


NOT_RUN = "not run here: "
# README command (a regex, whole) -> what this test runs, or why it cannot run here
RULES: list[tuple[str, Run | str]] = [
    (r"scripts/run", Run([["scripts/run"]], bootstraps=True)),
    (
        r"scripts/run console --script FILE",
        Run([["scripts/run", "console", "--script", "demo.txt"]], bootstraps=True),
    ),
    (r"scripts/test", NOT_RUN + "the whole suite, this test included; CI runs it (.ci/run)"),
    (r"make lint", NOT_RUN + "ruff and mypy over the tree: the checks scripts/test runs first"),
    (r"make format", NOT_RUN + "it rewrites the working tree"),
    (r"make migrate", Run([["make", "-s", "-C", str(REPO), "migrate"]], bootstraps=True)),
    (
        r"make bench( ARGS=.*)?",
        Run(
            [
                [
                    "make",
                    "-s",
                    "-C",
                    str(REPO),
                    "bench",
                    "ARGS=" + " ".join(LIFECYCLE),
                ]
            ],
            bootstraps=True,
        ),
    ),
    (r"mentorbot console", Run([[MENTORBOT, "console"]])),  # at the end of its input it stops
    (r"mentorbot db upgrade", Run([[MENTORBOT, "db", "upgrade"]])),
    (r"mentorbot db current", Run([[MENTORBOT, "db", "current"]])),
    (r"mentorbot catalogue", Run([[MENTORBOT, "catalogue"]])),
    (r"mentorbot admin stats", Run([[MENTORBOT, "admin", "stats"]])),
    (
        r"mentorbot admin export --format csv\|json --output DIR \[--bom\]",
        Run(
            [
                [MENTORBOT, "admin", "export", "--format", "csv", "--output", "out", "--bom"],
                [MENTORBOT, "admin", "export", "--format", "json", "--output", "out"],
            ]
        ),
    ),
    (
        r"mentorbot admin export( --output DIR)?",
        Run([[MENTORBOT, "admin", "export", "--output", "x"]]),
    ),
    (r"mentorbot admin approve-mentor NAME", Run([[MENTORBOT, "admin", "approve-mentor", "dave"]])),
    (r"mentorbot admin grant( WHO)?", Run([[MENTORBOT, "admin", "grant", "alice"]])),
    (r"mentorbot --version", Run([[MENTORBOT, "--version"]])),
    (r"mentorbot --help", Run([[MENTORBOT, "--help"]])),
    (r"mentorbot (\w+) --help", Run([[MENTORBOT, "admin", "--help"], [MENTORBOT, "db", "--help"]])),
    (
        r"mentorbot slack manifest --url \S+ > manifest\.json",
        Run(
            [[MENTORBOT, "slack", "manifest", "--url", "https://bot.example.org/slack/events"]],
            check=_json,
        ),
    ),
    (
        r"mentorbot slack manifest --socket-mode > manifest\.json",
        Run([[MENTORBOT, "slack", "manifest", "--socket-mode"]], check=_json),
    ),
    (
        r"mentorbot slack manifest",
        Run([[MENTORBOT, "slack", "manifest", "--socket-mode"]], check=_json),
    ),
    *[(rf"python -m benchmarks\.{name}", _tiny_benchmark(name)) for name in BENCHMARKS],
    (
        r"python benchmarks/NAME\.py",  # every benchmark also runs as a script
        Run([[PYTHON, f"benchmarks/{name}.py", "--help"] for name in BENCHMARKS]),
    ),
    *[
        (rf"benchmarks/{name}\.py", Run([[PYTHON, f"benchmarks/{name}.py", "--help"]]))
        for name in BENCHMARKS
    ],
    (
        r"(MENTORBOT_\w+=\S+ )*mentorbot telegram.*",
        NOT_RUN + "needs a token from @BotFather and runs until stopped; "
        "tests/telegram/test_runner_process.py runs it against a fake Bot API",
    ),
    (
        r"mentorbot slack --http.*|mentorbot slack",
        NOT_RUN + "needs Slack's tokens and runs until stopped; tests/slack/ runs the app",
    ),
    (
        r"mentorbot worker.*",
        NOT_RUN + "runs until stopped; the worker tests start it as a process",
    ),
    (
        r"docker .*",
        NOT_RUN + "no Docker daemon on these machines; tests/integration/"
        "test_deployment_files.py checks the Dockerfile and compose.yaml",
    ),
]


def _rule(command: str) -> Run | str | None:
    plain = re.sub(r"(^|\s)\.venv/bin/(?=mentorbot|python)", r"\1", command)
    for pattern, what in RULES:
        if re.fullmatch(pattern, plain):
            return what
    return None


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------- the tests


def test_every_readme_command_is_run_or_explained() -> None:
    assert {"scripts/run", "scripts/test", ".venv/bin/mentorbot db upgrade", "make bench"} <= set(
        COMMANDS
    ), COMMANDS  # the reading itself works
    unknown = [c for c in COMMANDS if _rule(c) is None]
    assert not unknown, (
        "README commands with no rule in tests/integration/test_readme_commands.py "
        f"(add what to run, or why it cannot run here): {unknown}"
    )


def test_the_readme_reader_finds_commands_in_blocks_tables_and_continued_spans() -> None:
    sample = "\n".join(
        [
            "```sh",
            "scripts/run      # comment",
            "```",
            "| `.venv/bin/mentorbot admin stats` / `admin grant WHO` / `--version` | x `a` |",
            "Run `X=1 .venv/bin/mentorbot telegram` or `python -m benchmarks.lifecycle`;",
            "the `mentorbot` command, `bot/config.py`, `--listen 0.0.0.0`.",
            "```",
            "core/   not a command",
            "```",
        ]
    )
    assert readme_commands(sample) == [
        "scripts/run",
        ".venv/bin/mentorbot admin stats",
        ".venv/bin/mentorbot admin grant WHO",
        ".venv/bin/mentorbot --version",
        "X=1 .venv/bin/mentorbot telegram",
        "python -m benchmarks.lifecycle",
    ]


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo cast, made by the console as the README describes."""
    folder = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [MENTORBOT, "console"],
        input="",
        cwd=folder,
        env=_env(folder),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    return folder / "mentorbot.db"


def _env(folder: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MENTORBOT_") and k not in ("DATABASE_URL", "PYTHONPATH")
    }
    env.update(DATABASE_URL=f"sqlite:///{folder / 'mentorbot.db'}", MENTORBOT_QUIET_INSTALL="1")
    if POSTGRES:
        env["TEST_DATABASE_URL"] = POSTGRES
    return env


RUNNABLE = [c for c in COMMANDS if isinstance(_rule(c), Run)]


def _cannot_run(why: str) -> None:
    """Skipped on a developer's machine; with CI=true every command must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, but {why}")
    pytest.skip(why)


@pytest.mark.parametrize("command", RUNNABLE)
def test_readme_command_runs(command: str, demo_database: Path, tmp_path: Path) -> None:
    run = _rule(command)
    assert isinstance(run, Run)
    if run.bootstraps and not _bootstrapped():
        _cannot_run("scripts/bootstrap would reinstall (pyproject.toml changed): run it first")
    if run.needs_postgres and POSTGRES is None:
        _cannot_run("needs PostgreSQL (TEST_DATABASE_URL)")
    shutil.copy(demo_database, tmp_path / "mentorbot.db")
    (tmp_path / "demo.txt").write_text(DEMO_SCRIPT)
    for argv in run.argvs:
        where = REPO if argv[0] == PYTHON else tmp_path  # `python -m benchmarks.…`: the root
        program = str(REPO / argv[0]) if argv[0].startswith("scripts/") else argv[0]
        result = subprocess.run(
            [program, *argv[1:]],
            input=run.stdin,
            cwd=where,
            env=_env(tmp_path) | run.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        shown = f"{' '.join(argv)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        assert result.returncode == 0, shown
        assert "Traceback" not in result.stdout + result.stderr, shown
        if run.check is not None:
            run.check(result.stdout)
