"""What every repository shares: the session, fresh reads and dialect checks."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Result, Select, Table
from sqlalchemy.orm import Session


def table(row_class: type[Any]) -> Table:
    """A mapped class's table, for plain Core statements (no ORM per-row work)."""
    return cast(Table, row_class.__table__)


class SqlRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def is_postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def fresh(self, statement: Select[Any]) -> Select[Any]:
        return statement.execution_options(populate_existing=True)

    def rows(self, statement: Select[Any], params: dict[str, Any] | None = None) -> Result[Any]:
        """Plain rows of a select over a table (not ORM entities): reads that are turned
        into core objects at once need no identity map, and skipping it costs a
        fraction of the ORM's per-row work. Pending ORM changes are flushed first, as
        an ORM query would autoflush them. ``params`` fill a prepared statement's
        ``bindparam``s (built once, its cache key is computed once too)."""
        self.session.flush()
        return self.session.execute(statement, params)
