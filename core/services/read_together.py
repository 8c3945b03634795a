"""Several read-only services in one transaction.

A screen built from many lists (Slack's Home tab: the requests, sessions, limits, the
queue, the windows, the names) called each service in its own transaction and its own
trip to a worker thread: eight BEGIN/ROLLBACK pairs for one view, and on SQLite eight
turns at the database lock (issue 14). ``read_together`` runs a function of such reads
with one unit of work lent to every service it calls. Each service still checks what it
always checks; none of them may write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Concatenate, ParamSpec, TypeVar

from core.ports import UnitOfWork
from core.services.context import ServiceContext

P = ParamSpec("P")
T = TypeVar("T")


class ReadOnlyTogether(RuntimeError):
    """A service that writes was called inside ``read_together``: a bug, not bad input."""


class _Lent(UnitOfWork):
    """The caller's open unit of work, lent to one service after another: leaving it ends
    nothing (the caller's own exit rolls the whole read back), and a commit is refused."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.members = uow.members
        self.mentors = uow.mentors
        self.requests = uow.requests
        self.sessions = uow.sessions
        self.events = uow.events
        self.session_notes = uow.session_notes
        self.notifications = uow.notifications
        self.outbox = uow.outbox

    def commit(self) -> None:
        raise ReadOnlyTogether("a service run by read_together tried to commit")

    def rollback(self) -> None:
        """Nothing: leaving the lent unit (UnitOfWork's exit rolls back) ends nothing."""
        return None


def read_together(
    ctx: ServiceContext,
    reads: Callable[Concatenate[ServiceContext, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """``reads(shared, *args)``, where ``shared`` is ``ctx`` with one transaction for
    every service ``reads`` calls with it."""
    with ctx.uow_factory() as uow:
        lent = _Lent(uow)
        shared = replace(ctx, uow_factory=lambda: lent)
        return reads(shared, *args, **kwargs)
