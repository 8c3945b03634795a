"""``python -m benchmarks.hot_path`` runs in its smallest size (``--tiny``) on the local
PostgreSQL and ends with the ``result`` lines issue 14 asks for, every figure a number.

It is a benchmark, not a speed test: nothing here asserts how fast the product is, only
that every part ran, passed its own checks (the right number of requests stored and
claimed, exactly one winner per claim race) and printed its figure. The
``postgres_schema`` fixture decides whether PostgreSQL is there: skipped if not, failed
if not under CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NUMBER = r"-?\d+(?:\.\d+)?"
RESULTS = [  # (the line's start, its keys), in the order the script prints them
    ("result telegram_pg_x16", ["updates_per_s", "bare_per_s", "ratio", "floor_per_s",
                                "floor_ratio", "p99_ms"]),
    ("result telegram_pg_x1", ["updates_per_s", "p99_ms"]),
    ("result slack_pg", ["cpu_ms_per_req", "bare_cpu_ms_per_req", "ratio", "submit_ack_p99_ms",
                         "claim_ack_p99_ms"]),
    ("result lifecycle_pg", ["per_s"]),
    ("result claim_race_pg", ["winners", "p50_ms", "p99_ms"]),
    ("result", ["rss_10k_forms_mb"]),
]  # fmt: skip


def test_hot_path_benchmark_prints_every_figure(postgres_schema) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.hot_path", "--tiny", "--url", SERVER],
        cwd=REPO,
        env={**os.environ, "TEST_DATABASE_URL": SERVER},
        capture_output=True,
        text=True,
        timeout=90,
    )
    shown = f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, shown
    assert "Traceback" not in result.stdout + result.stderr, shown

    last = result.stdout.strip().splitlines()[-len(RESULTS) :]
    for line, (start, keys) in zip(last, RESULTS, strict=True):
        pattern = re.escape(start) + "".join(rf" {key}=({NUMBER})" for key in keys)
        found = re.fullmatch(pattern, line)
        assert found is not None, f"{line!r} is not {start} {' '.join(keys)} (numbers)\n{shown}"
        values = dict(zip(keys, map(float, found.groups()), strict=True))
        assert all(v >= 0 for v in values.values()), line
        if start == "result claim_race_pg":
            assert values["winners"] == 1, line
