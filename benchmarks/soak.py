"""Benchmark: a soak of several processes of mixed operations against one PostgreSQL.

    python -m benchmarks.soak [--seconds 120] [--processes 4] [--delivering 2] [--tasks 2]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--shared-people]

The longer twin of ``tests/soak/test_soak.py`` (issue 12, defect 6): a database of its
own on the server at ``--url`` (dropped afterwards), people submitting, claiming,
scheduling, completing, rating, releasing, cancelling and withdrawing through the real
services in every process, and the worker's ticks (sweeps, then delivery to a recording
sender) in ``--delivering`` of them. Prints operations (total, per second, by kind and
outcome), errors that would reach a person, the deadlocks PostgreSQL detected and the
conflicts ``run_retrying`` absorbed, the connections over the run and each process's RSS
after warm-up and at the end. ``--shared-people`` lets two tasks of a process act as the
same person at once (a double press). Exits 1 if an error reached a person or a message
was sent twice.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.soak.harness import run_soak
from tests.soak.results import SoakConfig, describe


def main() -> int:
    defaults = SoakConfig()
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--processes", type=int, default=defaults.processes)
    parser.add_argument("--delivering", type=int, default=defaults.delivering)
    parser.add_argument("--tasks", type=int, default=defaults.tasks)
    parser.add_argument("--clock-rate", type=float, default=defaults.clock_rate)
    parser.add_argument("--url", default=defaults.server_url)
    parser.add_argument("--shared-people", action="store_true")
    args = parser.parse_args()
    config = SoakConfig(
        seconds=args.seconds,
        processes=args.processes,
        delivering=min(args.delivering, args.processes),
        tasks=args.tasks,
        clock_rate=args.clock_rate,
        server_url=args.url,
        shared_people=args.shared_people,
    )
    with tempfile.TemporaryDirectory(prefix="mb_soak_") as folder:
        result = run_soak(config, Path(folder))
    print(describe(result))
    troubled = result.error_count() or result.duplicate_sends() or result.failures
    return 1 if troubled else 0


if __name__ == "__main__":
    sys.exit(main())
