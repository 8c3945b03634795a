"""The stored state's JSON text (db.state_json) means what ``json.dumps(sort_keys=True,
default=str)`` meant: a form read back is the form that was saved, and an unchanged form
is seen as unchanged whatever order its keys were set in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from db.state_json import state_text, state_value


@dataclass
class _Step:
    name: str


def test_equal_states_give_equal_texts_whatever_the_key_order() -> None:
    one = {"form": {"title": "Mock interview", "tags": ["python"]}, "awaiting": None}
    other = {"awaiting": None, "form": {"tags": ["python"], "title": "Mock interview"}}
    assert state_text(one) == state_text(other)
    assert state_text(one) != state_text({**one, "awaiting": "title"})


def test_a_state_reads_back_as_the_standard_library_would_have_stored_it() -> None:
    value = {
        "title": "Entrevista técnica 🎯",
        "duration": 30,
        "ratio": 0.5,
        "by_day": {7: "a number as key", 1: "another"},
        "from": date(2026, 3, 2),
        "at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        "step": _Step("title"),
        "tags": ("python", "career-change"),
    }
    expected = json.loads(json.dumps(value, sort_keys=True, default=str))
    assert state_value(state_text(value)) == expected
    assert state_value(state_text(value))["at"] == "2026-03-02 08:00:00+00:00"
