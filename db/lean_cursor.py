"""A psycopg cursor whose ``description`` is built only when someone reads it.

psycopg builds ``cursor.description`` afresh on every access: one ``Column`` per column,
each decoding its name and looking up its type. SQLAlchemy asks for it after every
statement that returns rows, but once a statement's result layout is cached (every
statement after its first run) it only checks that there *is* a description and never
looks inside. A request row has about 30 columns, so on the hot path this was a quarter
of the Python time of a claim's statements (py-spy, issue 14), spent on objects nobody
read. Here the columns are made on first use, from the result they describe, so a late
reader still sees the right ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import pq


class _PinnedResult:
    """What a ``psycopg.Column`` reads of its cursor, pinned to one result (the cursor may
    have run another statement by the time the columns are made)."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: psycopg.Cursor[Any], result: pq.abc.PGresult) -> None:
        self.pgresult = result
        self.adapters = cursor.adapters
        self._encoding = cursor._encoding  # Column reads it by this name


class LazyColumns(Sequence[psycopg.Column]):
    """A result's columns, counted at once and described on first use."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], result: pq.abc.PGresult) -> None:
        self._cursor: psycopg.Cursor[Any] | None = cursor
        self._result = result
        self._columns: list[psycopg.Column] | None = None

    def _made(self) -> list[psycopg.Column]:
        if self._columns is None:
            assert self._cursor is not None
            pinned: Any = _PinnedResult(self._cursor, self._result)
            self._columns = [psycopg.Column(pinned, i) for i in range(self._result.nfields)]
            self._cursor = None
        return self._columns

    def __len__(self) -> int:
        return self._result.nfields

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[psycopg.Column]: ...

    def __getitem__(self, index: int | slice) -> psycopg.Column | Sequence[psycopg.Column]:
        return self._made()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._made())

    def __repr__(self) -> str:
        return repr(self._made())


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    """psycopg's client cursor, with the description made on first use."""

    @property
    def description(self) -> Any:
        result = self.pgresult
        if result is None or result.nfields == 0:
            return super().description  # None, or [] for a result with no columns
        return LazyColumns(self, result)
