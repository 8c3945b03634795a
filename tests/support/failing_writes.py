"""A database that refuses to store: every write to one table fails, as on a lost
connection, while the ``failing_writes`` block is open (the reads still work)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError


@contextmanager
def failing_writes(engine: Engine, table: str) -> Iterator[list[str]]:
    """Each INSERT, UPDATE or DELETE on ``table`` through ``engine`` raises
    ``OperationalError``; the refused statements' first words are collected."""
    refused: list[str] = []
    # a statement of its own, or one part of a data-modifying WITH (the state batch)
    writes = re.compile(
        rf"(^|\bAS\s*\(\s*)(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?{re.escape(table)}\"?\b",
        re.I,
    )

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if writes.search(statement.strip()):
            refused.append(" ".join(statement.split()[:3]))
            raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield refused
    finally:
        event.remove(engine, "before_cursor_execute", before)
