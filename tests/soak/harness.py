"""The soak's parent, shared by ``tests/soak/test_soak.py`` and ``benchmarks/soak.py``.

It creates a PostgreSQL database of its own (so ``pg_stat_database.deadlocks`` and the
connections in ``pg_stat_activity`` are the soak's alone, whoever else uses the server),
migrates it with Alembic, seeds students and approved mentors through the services,
starts the driver processes (``tests/soak/soak_driver.py``) on a common start line,
samples the database's connections every half second while they run, collects their
JSON summaries and the recording senders' logs, and drops the database, also on failure.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from db.engine import make_engine, normalize_url
from db.migrate import upgrade
from tests.soak.results import SoakConfig, SoakResult
from tests.support.delivery_world import World

REPO_ROOT = Path(__file__).resolve().parents[2]
APP_PREFIX = "mb_soak_"
STARTUP_SECONDS = 4.0  # time for the drivers to import and connect before the start line


# -------------------------------------------------------------------- the database


def _admin(server_url: str) -> Engine:
    server = normalize_url(server_url).update_query_dict({"connect_timeout": "5"})
    return make_engine(server, pool_size=1, max_overflow=1)


@contextmanager
def soak_database(server_url: str) -> Iterator[tuple[URL, Engine]]:
    """A new, migrated database on the server (dropped afterwards) and an engine on the
    server's own database for watching it (pg_stat_*)."""
    admin = _admin(server_url)
    name = f"{APP_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            auto = connection.execution_options(isolation_level="AUTOCOMMIT")
            auto.execute(text(f'CREATE DATABASE "{name}"'))
        url = normalize_url(server_url).set(database=name)
        try:
            upgrade(url.render_as_string(hide_password=False))
            yield url, admin
        finally:
            with admin.connect() as connection:
                auto = connection.execution_options(isolation_level="AUTOCOMMIT")
                auto.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def deadlocks(admin: Engine, database: str) -> int:
    with admin.connect() as connection:  # a fresh transaction: a fresh stats snapshot
        found = connection.scalar(
            text("SELECT deadlocks FROM pg_stat_database WHERE datname = :name"),
            {"name": database},
        )
    return int(found or 0)


def connections(admin: Engine, database: str) -> int:
    with admin.connect() as connection:
        found = connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
            {"name": database},
        )
    return int(found or 0)


def seed(url: URL, config: SoakConfig) -> dict[str, list[int]]:
    """Students and approved mentors (free all day, every day), through the services."""
    world = World.open(url.render_as_string(hide_password=False), pool_size=2)
    try:
        world.populate(
            students=config.students_per_process * config.processes,
            mentors=config.mentors_per_process * config.processes,
        )
        return {"students": world.students, "mentors": world.mentors}
    finally:
        world.close()


# -------------------------------------------------------------------- the processes


def _driver_command(
    config: SoakConfig, url: URL, index: int, anchor: float, cast: Path, sends: Path
) -> list[str]:
    own_url = url.update_query_dict({"application_name": f"{APP_PREFIX}{index}"})
    command = [
        sys.executable,
        "-m",
        "tests.soak.soak_driver",
        "--url",
        own_url.render_as_string(hide_password=False),
        "--cast",
        str(cast),
        "--index",
        str(index),
        "--processes",
        str(config.processes),
        "--anchor",
        repr(anchor),
        "--seconds",
        str(config.seconds),
        "--clock-rate",
        str(config.clock_rate),
        "--tasks",
        str(config.tasks),
        "--seed",
        str(config.seed * 1000 + index),
    ]
    if config.shared_people:
        command.append("--shared-people")
    if index < config.delivering:
        command += ["--deliver", "--sends", str(sends)]
    return command


def _start(command: list[str], out: Path, err: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MENTORBOT_", "DATABASE_"))}
    env["PYTHONPATH"] = str(REPO_ROOT)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=stdout, stderr=stderr)


def _watch(
    admin: Engine, name: str, anchor: float, stop: threading.Event, into: SoakResult
) -> None:
    while not stop.wait(0.5):
        try:
            into.connections.append((round(time.time() - anchor, 2), connections(admin, name)))
        except Exception as exc:  # a missed sample is not worth stopping the soak for
            into.failures.append(f"sampling connections failed: {exc!r}")


def _summary(out: Path) -> dict[str, Any] | None:
    lines = [line for line in out.read_text(errors="replace").splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def run_soak(config: SoakConfig, workdir: Path) -> SoakResult:
    """Run the soak; every child is killed and the database dropped whatever happens."""
    started = time.monotonic()
    result = SoakResult(config)
    with soak_database(config.server_url) as (url, admin):
        name = str(url.database)
        cast = workdir / "cast.json"
        cast.write_text(json.dumps(seed(url, config)))
        sends = workdir / "sends.jsonl"
        before = deadlocks(admin, name)
        anchor = time.time() + STARTUP_SECONDS
        outputs = [
            (workdir / f"driver{i}.out", workdir / f"driver{i}.err")
            for i in range(config.processes)
        ]
        processes: list[subprocess.Popen[bytes]] = []
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(admin, name, anchor, stop, result))
        try:
            for index, (out, err) in enumerate(outputs):
                command = _driver_command(config, url, index, anchor, cast, sends)
                processes.append(_start(command, out, err))
            watcher.start()
            deadline = time.monotonic() + STARTUP_SECONDS + config.seconds + 30
            for index, process in enumerate(processes):
                try:
                    code = process.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    code = None
                    result.failures.append(f"driver {index} still running at the deadline")
                if code:
                    tail = outputs[index][1].read_text(errors="replace")[-2000:]
                    result.failures.append(f"driver {index} exited {code}:\n{tail}")
        finally:
            stop.set()
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            if watcher.is_alive():
                watcher.join()
        for index, (out, _) in enumerate(outputs):
            summary = _summary(out)
            if summary is None:
                result.failures.append(f"driver {index} printed no summary")
            else:
                result.summaries.append(summary)
        time.sleep(0.5)  # the drivers' last statistics reach pg_stat_database
        result.deadlocks = deadlocks(admin, name) - before
        if sends.exists():
            result.sends = [json.loads(line) for line in sends.read_text().splitlines() if line]
        result.notifications, result.sent_elsewhere = notification_statuses(
            url, {int(send["id"]) for send in result.sends}
        )
    result.wall_seconds = time.monotonic() - started
    return result


def notification_statuses(url: URL, sent: set[int]) -> tuple[dict[str, int], dict[str, int]]:
    """Notification rows by status; and of the ``sent`` ids, those not SENT, by status."""
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, status FROM notifications")).all()
    finally:
        engine.dispose()
    statuses = Counter(str(status) for _, status in rows)
    elsewhere = Counter(str(s) for i, s in rows if i in sent and s != "SENT")
    return dict(sorted(statuses.items())), dict(sorted(elsewhere.items()))
