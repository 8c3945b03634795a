"""The README's run command, as a newcomer runs it: ``scripts/run`` from their own folder,
no DATABASE_URL, no token, on the SQLite file it creates there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "scripts" / "run"

DEMO = """\
# Alice asks for a session, Bob claims it and picks a time.
/as alice
/request
5
Moving from QA to backend
I test APIs today and want to build them. Where do I start?
2
2
tomorrow
+5
# an empty line keeps the hours ticked: mornings, afternoons and evenings

-
1
1
/as bob
/claim 1
/slots 1
1
/as alice
/my
"""


def newcomer_env() -> dict[str, str]:
    """The caller's environment without any of the bot's own settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and not k.startswith("MENTORBOT_")
    }


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(RUN), *args],
        cwd=cwd,
        env=newcomer_env(),
        capture_output=True,
        text=True,
        timeout=300,  # the first run in a fresh checkout installs .venv
        check=False,
    )


def test_run_command_plays_a_script_in_a_fresh_folder(tmp_path: Path) -> None:
    (tmp_path / "demo.txt").write_text(DEMO, encoding="utf-8")
    done = run(["console", "--script", "demo.txt"], tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "something went wrong" not in out
    assert (tmp_path / "mentorbot.db").is_file()  # the SQLite file is the newcomer's

    for expected in (
        "Demo people: admin (an admin), alice (a student in America/Los_Angeles)",
        "> /as alice",
        "You are now Alice (student; America/Los_Angeles).",
        "alice> /request",
        "What kind of session do you need? (a number)",
        "alice> Moving from QA to backend",
        "Request #1 submitted. Mentors will be told in a moment.",
        "to mentors: New mentorship request",
        "      [Claim] /claim 1",
        "bob> /claim 1",
        'to alice: Good news: Bob will mentor you on "Moving from QA to backend".',
        "Pick a time (Europe/Berlin); after the dot, Alice's time (America/Los_Angeles).",
        "  (reply with its number)",
        "Booked for ",
        "      (attached mentorship-1.ics)",
        "#1 scheduled: Moving from QA to backend (Career guidance, 45 min, mentor Bob)",
    ):
        assert expected in out, f"{expected!r} not in the transcript:\n{out}"
    booked = [line for line in out.splitlines() if line.startswith("to ") and "Booked:" in line]
    assert len(booked) == 2
    assert booked[0].startswith('to alice: Booked: "Moving from QA to backend" with Bob on ')
    assert "(America/Los_Angeles), 45 min." in booked[0]
    assert booked[1].startswith('to bob: Booked: "Moving from QA to backend" with Alice on ')
    assert "(Europe/Berlin), 45 min." in booked[1]


def test_help_lists_the_commands(tmp_path: Path) -> None:
    done = run(["--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    commands = done.stdout.split("Commands:", 1)[1].split()
    for name in ("console", "db", "admin"):
        assert name in commands
    assert not list(tmp_path.iterdir())  # --help touches no database
