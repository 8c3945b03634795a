"""What the product counts for its operator, without knowing how it is exported.

Core and db report events here (a delivery's outcome, a rate-limit wait, a transaction
run again, a database error); ``bot.ops.metrics`` installs an observer that turns them
into Prometheus metrics. Until one is installed nothing is counted, so tests and the
console pay nothing, and core imports no metrics library.
"""

from __future__ import annotations


class Observer:
    """The events; every method does nothing unless overridden."""

    def delivery(self, platform: str, kind: str, outcome: str) -> None:
        """One send to one chat: ``outcome`` is sent, rate_limited, chat_problem,
        unreachable or failed."""

    def rate_limit_wait(self, platform: str, seconds: float) -> None:
        """A send waited ``seconds`` for a slot within the platform's limits."""

    def transaction_retried(self) -> None:
        """A deadlock or serialization failure: the whole transaction runs again."""

    def database_error(self, kind: str) -> None:
        """A transaction failed: ``kind`` is temporary (retrying may fix it) or other."""


_current = Observer()


def observer() -> Observer:
    return _current


def install(found: Observer) -> Observer:
    """Use ``found`` from now on; returns the one it replaces (to restore it)."""
    global _current
    previous, _current = _current, found
    return previous
