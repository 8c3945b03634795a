"""Any number of processes can start at once on a fresh database (issue 12, defect 7).

Before the fix two ``mentorbot db upgrade`` runs at once crashed one of them (UniqueViolation
on ``pg_type_typname_nsp_index``) in 4 of 6 rounds, and one of two bots starting at once
crashed in 4 of 4. Each round here creates a PostgreSQL database of its own, starts 4
``db upgrade`` runs and 4 bots (2 ``mentorbot run``, 2 console bots running a script) at
the same instant, and drops the database afterwards; the shared ``test`` database is
never touched.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import make_engine, normalize_url
from tests.conftest import DEFAULT_POSTGRES_URL

pytestmark = pytest.mark.postgres
REPO_ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5
TIMEOUT = 120


@pytest.fixture
def fresh_database(postgres_schema: object) -> Iterator[object]:
    """``make()`` creates an empty database of our own and returns its URL; all are dropped."""
    server = normalize_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES_URL))
    admin = make_engine(server, pool_size=1, max_overflow=0)
    made: list[str] = []

    def make() -> str:
        name = f"mb_startup_{os.getpid()}_{secrets.token_hex(4)}"
        with admin.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text(f'CREATE DATABASE "{name}"')
            )
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as connection:
        auto = connection.execution_options(isolation_level="AUTOCOMMIT")
        for name in made:
            auto.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _start(args: list[str], url: str, out: Path) -> subprocess.Popen[bytes]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MENTORBOT_", "TELEGRAM_", "SLACK_"))
    }
    env.update(DATABASE_URL=url, PYTHONPATH=str(REPO_ROOT))
    with out.open("wb") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )


def test_four_upgrades_and_four_bots_start_at_once_on_a_fresh_database(fresh_database, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("/help\n")
    crashes: list[str] = []
    for round_ in range(ROUNDS):
        url = fresh_database()
        commands = (
            [["db", "upgrade"]] * 4 + [["run"]] * 2 + [["console", "--script", str(script)]] * 2
        )
        outputs = [tmp_path / f"r{round_}-{i}.out" for i in range(len(commands))]
        processes = [_start(c, url, o) for c, o in zip(commands, outputs, strict=True)]
        for command, process, output in zip(commands, processes, outputs, strict=True):
            try:
                code = process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                code = -9
            if code != 0:
                tail = output.read_text(errors="replace")[-1500:]
                crashes.append(f"round {round_} {' '.join(command)} exited {code}:\n{tail}")
        engine = make_engine(url, pool_size=1, max_overflow=0)
        try:
            with engine.connect() as connection:
                heads = connection.scalars(text("SELECT version_num FROM alembic_version")).all()
        finally:
            engine.dispose()
        assert len(heads) == 1, heads
    assert not crashes, "\n\n".join(crashes)
