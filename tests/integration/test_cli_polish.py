"""The ``mentorbot`` command's rough edges (issue 13, item 8): ``--version``, help lines
never cut with "...", and an admin command that did nothing exits 1 with one line on
stderr, while one that worked exits 0."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import main
from core.clock import MovableClock
from core.members import Identity, Platform
from core.services.members import register_member
from core.services.mentors import apply_as_mentor
from tests.integration.helpers import START, make_context


def _groups(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every group's command path, the top level first (``()``, ``("admin",)``...)."""
    found = [path]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _groups(command, (*path, name))
    return found


def test_version_prints_the_installed_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"], env={"DATABASE_URL": "sqlite:///:memory:"})
    assert result.exit_code == 0
    assert result.output == f"mentorbot {version('mentorbot')}\n"


@pytest.mark.parametrize("width", [80, 200])
def test_no_help_line_is_cut(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    groups = _groups(main)
    assert ("admin",) in groups and ("db",) in groups
    for path in groups:
        result = CliRunner().invoke(
            main, [*path, "--help"], prog_name="mentorbot", terminal_width=width
        )
        assert result.exit_code == 0, result.output
        usage, *rest = result.output.splitlines()  # "Usage: … [ARGS]..." is click's own
        assert usage.startswith("Usage: mentorbot")
        for line in rest:
            assert not line.rstrip().endswith(("...", "…")), f"{' '.join(path)}: {line!r}"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}


def _admin(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["admin", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_admin_commands_exit_1_with_one_line_when_nothing_was_done(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert _admin(env, "stats")[0] == 0  # migrates the empty database
    ctx = make_context(env["DATABASE_URL"], MovableClock(START))
    alice, _ = register_member(ctx, Identity(Platform.CONSOLE, "alice"), "Alice")
    dave, _ = register_member(ctx, Identity(Platform.CONSOLE, "dave"), "Dave")
    apply_as_mentor(
        ctx, dave.id, domain="Backend", years_experience=5, bio="I build APIs.", expertise_tags=[]
    )

    refused = {
        ("approve-mentor", "nobody"): "No member called 'nobody'.",
        ("approve-mentor", "alice"): "Alice has not applied as a mentor.",
        ("approve-mentor", "99999"): "There is no mentor #99999.",
        ("grant", "nobody"): "No member called 'nobody'.",
    }
    for args, message in refused.items():
        code, out, err = _admin(env, *args)
        assert (code, out, err) == (1, "", message + "\n"), args

    assert _admin(env, "approve-mentor", "dave") == (0, f"Mentor {dave.id} approved.\n", "")
    assert _admin(env, "approve-mentor", "dave")[0] == 0  # again: harmless, still done
    assert _admin(env, "grant", "alice") == (0, f"Alice (member {alice.id}) is an admin.\n", "")
    code, out, err = _admin(env, "stats")
    assert code == 0 and out and not err

    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    code, out, err = _admin(env, "export", "--output", str(a_file))
    assert code == 1 and not out and len(err.splitlines()) == 1 and "not a folder" in err
    code, out, err = _admin(env, "export", "--output", str(tmp_path / "export"))
    assert code == 0 and out.startswith("wrote ") and not err


def _bootstrap(project: Path, *, terminal: bool) -> tuple[str, list[str]]:
    """``scripts/bootstrap`` in a copy whose ``.venv/bin/python`` only records its
    arguments; stderr at a terminal (a pty) or a pipe. What it said, and the pip calls."""
    import os
    import pty
    import shutil
    import subprocess

    repo = Path(__file__).resolve().parents[2]
    (project / "scripts").mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "scripts" / "bootstrap", project / "scripts" / "bootstrap")
    shutil.copy(repo / "pyproject.toml", project / "pyproject.toml")
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True, exist_ok=True)
    python.write_text(f'#!/bin/sh\necho "$*" >> {project}/pip.log\n')
    python.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "MENTORBOT_QUIET_INSTALL")}
    if terminal:
        leader, follower = pty.openpty()
        subprocess.run(["scripts/bootstrap"], cwd=project, env=env, stderr=follower, check=True)
        os.close(follower)
        try:
            said = os.read(leader, 65536).decode()
        except OSError:  # nothing was written: Linux answers EIO once the follower is closed
            said = ""
        os.close(leader)
    else:
        done = subprocess.run(
            ["scripts/bootstrap"], cwd=project, env=env, capture_output=True, text=True, check=True
        )
        said = done.stderr
    log = project / "pip.log"
    calls = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return said, calls


def test_the_first_install_says_so_and_shows_pips_progress_at_a_terminal(tmp_path: Path) -> None:
    said, calls = _bootstrap(tmp_path / "tty", terminal=True)
    assert "first run, about a minute" in said
    assert len(calls) == 1 and "--progress-bar on" in calls[0] and "--quiet" not in calls[0]
    assert _bootstrap(tmp_path / "tty", terminal=True) == ("", [])  # nothing changed: silent

    said, calls = _bootstrap(tmp_path / "pipe", terminal=False)  # CI, a log file: quiet pip
    assert "first run" in said and len(calls) == 1 and "--quiet" in calls[0]
