"""What every repository shares: the session, fresh reads and dialect checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session


class SqlRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def is_postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def fresh(self, statement: Select[Any]) -> Select[Any]:
        return statement.execution_options(populate_existing=True)
