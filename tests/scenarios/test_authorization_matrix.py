"""Every action of the vocabulary, on every front-end, by every role, with valid, forged,
stale and garbled arguments: 0 unauthorized changes and a plain answer every time.

Actions come from ``VOCABULARY`` itself, so a new one is pressed (with the arguments its
kinds allow) without touching this file; ``test_every_action_is_described`` then asks for
its real-entity cases in ``matrix_cases.DESCRIBED``. Telegram presses callback data,
Slack posts signed block actions, the console types the command (for the actions it has a
command for); Telegram also types the actions its /help lists, Slack the sub-commands
``/mentorship help`` lists.

One world per front-end and database. SQLite gets the whole matrix; PostgreSQL, to keep
the suite short, a representative part: every action by every role with its valid,
forged and stale arguments, pressed (the generic arguments and the typed commands run on
SQLite only; an action with no described cases gets its generic ones on both).

A press that is not allowed must leave the domain (and every known member's zone and
admin flag) exactly as it was, and must tell nobody else anything; every press must
answer the presser in plain words, and show a case's secret only to whom may see it.
Each front-end's failures are reported together, one line per press.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from sqlalchemy import text

from bot.conversation import dispatcher  # noqa: F401  (fills the vocabulary)
from bot.conversation.vocabulary import VOCABULARY
from core.services.members import set_timezone
from tests.scenarios.console_driver import ConsoleDriver
from tests.scenarios.driver import Driver
from tests.scenarios.matrix_case import Case, generic
from tests.scenarios.matrix_cases import DESCRIBED
from tests.scenarios.matrix_world import ROLES, World
from tests.scenarios.people import EVERYONE, Person
from tests.scenarios.slack_driver import SlackDriver
from tests.scenarios.telegram_driver import TelegramDriver

# Arguments the vocabulary refuses before any service runs: who presses them does not
# matter yet, so three roles that differ most do.
UNPARSED = frozenset({"surplus", "garbled", "missing"})
PARSERS = ("stranger", "student", "admin")
LEAKS = ("Traceback", "Exception", 'File "', "sqlalchemy", "psycopg", "something went wrong")


def test_every_action_is_described() -> None:
    """A new action is pressed generically at once; its real-entity cases belong here."""
    assert sorted(set(VOCABULARY) - set(DESCRIBED)) == [], "describe them in matrix_cases.py"
    assert sorted(set(DESCRIBED) - set(VOCABULARY)) == [], "no longer in the vocabulary"


def _snapshot(d: Driver, w: World) -> dict[str, Any]:
    found: dict[str, Any] = d.snapshot()
    with d.db.connect() as c:
        rows = c.execute(text("SELECT id, timezone, is_admin FROM members ORDER BY id"))
        found["members"] = [tuple(r) for r in rows if r[0] in w.ids.values()]
    return found


async def _typed(d: Driver) -> frozenset[str]:
    """The actions a front-end also takes as a typed command, as it lists them itself:
    Telegram's ``/help``, Slack's ``/mentorship help``."""
    if isinstance(d, SlackDriver):
        await d.type(ROLES["student"], "/help")
        return d.subcommands()
    if isinstance(d, TelegramDriver):
        helped = await d.type(ROLES["admin"], "/help")
        return frozenset(re.findall(r"/([a-z_]+)", helped)) & set(VOCABULARY)
    return frozenset()


async def _press(d: Driver, p: Person, name: str, case: Case, typed: bool) -> str:
    if typed:
        return await d.type(p, " ".join((f"/{name}", *case.args)))
    return await d._press(p, name, case.args)


async def _check(
    d: Driver, w: World, role: str, name: str, case: Case, typed: bool, before: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    """The problems with one press, and the snapshot after it (the next one's before)."""
    p = ROLES[role]
    how = "typed" if typed else "pressed"
    label = f"{d.name}: {role} {how} {name} {case.variant} {case.args}"
    heard = {q.key: d.mark(q) for q in EVERYONE if q != p}
    feed = len(d.feed)
    try:
        said = await _press(d, p, name, case, typed)
    except AssertionError as failed:  # e.g. a press never answered
        return [f"{label}: {str(failed)[:300]}"], _snapshot(d, w)
    problems = []
    if not said.strip():
        problems.append(f"{label}: no answer")
    problems += [f"{label}: told {said[:200]!r}" for leak in LEAKS if leak in said]
    if case.secret and case.secret in said and role not in case.sees:
        problems.append(f"{label}: was shown {case.secret!r}")
    if role in case.allowed:
        await d.deliver()
        return problems, _snapshot(d, w)
    after = _snapshot(d, w)
    changed = [table for table in before if before[table] != after[table]]
    if changed:
        problems.append(f"{label}: changed {changed}")
    others = [q for q, mark in heard.items() if len(d.heard[q]) > mark]
    if others or len(d.feed) > feed:
        problems.append(f"{label}: also told {others or 'the feed'}")
    return problems, after


async def _run(d: Driver, w: World, name: str, typed: frozenset[str]) -> list[str]:
    action = VOCABULARY[name]
    build = DESCRIBED.get(name)
    described = await build(w) if build else []
    full = d.db.dialect.name == "sqlite"
    cases = [*described, *generic(action)] if full or not described else described
    await d.deliver()  # the targets' own notifications are out before the presses
    ways = [False, True] if name in typed and full else [False]
    if isinstance(d, ConsoleDriver):
        ways = [True]  # the console is typed
    cells = [
        (role, case, typed)
        for case in cases
        for role in (PARSERS if case.variant in UNPARSED else ROLES)
        for typed in ways
    ]
    # the allowed presses come last (they change the targets); one role's presses in a row
    # (the console switches person with a line of its own)
    order = list(ROLES)
    cells.sort(key=lambda cell: (cell[0] in cell[1].allowed, order.index(cell[0])))
    problems: list[str] = []
    before = _snapshot(d, w)
    for role, case, typed in cells:
        found, before = await _check(d, w, role, name, case, typed, before)
        problems += found
    for p in EVERYONE:  # an allowed change of one's own zone is undone for the next action
        if p.key in w.ids:
            set_timezone(d.ctx, w.ids[p.key], p.zone)
    return problems


def _actions(d: Driver) -> list[str]:
    if isinstance(d, ConsoleDriver):
        return [name for name in VOCABULARY if d.has_command(name)]
    return list(VOCABULARY)


async def test_authorization_matrix(roomy_driver: Driver, caplog: pytest.LogCaptureFixture) -> None:
    d = roomy_driver
    w = await World(d).build()
    caplog.set_level(logging.ERROR)
    problems: list[str] = []
    typed = await _typed(d)
    for name in _actions(d):
        problems += await _run(d, w, name, typed)
    errors = [r.getMessage()[:200] for r in caplog.records if r.levelno >= logging.ERROR]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    assert not errors, "errors logged:\n" + "\n".join(errors)
    assert d.scalar("SELECT count(*) FROM members WHERE is_admin") == 1
