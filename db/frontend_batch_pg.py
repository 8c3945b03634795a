"""The front-ends' state batch on PostgreSQL as one statement, one round trip.

``FrontEndStore.apply_batch`` is on every update's path twice (issue 14): claim the
update's idempotency key and read the person's state, then write the new state. Built
with the ORM, a batch was up to four statements, each compiled and converted again
(an ``executemany`` of a varying number of rows), and that Python work was about a
quarter of the process's time under the GIL. Here the whole batch is one fixed text
with array parameters (``unnest``): SQLAlchemy has nothing to compile, and psycopg
prepares it on each connection after a few uses, whatever the batch's size.

The text arrays go in psycopg's binary format (``%(name)b``): in the text format every
element is quoted and escaped by a regular expression on the client, and a state's JSON is
full of quotes. Four states took 954 µs to send that way and 200 µs in binary (issue 14).

All the parts of a data-modifying ``WITH`` see one snapshot, taken before any of them
writes, so the state read at the end does not see this batch's own writes. The caller
never needs it to (one person's next update starts only after their write committed),
but the result says what a sequential batch would: a key written here reads back as
written (deleted: as absent), with the version the write returned.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from db.state_json import state_text

_PARTS = {
    "checked": """checked AS (
    INSERT INTO conversation_state AS s (key, value, updated_at, version)
    SELECT k, v::jsonb, %(now)s, n
    FROM unnest(%(ck)b::text[], %(cv)b::text[], %(cn)s::int[]) AS c(k, v, n)
    ON CONFLICT (key) DO UPDATE
        SET value = excluded.value, updated_at = excluded.updated_at,
            version = excluded.version
        WHERE s.version = excluded.version - 1
    RETURNING key, version
)""",
    "saved": """saved AS (
    INSERT INTO conversation_state AS s (key, value, updated_at, version)
    SELECT k, v::jsonb, %(now)s, 1
    FROM unnest(%(sk)b::text[], %(sv)b::text[]) AS w(k, v)
    ON CONFLICT (key) DO UPDATE
        SET value = excluded.value, updated_at = excluded.updated_at,
            version = s.version + 1
    RETURNING key, version
)""",
    "gone": """gone AS (
    DELETE FROM conversation_state WHERE key = ANY(%(gk)b::text[]) RETURNING key
)""",
    "seen": """seen AS (
    INSERT INTO idempotency_keys (key, created_at)
    SELECT k, %(now)s FROM unnest(%(uk)b::text[]) AS u(k)
    ON CONFLICT (key) DO NOTHING
    RETURNING key
)""",
}
_RESULTS = {
    "checked": "SELECT 'w', key, NULL::jsonb, version FROM checked",
    "saved": "SELECT 'w', key, NULL::jsonb, version FROM saved",
    "gone": "SELECT 'g', key, NULL::jsonb, NULL::int FROM gone",
    "seen": "SELECT 'u', key, NULL::jsonb, NULL::int FROM seen",
    "read": "SELECT 'r', key, value, version FROM conversation_state"
    " WHERE key = ANY(%(rk)b::text[])",
}


@functools.cache
def statement(parts: frozenset[str]) -> str:
    """The batch's text with only the parts it uses: a batch that writes no state has
    no write to ``conversation_state`` in it. At most 32 texts, each prepared once."""
    ctes = [_PARTS[name] for name in _PARTS if name in parts]
    results = [_RESULTS[name] for name in _RESULTS if name in parts]
    head = ("WITH " + ",\n".join(ctes) + "\n") if ctes else ""
    return head + "\nUNION ALL ".join(results)


# runs the statement in the caller's transaction and returns its rows
Execute = Callable[[str, Mapping[str, Any]], Iterable[Sequence[Any]]]


class BatchOutcome:
    """What the statement reported: the keys first claimed, the checked writes refused,
    and the state rows as they stand after the batch (with their versions)."""

    def __init__(self) -> None:
        self.inserted: set[str] = set()
        self.conflicts: set[str] = set()
        self.stored: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, int] = {}


def run_batch(
    execute: Execute,
    writes: Mapping[str, dict[str, Any] | None],
    update_keys: Sequence[str],
    wanted: set[str],
    expected: Mapping[str, int],
    now: datetime,
) -> BatchOutcome:
    """One round trip; the caller's transaction commits it."""
    checked = [k for k, v in writes.items() if v is not None and k in expected]
    saves = [k for k, v in writes.items() if v is not None and k not in expected]
    gone = [k for k, v in writes.items() if v is None]
    used = {"checked": checked, "saved": saves, "gone": gone, "seen": update_keys, "read": wanted}
    parts = frozenset(name for name, items in used.items() if items)
    outcome = BatchOutcome()
    if not parts:
        return outcome
    rows = execute(
        statement(parts),
        {
            "now": now,
            "ck": checked,
            "cv": [state_text(writes[k]) for k in checked],
            "cn": [expected[k] + 1 for k in checked],
            "sk": saves,
            "sv": [state_text(writes[k]) for k in saves],
            "gk": gone,
            "uk": list(update_keys),
            "rk": sorted(wanted),
        },
    )
    written: dict[str, int] = {}
    removed: set[str] = set()
    for tag, key, value, version in rows:
        if tag == "w":
            written[key] = version
        elif tag == "g":
            removed.add(key)
        elif tag == "u":
            outcome.inserted.add(key)
        else:
            outcome.stored[key], outcome.versions[key] = dict(value), version
    outcome.conflicts = set(checked) - written.keys()
    for key in wanted & (written.keys() | removed | set(gone)):
        outcome.stored.pop(key, None)
        outcome.versions.pop(key, None)
        if key in written:
            value = writes[key]
            assert value is not None
            outcome.stored[key], outcome.versions[key] = dict(value), written[key]
    return outcome
