"""Every ``mentorbot`` command starts or fails in one line (issue 12, items 8 and 9).

The real CLI in a subprocess, as an operator runs it: each bad setting gives one line
naming it and exit status 2; a database that is down, a malformed URL, a rejected or
missing token and a database that needs migrating give one line too; no traceback and
no secret unless ``--debug``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_telegram import FakeTelegram

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "pw-must-not-show-9931"
DOWN = f"postgresql+psycopg://mentor:{PASSWORD}@127.0.0.1:1/mentorbot"
TOKEN = "7012345678:AAH3x9Qk_fakeTokenForTestsOnly-0123"
OTHER_TOKEN = "7012345678:AAH3x9Qk_rejectedTokenForTests-9876"


def mentorbot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MENTORBOT_") and k != "DATABASE_URL"
    }
    clean.update(PYTHONPATH=str(REPO), DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


BAD_CATALOGUE = """
[groups.g]
label = "G"
limit = -1
[[types]]
code = "ONE"
label = "One"
group = "g"
"""

BAD_SETTINGS = {
    "negative limit": ({"MENTORBOT_MAX_ACTIVE_REQUESTS": "-1"}, "MENTORBOT_MAX_ACTIVE_REQUESTS"),
    "negative reminder offset": (
        {"MENTORBOT_REMINDER_OFFSETS_MINUTES": "[60, -5]"},
        "MENTORBOT_REMINDER_OFFSETS_MINUTES",
    ),
    "zero reminder offset, comma-separated": (
        {"MENTORBOT_REMINDER_OFFSETS_MINUTES": "60,0"},
        "MENTORBOT_REMINDER_OFFSETS_MINUTES",
    ),
    "unknown placeholder": (
        {"MENTORBOT_MEETING_LINK_TEMPLATE": "https://meet.example/{room}"},
        "MENTORBOT_MEETING_LINK_TEMPLATE",
    ),
    "unmatched brace": (
        {"MENTORBOT_MEETING_LINK_TEMPLATE": "https://meet.example/{token"},
        "MENTORBOT_MEETING_LINK_TEMPLATE",
    ),
    "admin not platform:id": ({"MENTORBOT_ADMINS": "telegram:1,discord:7"}, "MENTORBOT_ADMINS"),
    "admins broken JSON": ({"MENTORBOT_ADMINS": '["telegram:1"'}, "MENTORBOT_ADMINS"),
    "malformed database URL": ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    "negative expiry": ({"MENTORBOT_EXPIRY_DAYS": "-3"}, "MENTORBOT_EXPIRY_DAYS"),
    "body limit below 1 KiB": ({"MENTORBOT_MAX_BODY_BYTES": "10"}, "MENTORBOT_MAX_BODY_BYTES"),
    "no Slack work threads": (
        {"MENTORBOT_SLACK_WORK_THREADS": "0"},
        "MENTORBOT_SLACK_WORK_THREADS",
    ),
    "catalogue with a negative limit": ({"catalogue": BAD_CATALOGUE}, "MENTORBOT_CATALOGUE_PATH"),
}


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_each_bad_setting_is_one_line_naming_it_and_exit_2(tmp_path: Path, case: str) -> None:
    env, name = BAD_SETTINGS[case]
    env = dict(env)
    if "catalogue" in env:
        path = tmp_path / "catalogue.toml"
        path.write_text(env.pop("catalogue"))
        env["MENTORBOT_CATALOGUE_PATH"] = str(path)
    result = mentorbot(tmp_path, "db", "upgrade", **env)
    line = one_line(result)
    assert result.returncode == 2, (result.returncode, line)
    assert line.startswith(f"mentorbot: {name}"), line
    assert not (tmp_path / "bot.db").exists()  # nothing ran


def test_good_variants_are_accepted(tmp_path: Path) -> None:
    """Admins comma-separated or JSON; an empty variable is unset (the default)."""
    for admins in ("telegram:1, console:bob", '["telegram:1", "console:bob"]'):
        result = mentorbot(tmp_path, "db", "upgrade", MENTORBOT_ADMINS=admins)
        assert result.returncode == 0, result.stderr
    empty = mentorbot(tmp_path, "db", "current", DATABASE_URL="", MENTORBOT_EXPIRY_DAYS="")
    assert empty.returncode == 0, empty.stderr
    assert (tmp_path / "mentorbot.db").exists() or "not migrated" in empty.stdout


@pytest.mark.parametrize(
    "args",
    [("run",), ("db", "upgrade"), ("db", "current"), ("admin", "stats"), ("console",)],
)
def test_a_database_that_is_down_is_one_line_without_the_password(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = mentorbot(tmp_path, *args, DATABASE_URL=DOWN)
    line = one_line(result)
    assert result.returncode == 1
    assert "cannot use the database" in line and "127.0.0.1" in line
    assert PASSWORD not in line


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = mentorbot(tmp_path, "--debug", "db", "current", DATABASE_URL=DOWN)
    assert result.returncode == 1 and "Traceback" in result.stderr


def test_a_database_at_an_unknown_revision_says_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('ffffffff9999')")
    result = mentorbot(tmp_path, "admin", "stats")
    line = one_line(result)
    assert result.returncode == 1 and "mentorbot db upgrade" in line, line


def test_a_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = mentorbot(tmp_path, "telegram")
    assert "MENTORBOT_TELEGRAM_TOKEN" in one_line(result) and result.returncode == 2
    result = mentorbot(tmp_path, "slack", "--http")
    assert "MENTORBOT_SLACK_BOT_TOKEN" in one_line(result) and result.returncode == 2
    result = mentorbot(
        tmp_path, "slack", MENTORBOT_SLACK_BOT_TOKEN="xoxb-1", MENTORBOT_SLACK_SIGNING_SECRET="s"
    )
    assert "MENTORBOT_SLACK_APP_TOKEN" in one_line(result) and result.returncode == 2
    result = mentorbot(
        tmp_path,
        "telegram",
        "--webhook",
        "https://bot.example/tg",
        MENTORBOT_TELEGRAM_TOKEN="123:abc",
    )
    assert "MENTORBOT_TELEGRAM_WEBHOOK_SECRET" in one_line(result) and result.returncode == 2


async def test_a_rejected_telegram_token_is_one_line_and_never_printed(tmp_path: Path) -> None:
    fake = await FakeTelegram(TOKEN).start()
    try:
        import asyncio

        result = await asyncio.to_thread(
            mentorbot,
            tmp_path,
            "telegram",
            MENTORBOT_TELEGRAM_TOKEN=OTHER_TOKEN,
            MENTORBOT_TELEGRAM_API_URL=fake.url,
        )
    finally:
        await fake.close()
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert OTHER_TOKEN.split(":", 1)[1] not in output
    assert result.returncode == 2, output
    assert "MENTORBOT_TELEGRAM_TOKEN was rejected" in output
