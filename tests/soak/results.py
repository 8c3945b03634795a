"""What a soak run is asked to do, what it found, and the figures read from that."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class SoakConfig:
    seconds: float = 25.0
    processes: int = 4
    delivering: int = 2  # how many of them also run the worker's ticks
    tasks: int = 2  # people acting at once in each process
    clock_rate: float = 3600.0  # simulated seconds per wall second
    students_per_process: int = 12
    mentors_per_process: int = 6
    seed: int = 12
    shared_people: bool = False  # tasks may act as the same person at once
    server_url: str = os.environ.get("TEST_DATABASE_URL", DEFAULT_URL)


@dataclass
class SoakResult:
    config: SoakConfig
    summaries: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # processes that died or hung
    connections: list[tuple[float, int]] = field(default_factory=list)  # (t, count)
    deadlocks: int = 0  # pg_stat_database.deadlocks, after minus before
    sends: list[dict[str, Any]] = field(default_factory=list)
    notifications: dict[str, int] = field(default_factory=dict)  # rows by status at the end
    # sent (in a recording sender's log) but not SENT at the end, by final status: rows a
    # service cancelled while a worker had them leased and on their way out
    sent_elsewhere: dict[str, int] = field(default_factory=dict)
    wall_seconds: float = 0.0

    # ---------------------------------------------------------------- figures

    def ops(self) -> dict[str, Counter[str]]:
        total: dict[str, Counter[str]] = {}
        for summary in self.summaries:
            for kind, outcomes in summary["ops"].items():
                total.setdefault(kind, Counter()).update(outcomes)
        return total

    def errors(self) -> list[dict[str, str]]:
        return [error for summary in self.summaries for error in summary["errors"]]

    def error_count(self) -> int:
        return sum(int(summary["error_count"]) for summary in self.summaries)

    def retries(self) -> int:
        return sum(int(summary["retries"]) for summary in self.summaries)

    def duplicate_sends(self) -> dict[str, int]:
        """(notification id, address) pairs sent more than once, across processes."""
        seen = Counter(f"{send['id']}->{send['to']}" for send in self.sends)
        return {key: count for key, count in seen.items() if count > 1}

    def connection_halves(self) -> tuple[int, int]:
        """The most connections seen in the first and in the second half of the run."""
        middle = self.config.seconds / 2
        first = [n for t, n in self.connections if 0 <= t < middle]
        second = [n for t, n in self.connections if middle <= t <= self.config.seconds]
        return max(first, default=0), max(second, default=0)

    def rss(self) -> list[tuple[int, float, float, float]]:
        """Per process: (index, RSS after warm-up (a third in), at the end, peak), in MB."""
        warm_up = self.config.seconds / 3
        rows = []
        for summary in self.summaries:
            samples = summary["rss_mb"]
            warm = next((mb for t, mb in samples if t >= warm_up), samples[-1][1])
            rows.append((summary["index"], warm, samples[-1][1], max(mb for _, mb in samples)))
        return rows

    def delivery(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for summary in self.summaries:
            total.update(summary["delivery"])
            total["ticks"] += summary["ticks"]
            total["failed_ticks"] += summary["failed_ticks"]
        return total

    def warnings(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for summary in self.summaries:
            total.update(summary["warnings"])
        return total


OUTCOMES = ("ok", "refused", "idle", "error")


def describe(result: SoakResult) -> str:
    """The run in a few lines: what the benchmark prints and a failing test shows."""
    config, seconds = result.config, result.config.seconds
    ops = result.ops()
    total = sum(sum(c.values()) for c in ops.values())
    acted = sum(c["ok"] + c["refused"] + c["error"] for c in ops.values())
    lines = [
        f"soak: {config.processes} processes ({config.delivering} also delivering), "
        f"{config.tasks} people at once each, {seconds:g} s (wall {result.wall_seconds:.0f} s)",
        f"operations: {total} ({total / seconds:.1f}/s); {acted} acted "
        f"({acted / seconds:.1f}/s), the rest found nothing to do",
    ]
    for kind, counts in sorted(ops.items()):
        parts = ", ".join(f"{o} {counts[o]}" for o in OUTCOMES if counts[o])
        lines.append(f"  {kind:<9} {sum(counts.values()):>6}  ({parts})")
    delivery = result.delivery()
    lines.append(
        f"delivery: {delivery['ticks']} ticks ({delivery['failed_ticks']} failed), "
        f"sent {delivery['sent']}, skipped {delivery['skipped']}, retried {delivery['retried']}, "
        f"dead {delivery['dead']}, lost lease {delivery['lost_lease']}; "
        f"{len(result.sends)} sends logged, {len(result.duplicate_sends())} sent twice"
    )
    if result.sent_elsewhere:
        lines.append(f"  sent but not recorded SENT at the end: {result.sent_elsewhere}")
    lines.append(f"notifications at the end: {result.notifications}")
    lines.append(
        f"errors reaching a person: {result.error_count()}; PostgreSQL deadlocks detected: "
        f"{result.deadlocks}; deadlocks/serialization failures absorbed by retries: "
        f"{result.retries()}"
    )
    for error in result.errors()[:5]:
        lines.append(f"  {error}")
    during = [n for t, n in result.connections if 0 <= t <= seconds]
    first, second = result.connection_halves()
    lines.append(
        f"connections: min {min(during, default=0)}, max {max(during, default=0)} "
        f"(first half max {first}, second half max {second})"
    )
    for index, warm, end, peak in result.rss():
        lines.append(
            f"RSS process {index}: {warm:.1f} MB after warm-up, {end:.1f} MB at the end "
            f"({end - warm:+.1f} MB), peak {peak:.1f} MB"
        )
    if result.warnings():
        lines.append(f"warnings logged: {dict(result.warnings())}")
    lines += [f"FAILURE: {failure}" for failure in result.failures]
    return "\n".join(lines)
