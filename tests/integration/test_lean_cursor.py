"""The lazily described cursor (db.lean_cursor) reads exactly what psycopg's own does.

A statement's columns are made only when read, from the result they describe: a reader
who comes after the cursor has run something else still gets the first result's names
and types, and every read of rows through the production engine is unchanged.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.lean_cursor import LazyColumns, LazyDescriptionCursor
from tests.conftest import PostgresSchema

pytestmark = pytest.mark.postgres

WIDE = "SELECT 1 AS id, 'x'::text AS title, now() AS at, ARRAY['a'] AS tags, NULL::int AS gone"


def test_the_production_engine_describes_lazily_and_reads_the_same_rows(
    postgres_schema: PostgresSchema,
) -> None:
    engine = make_engine(postgres_schema.url)
    try:
        with engine.connect() as connection:
            for _ in range(3):  # the first run builds SQLAlchemy's cached layout, then it is reused
                row = connection.execute(text(WIDE)).one()
                assert row.id == 1 and row.title == "x" and row.tags == ["a"]
                assert row.gone is None
            raw = connection.connection.driver_connection
            assert raw is not None
            assert isinstance(raw.cursor(), LazyDescriptionCursor)
    finally:
        engine.dispose()


def test_a_late_reader_sees_the_columns_of_the_result_it_was_given(
    postgres_schema: PostgresSchema,
) -> None:
    engine = make_engine(postgres_schema.url)
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            cursor = raw.cursor()
            cursor.execute(WIDE)
            first = cursor.description
            assert isinstance(first, LazyColumns)
            assert len(first) == 5
            cursor.execute("SELECT 2 AS other")
            assert [c.name for c in first] == ["id", "title", "at", "tags", "gone"]
            assert first[1].type_code == 25  # text
            assert [c.name for c in cursor.description or []] == ["other"]

            plain = psycopg.Cursor(raw)  # psycopg's own, for comparison
            plain.execute(WIDE)
            lazy = raw.cursor()
            lazy.execute(WIDE)
            assert [tuple(c) for c in lazy.description or []] == [
                tuple(c) for c in plain.description or []
            ]
            lazy.execute("SET application_name = 'lean'")  # a command with no rows
            assert lazy.description is None
    finally:
        engine.dispose()
