"""A console chat for transcript tests, in the style of errbot's ``testbot``.

``chat.send(line)`` types one line into the console front-end and returns what the
terminal printed for it: the replies to the person acting and the ``to NAME: …`` lines of
the notifications it caused (the due work runs after every line, as in the real console).
Each test gets the demo cast (admin, alice, bob, carol, dave) on a fresh database, once on
SQLite and once on PostgreSQL. The clock stands still at ``START`` until ``/clock``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.handlers.console.demo import seed_demo
from bot.handlers.console.session import ConsoleSession
from core.catalogue import Catalogue
from core.clock import MovableClock
from core.policy import Policy
from core.services.context import ServiceContext
from db.engine import make_engine, make_session_factory
from db.frontend_state import FrontEndStore
from db.unit_of_work import SqlAlchemyUnitOfWork
from tests.e2e.helpers import Chat

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday; 00:00 in Los Angeles, 09:00 in Berlin


@pytest.fixture
def chat(database_url: str) -> Iterator[Chat]:
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    clock = MovableClock(START)
    ctx = ServiceContext(
        uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
        clock=clock,
        catalogue=Catalogue.load(),
        policy=Policy(),
    )
    printed: list[Chat] = []
    store = FrontEndStore(sessions)
    session = ConsoleSession(ctx, clock, lambda text: printed[0].out(text), store=store)
    chat = Chat(session, clock)
    printed.append(chat)
    try:
        assert seed_demo(ctx)
        session.run_due_work()  # the cast's own applications and approvals, unseen
        chat.discard_output()
        yield chat
    finally:
        session.close()
        engine.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On failure, show the conversation so far: it usually explains what broke."""
    outcome = yield
    report = outcome.get_result()
    chat = getattr(item, "funcargs", {}).get("chat")
    if report.failed and isinstance(chat, Chat):
        report.sections.append(("console transcript", "\n".join(chat.transcript)))
