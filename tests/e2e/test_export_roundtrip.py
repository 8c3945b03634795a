"""The export read back: what an operator's script (Python's ``csv`` module plus the
documented unescape, ``core.export.read_csv``) gets from ``mentorbot admin export`` is
exactly what the database holds, for text a spreadsheet or a naive CSV writer would
break: commas, quotes, newlines, right-to-left scripts and formula-like cells."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from core.clock import MovableClock
from core.export import (
    SESSION_COLUMNS,
    escape_cell,
    read_csv,
    request_columns,
    unescape_cell,
    write_csv,
)
from core.services.admin import export_rows
from tests.e2e.export_world import make_world
from tests.integration.helpers import START, make_context

TITLE = '=HYPERLINK("http://x.example/?a=1,b=2","Open")'
DESCRIPTION = 'First line, with "quotes", commas\n-second line\nמה שלום? مرحبا بالعالم'
EXTRA = {
    "domain": "+backend, APIs",
    "experience": 'Said "hello, world"\nthen @ops',
    "target_role": "مهندس خلفية",
}
FEEDBACK = '-1? No: +1, "great"\nشكرا'  # noqa: RUF001 (Arabic "thanks", on purpose)
NOTE = "@alice: =SUM(A1:A9), 'quoted'\n\tindented"


def _tricky_session(database_url: str) -> None:
    """Alice's mock interview with Bob, held, noted and rated, all in awkward text."""
    world = make_world(database_url)
    session = world.held(
        session_type="MOCK_INTERVIEW",
        title=TITLE,
        description=DESCRIPTION,
        extra=dict(EXTRA),
        note=NOTE,
    )
    world.rate(session, 5, FEEDBACK)


def _export(database_url: str, folder: Path, *extra: str) -> None:
    result = CliRunner().invoke(
        main,
        ["admin", "export", "--output", str(folder), *extra],
        env={"DATABASE_URL": database_url},
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bom", [False, True], ids=["utf8", "utf8-bom"])
def test_a_csv_round_trip_gives_back_exactly_the_stored_values(
    database_url: str, tmp_path: Path, bom: bool
) -> None:
    _tricky_session(database_url)
    _export(database_url, tmp_path, *(["--bom"] if bom else []))

    with (tmp_path / "sessions.csv").open(encoding="utf-8-sig", newline="") as stream:
        (session_row,) = read_csv(stream)
    with (tmp_path / "requests.csv").open(encoding="utf-8-sig", newline="") as stream:
        (request_row,) = read_csv(stream)

    ctx = make_context(database_url, MovableClock(START))
    (request,), (session,) = export_rows(ctx, None)
    assert request_row["title"] == request.title == TITLE
    assert request_row["description"] == request.description == DESCRIPTION
    assert json.loads(request_row["extra"]) == request.extra == EXTRA
    assert json.loads(request_row["tags"]) == request.tags
    assert session_row["session_feedback"] == session.session_feedback == FEEDBACK
    assert session_row["mentor_notes"] == session.mentor_notes
    assert session.mentor_notes is not None and NOTE in session.mentor_notes
    assert json.loads(session_row["notes"]) == EXTRA  # the form's type-specific answers
    assert session_row["session_id"] == str(session.id)
    assert session_row["user_id"] == str(request.student_id)
    assert session_row["scheduled_at"] == session.scheduled_at.isoformat()
    assert session_row["session_rating"] == "5"
    assert session_row["is_deleted"] == "false"


def test_a_spreadsheet_sees_formula_like_cells_as_text(database_url: str, tmp_path: Path) -> None:
    """Read without unescaping (as a spreadsheet would), no cell starts a formula."""
    _tricky_session(database_url)
    _export(database_url, tmp_path)
    for name in ("sessions.csv", "requests.csv"):
        with (tmp_path / name).open(encoding="utf-8", newline="") as stream:
            cells = [cell for row in csv.reader(stream) for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], name
    with (tmp_path / "requests.csv").open(encoding="utf-8", newline="") as stream:
        (raw,) = csv.DictReader(stream)
    assert raw["title"] == "'" + TITLE


def test_json_holds_the_same_values_unescaped(database_url: str, tmp_path: Path) -> None:
    _tricky_session(database_url)
    _export(database_url, tmp_path, "--format", "json")
    (session,) = json.loads((tmp_path / "sessions.json").read_text(encoding="utf-8"))
    (request,) = json.loads((tmp_path / "requests.json").read_text(encoding="utf-8"))
    assert list(session) == list(SESSION_COLUMNS)
    assert list(request) == list(request_columns())
    assert request["title"] == TITLE
    assert request["extra"] == EXTRA
    assert session["session_feedback"] == FEEDBACK
    assert session["session_rating"] == 5
    assert session["is_deleted"] is False
    assert json.loads(session["notes"]) == EXTRA


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_survives_escaping_and_the_csv_module(values: list[str]) -> None:
    """The escaping is reversible for every string, including ones that begin with '."""
    columns = [f"c{i}" for i in range(len(values))]
    buffer = io.StringIO(newline="")
    write_csv(buffer, columns, [dict(zip(columns, values, strict=True))])
    buffer.seek(0)
    (row,) = read_csv(buffer)
    # an empty cell is "no value"; every other string comes back as it was
    assert [row[c] for c in columns] == values
    assert all(unescape_cell(escape_cell(v)) == v for v in values)
