"""The operator's metrics, in Prometheus' format (``prometheus-client``).

One registry per process (not the library's global one, so a test can build several).
Counters move as things happen: updates and requests handled by the front-ends (with
their latency), deliveries and rate-limit waits (reported by core through
``core.observe``), transactions run again and database errors. The outbox's gauges are
read from the database when ``/metrics`` is scraped (:class:`OutboxCollector`), so they
are right whichever process did the work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.observe import Observer
from db.outbox_stats import OutboxStats

logger = logging.getLogger(__name__)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics(Observer):
    """Every metric of one process; also core's observer (``core.observe.install``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._outbox: OutboxCollector | None = None
        r = self.registry
        self.handled = Counter(
            "mentorbot_updates_handled",
            "Updates (Telegram), requests (Slack) and lines (console) handled, by outcome.",
            ["frontend", "outcome"],
            registry=r,
        )
        self.latency = Histogram(
            "mentorbot_handler_seconds",
            "Time to handle one update or request.",
            ["frontend"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.deliveries = Counter(
            "mentorbot_deliveries",
            "Sends of notifications to one chat, by platform, kind and outcome.",
            ["platform", "kind", "outcome"],
            registry=r,
        )
        self.rate_waits = Counter(
            "mentorbot_rate_limit_waits",
            "Sends that waited for a slot within a platform's limits.",
            ["platform"],
            registry=r,
        )
        self.rate_wait_seconds = Counter(
            "mentorbot_rate_limit_wait_seconds",
            "Time spent waiting for such slots.",
            ["platform"],
            registry=r,
        )
        self.retries = Counter(
            "mentorbot_transaction_retries",
            "Transactions run again after a deadlock or serialization failure.",
            registry=r,
        )
        self.db_errors = Counter(
            "mentorbot_database_errors",
            "Transactions that failed in the database, by kind (conflict, temporary).",
            ["kind"],
            registry=r,
        )
        self.poison = Counter(
            "mentorbot_poison_updates",
            "Updates or requests that could not be read and were skipped.",
            ["frontend"],
            registry=r,
        )

    # core.observe.Observer
    def delivery(self, platform: str, kind: str, outcome: str) -> None:
        self.deliveries.labels(platform, kind, outcome).inc()

    def rate_limit_wait(self, platform: str, seconds: float) -> None:
        self.rate_waits.labels(platform or "unknown").inc()
        self.rate_wait_seconds.labels(platform or "unknown").inc(max(seconds, 0.0))

    def transaction_retried(self) -> None:
        self.retries.inc()

    def database_error(self, kind: str) -> None:
        self.db_errors.labels(kind).inc()

    # the front-ends
    @contextmanager
    def handling(self, frontend: str) -> Iterator[None]:
        """Time one update and count it by outcome: "ok", "error" when it raises, or what
        the code handling it said meanwhile (:func:`note_outcome`: a repeat, an error
        answered with an apology)."""
        outcome = ["ok"]
        token = _outcome.set(outcome)
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            outcome[0] = "error"
            raise
        finally:
            _outcome.reset(token)
            self.latency.labels(frontend).observe(time.perf_counter() - started)
            self.handled.labels(frontend, outcome[0]).inc()

    def watch_outbox(self, read: Callable[[], OutboxStats]) -> None:
        """Read the outbox with ``read`` at each scrape (replacing an earlier reader: a
        process runs one runtime at a time)."""
        if self._outbox is not None:
            self.registry.unregister(self._outbox)
        self._outbox = OutboxCollector(read)
        self.registry.register(self._outbox)


class OutboxCollector(Collector):
    """The outbox as it stands in the database, read at each scrape."""

    def __init__(self, read: Callable[[], OutboxStats]) -> None:
        self.read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            stats = self.read()
        except Exception as exc:  # the database is down: /readyz says so; no gauges now
            logger.warning("outbox metrics not read (%s)", type(exc).__name__)
            return
        yield GaugeMetricFamily(
            "mentorbot_outbox_due", "Notifications due now and not leased.", value=stats.due
        )
        yield GaugeMetricFamily(
            "mentorbot_outbox_leased", "Notifications leased by a worker.", value=stats.leased
        )
        yield GaugeMetricFamily(
            "mentorbot_outbox_dead", "Notifications given up (DEAD).", value=stats.dead
        )
        yield GaugeMetricFamily(
            "mentorbot_outbox_oldest_due_age_seconds",
            "How long the oldest due notification has waited (0 when none).",
            value=stats.oldest_due_age_seconds,
        )


_outcome: ContextVar[list[str] | None] = ContextVar("mentorbot_outcome", default=None)


def note_outcome(found: str) -> None:
    """Name the outcome of the update being handled (no-op outside ``handling``)."""
    box = _outcome.get()
    if box is not None:
        box[0] = found


_process_metrics: Metrics | None = None


def process_metrics() -> Metrics:
    """This process's metrics (made, and installed as core's observer, on first use)."""
    global _process_metrics
    if _process_metrics is None:
        from core.observe import install

        _process_metrics = Metrics()
        install(_process_metrics)
    return _process_metrics
