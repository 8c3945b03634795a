"""``mentorbot admin export`` as an operator runs it: two files with headers in a folder
of their choosing, the seed's columns, and one clear line when the folder is unusable."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from core.export import SESSION_COLUMNS, request_columns
from core.sessions import Outcome
from tests.e2e.export_world import make_world
from tests.e2e.helpers import SEED_SESSION_COLUMNS

ANSWERS = {"domain": "Backend", "experience": "Four years of Go", "target_role": "Staff engineer"}


def export(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["admin", "export", *args], env={"DATABASE_URL": database_url})


def rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def test_sessions_csv_has_the_seeds_columns_in_the_seeds_order(
    database_url: str, tmp_path: Path
) -> None:
    world = make_world(database_url)
    done = world.held(note="Knows HTTP well; weak on SQL joins.")
    world.rate(done, 4, "Clear and practical.")
    world.held(Outcome.STUDENT_NO_SHOW, title="Negotiating my first offer")

    result = export(database_url, "--format", "csv", "--output", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote {tmp_path / 'sessions.csv'} (2 rows) and {tmp_path / 'requests.csv'} (2 rows)\n"
    )
    header, (held, missed) = rows(tmp_path / "sessions.csv")
    assert header == SEED_SESSION_COLUMNS == list(SESSION_COLUMNS)
    ids = (held["session_id"], held["mentor_id"], held["user_id"])
    assert ids == ("1", str(world.bob), str(world.alice))
    assert (held["status"], missed["status"]) == ("COMPLETED", "NO_SHOW")
    assert held["scheduled_at"] == done.scheduled_at.isoformat()
    assert held["completed_at"] == (done.completed_at and done.completed_at.isoformat())
    assert (held["session_rating"], missed["session_rating"]) == ("4", "")
    assert held["session_feedback"] == "Clear and practical."
    assert "Knows HTTP well; weak on SQL joins." in held["mentor_notes"]
    assert (held["is_deleted"], held["notes"]) == ("false", "")  # career guidance asks no extras
    header, requests = rows(tmp_path / "requests.csv")
    assert header == list(request_columns())
    assert header[:4] == ["request_id", "user_id", "session_type", "title"]
    assert [r["title"] for r in requests] == [
        "Help me prepare my next career step",
        "Negotiating my first offer",
    ]
    assert [r["status"] for r in requests] == ["COMPLETED", "NO_SHOW"]


def test_notes_hold_the_forms_type_specific_answers(database_url: str, tmp_path: Path) -> None:
    """The seed keeps the form's data in ``notes``; so does the export."""
    world = make_world(database_url)
    world.held(session_type="MOCK_INTERVIEW", extra=dict(ANSWERS))
    assert export(database_url, "--output", str(tmp_path)).exit_code == 0
    _, (session,) = rows(tmp_path / "sessions.csv")
    assert session["session_type"] == "MOCK_INTERVIEW"
    assert json.loads(session["notes"]) == ANSWERS


def test_empty_tables_still_get_their_headers(database_url: str, tmp_path: Path) -> None:
    result = export(database_url, "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert rows(tmp_path / "sessions.csv") == (SEED_SESSION_COLUMNS, [])
    assert rows(tmp_path / "requests.csv") == (list(request_columns()), [])


def test_the_output_folder_is_created_and_holds_both_files(
    database_url: str, tmp_path: Path
) -> None:
    """``--output out.csv`` is a folder of that name, never ``out.csv-requests.csv``."""
    target = tmp_path / "exports" / "2026-03" / "out.csv"
    result = export(database_url, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == ["requests.csv", "sessions.csv"]
    assert not list(tmp_path.glob("**/*-requests.csv"))


def test_an_unwritable_output_gives_one_line_and_exit_code_1(
    database_url: str, tmp_path: Path
) -> None:
    a_file = tmp_path / "taken.csv"
    a_file.write_text("already here", encoding="utf-8")
    for where in (a_file, a_file / "inside"):
        result = export(database_url, "--output", str(where))
        assert result.exit_code == 1
        assert "Traceback" not in result.output
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"cannot write the export to {where}: ")
    assert a_file.read_text(encoding="utf-8") == "already here"


def test_the_bom_option_starts_each_csv_with_a_bom(database_url: str, tmp_path: Path) -> None:
    make_world(database_url).held(title="Café, naïve résumé")
    assert export(database_url, "--output", str(tmp_path), "--bom").exit_code == 0
    raw = (tmp_path / "requests.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfrequest_id,")
    assert "Café, naïve résumé" in raw.decode("utf-8-sig")
    assert export(database_url, "--output", str(tmp_path)).exit_code == 0
    assert (tmp_path / "requests.csv").read_bytes().startswith(b"request_id,")


def test_json_writes_the_same_tables(database_url: str, tmp_path: Path) -> None:
    world = make_world(database_url)
    world.rate(world.held(), 4, "Clear and practical.")
    world.held(Outcome.STUDENT_NO_SHOW)
    result = export(database_url, "--format", "json", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    sessions = json.loads((tmp_path / "sessions.json").read_text(encoding="utf-8"))
    requests = json.loads((tmp_path / "requests.json").read_text(encoding="utf-8"))
    assert [list(s) for s in sessions] == [SEED_SESSION_COLUMNS, SEED_SESSION_COLUMNS]
    assert [s["session_rating"] for s in sessions] == [4, None]
    assert [s["is_deleted"] for s in sessions] == [False, False]
    assert [r["status"] for r in requests] == ["COMPLETED", "NO_SHOW"]
    assert not list(tmp_path.glob("*.csv"))
