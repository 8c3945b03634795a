"""What an admin reads: statistics in the chat and from the CLI, and the CSV export."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from core.export import read_csv
from tests.e2e.helpers import SEED_SESSION_COLUMNS, Chat, Form, to


def one_completed_one_no_show(chat: Chat) -> None:
    """Bob claims after 3 h and it happens (rated 4/5); Carol claims after 4 h, no student."""
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.submit(Form(title="Negotiating my first offer"))
    chat.send("/clock +3h")
    chat.sends("/as bob", "/claim 1", "/slots 1", "1")  # Tue 3 Mar 16:00 UTC
    chat.send("/clock +1h")
    chat.sends("/as carol", "/claim 2", "/slots 2", "2")  # Tue 3 Mar 22:00 UTC
    chat.send("/clock +2d")
    chat.send("/as bob")
    assert chat.send("/outcome 1 completed").startswith("Recorded: completed. Thank you!")
    assert chat.send("/notes 1 50 Knows HTTP well; weak on SQL joins.").startswith("Saved.")
    chat.send("/as carol")
    reply = chat.send("/outcome 2 student_no_show")
    assert reply.startswith("Recorded: the student did not come. Thank you for telling us.")
    assert 'to alice: Recorded: the student did not come to "Negotiating my first offer"' in reply
    chat.send("/as alice")
    assert chat.send("/rate 1 4 Clear and practical.") == (
        "Thank you for rating!\nThank you, your feedback is saved."
    )


EXPECTED_STATS = (
    "Requests by status: completed 1, no_show 1\n"
    "Requests by type: career-guidance 2\n"
    "Claim rate: 100%; median time to claim: 3.5 h\n"
    "Completion rate: 50%; no-show rate: 50%\n"
    "Average rating: 4.00/5 from 1\n"
    "Withdrawn or hidden (not counted above): 0 request(s), 0 session(s)\n"
    "Disputed no-shows: none"
)


def test_stats_in_chat_and_cli_and_csv_export(
    chat: Chat, database_url: str, tmp_path: Path
) -> None:
    one_completed_one_no_show(chat)
    assert chat.send("/stats") == "Only admins can do that."
    chat.send("/as admin")
    assert chat.send("/stats") == EXPECTED_STATS
    assert "Carol, Data science, 6 y, no ratings yet" in chat.send("/mentors")
    assert "Bob, Backend engineering, 8 y, 4.0/5 (1)" in chat.send("/mentors")

    runner = CliRunner()
    env = {"DATABASE_URL": database_url}
    result = runner.invoke(main, ["admin", "stats"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == EXPECTED_STATS + "\n"

    result = runner.invoke(
        main, ["admin", "export", "--format", "csv", "--output", str(tmp_path)], env=env
    )
    assert result.exit_code == 0, result.output
    with (tmp_path / "requests.csv").open(encoding="utf-8", newline="") as stream:
        requests = read_csv(stream)
    with (tmp_path / "sessions.csv").open(encoding="utf-8", newline="") as stream:
        sessions = read_csv(stream)

    assert [r["title"] for r in requests] == [
        "Moving from QA to backend",
        "Negotiating my first offer",
    ]
    assert [r["status"] for r in requests] == ["COMPLETED", "NO_SHOW"]
    assert len(sessions) == 2
    assert list(sessions[0]) == SEED_SESSION_COLUMNS
    done, missed = sessions
    assert done["session_type"] == "career-guidance"
    assert done["status"] == "COMPLETED"
    assert done["scheduled_at"].startswith("2026-03-03T16:00:00")
    assert done["completed_at"].startswith("2026-03-04T12:00:00")
    assert "Knows HTTP well; weak on SQL joins." in done["mentor_notes"]
    assert done["session_duration_minutes"] == "50"
    assert done["session_rating"] == "4"
    assert done["session_feedback"] == "Clear and practical."
    assert done["created_at"].startswith("2026-03-02T11:00:00")
    assert done["is_deleted"] == "false"
    assert missed["status"] == "NO_SHOW"
    assert missed["session_rating"] == ""


def test_admin_assigns_a_mentor(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Moving from QA to backend"))
    chat.send("/as admin")
    reply = chat.send("/assign 1 5")  # Dave (admin 1, alice 2, bob 3, carol 4)
    assert reply.startswith("Request #1 is assigned; the mentor and the student are told.")
    assert "Please pick a time." in to("dave", reply)[0]
    assert "[Pick a time] /slots 1" in to("dave", reply)[0]
    assert to("alice", reply)[0].startswith("to alice: Good news: Dave will mentor you")
