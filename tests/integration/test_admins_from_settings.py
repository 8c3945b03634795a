"""``MENTORBOT_ADMINS`` at start-up: it applies to people who already exist, taking it
away works, and a promotion made in the product outlives the setting. On SQLite and
PostgreSQL, through the composition root the runners use."""

from __future__ import annotations

import logging

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, text

from bot.bootstrap import build_runtime
from bot.cli import main
from bot.config import Settings
from bot.handlers.console.session import ConsoleSession
from core.clock import MovableClock
from core.errors import NotAllowed
from core.members import Identity, Platform
from core.services.admin import admin_stats, grant_admin
from core.services.admin_settings import apply_admin_settings, parse_admins
from core.services.context import ServiceContext
from core.services.members import register_member
from db.migrate import alembic_config, upgrade
from tests.integration.helpers import START, make_context

ALICE = Identity(Platform.TELEGRAM, "1001")
BOB = Identity(Platform.SLACK, "T01:U02")


def _start(database_url: str, *admins: str) -> None:
    """One start of the bot with this setting (what every runner does first)."""
    build_runtime(Settings(database_url=database_url, admins=list(admins)), migrate=False).close()


def _is_admin(ctx: ServiceContext, member_id: int) -> bool:
    """What the person notices: whether the admin statistics open for them."""
    try:
        admin_stats(ctx, member_id)
    except NotAllowed as refusal:
        assert refusal.user_message == "Only admins can do that."
        return False
    return True


@pytest.fixture
def ctx(database_url: str) -> ServiceContext:
    return make_context(database_url, MovableClock(START))


def test_someone_who_already_exists_becomes_an_admin_at_the_next_start(ctx, database_url):
    alice, _ = register_member(ctx, ALICE, "Alice")
    bob, _ = register_member(ctx, BOB, "Bob")
    assert not _is_admin(ctx, alice.id)

    _start(database_url, "telegram:1001", "slack:T01:U02")

    assert _is_admin(ctx, alice.id) and _is_admin(ctx, bob.id)


def test_someone_removed_from_the_setting_stops_being_an_admin(ctx, database_url):
    alice, _ = register_member(ctx, ALICE, "Alice")
    bob, _ = register_member(ctx, BOB, "Bob")
    _start(database_url, "telegram:1001", "slack:T01:U02")

    _start(database_url, "slack:T01:U02")

    assert not _is_admin(ctx, alice.id)
    assert _is_admin(ctx, bob.id)


def test_a_newcomer_listed_in_the_setting_is_an_admin_until_removed(ctx, database_url):
    """First contact goes through the adapter (register_member with admin=True)."""
    alice, _ = register_member(ctx, ALICE, "Alice", admin=True)
    assert _is_admin(ctx, alice.id)

    _start(database_url)

    assert not _is_admin(ctx, alice.id)


def test_a_promotion_in_the_product_outlives_the_setting(ctx, database_url):
    alice, _ = register_member(ctx, ALICE, "Alice")
    bob, _ = register_member(ctx, BOB, "Bob")
    operator_made = grant_admin(ctx, None, alice.id)  # `mentorbot admin grant`
    assert operator_made.is_admin
    _start(database_url, "slack:T01:U02")
    grant_admin(ctx, None, bob.id)  # listed, and then promoted in the product as well

    _start(database_url)

    assert _is_admin(ctx, alice.id) and _is_admin(ctx, bob.id)


def test_starting_again_with_the_same_setting_changes_nothing(ctx, database_url):
    alice, _ = register_member(ctx, ALICE, "Alice")
    first = apply_admin_settings(ctx, ["telegram:1001"])
    again = apply_admin_settings(ctx, ["telegram:1001"])
    assert (first.promoted, first.demoted) == ([alice.id], [])
    assert (again.promoted, again.demoted) == ([], [])


def test_several_processes_starting_at_once_agree(ctx, database_url, run_concurrently):
    """Bot, worker and a replica start together: no error, no deadlock, one outcome."""
    members = [
        register_member(ctx, Identity(Platform.TELEGRAM, str(n)), f"P{n}")[0] for n in range(6)
    ]
    for member in members[3:]:
        register_member(ctx, member.identities[0], member.display_name, admin=True)
    listed = [f"telegram:{n}" for n in range(3)]
    contexts = [make_context(database_url, MovableClock(START)) for _ in range(4)]

    outcomes = run_concurrently(*(lambda c=c: apply_admin_settings(c, listed) for c in contexts))

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert [_is_admin(ctx, m.id) for m in members] == [True] * 3 + [False] * 3
    assert sorted(p for o in outcomes for p in o.promoted) == [m.id for m in members[:3]]
    assert sorted(d for o in outcomes for d in o.demoted) == [m.id for m in members[3:]]


def test_entries_the_bot_cannot_use_are_reported_and_ignored(ctx, caplog):
    read = parse_admins(["console:Alice", "slack:U123", "discord:9", "telegram:", " telegram:7 "])
    assert read.identities == {
        Identity(Platform.CONSOLE, "alice"),
        Identity(Platform.TELEGRAM, "7"),
    }
    assert read.unusable == ("slack:U123", "discord:9", "telegram:")
    with caplog.at_level(logging.WARNING):
        apply_admin_settings(ctx, ["slack:U123"])
    assert "'slack:U123' is not platform:id" in caplog.text


def test_the_console_matches_a_listed_name_whatever_its_case(ctx):
    """The console's newcomer check uses the same reading of the setting."""
    out: list[str] = []
    console = ConsoleSession(ctx, MovableClock(START), out.append, frozenset({"console:Alice"}))
    try:
        me = console.act_as("alice")
    finally:
        console.close()
    assert _is_admin(ctx, me.id)


def test_the_upgrade_keeps_console_admins_and_hands_chat_admins_to_the_setting(
    database_url: str, engine: Engine
):
    """Before 0006 a chat account became admin only through the setting; console admins
    were made by the demo or the operator. An empty setting after the upgrade therefore
    removes the former and keeps the latter."""
    command.downgrade(alembic_config(database_url), "0005")
    try:
        with engine.begin() as db:
            for n, (platform, external) in enumerate(
                [("telegram", "1001"), ("console", "admin")], start=1
            ):
                db.execute(
                    text(
                        "INSERT INTO members (id, display_name, timezone, is_admin, created_at,"
                        " updated_at) VALUES (:id, :name, 'UTC', true, :now, :now)"
                    ),
                    {"id": n, "name": external, "now": START},
                )
                db.execute(
                    text(
                        "INSERT INTO member_identities (member_id, platform, external_id)"
                        " VALUES (:id, :platform, :external)"
                    ),
                    {"id": n, "platform": platform, "external": external},
                )
    finally:
        upgrade(database_url)
    ctx = make_context(database_url, MovableClock(START))

    _start(database_url)

    assert not _is_admin(ctx, 1)  # telegram:1001, no longer listed
    assert _is_admin(ctx, 2)  # console:admin


def test_the_operators_grant_command_is_a_promotion_in_the_product(ctx, database_url):
    alice, _ = register_member(ctx, ALICE, "Alice")
    env = {"DATABASE_URL": database_url}
    result = CliRunner().invoke(main, ["admin", "grant", str(alice.id)], env=env)
    assert result.output == f"Alice (member {alice.id}) is an admin.\n"
    missing = CliRunner().invoke(main, ["admin", "grant", "nobody"], env=env)
    assert missing.stderr == "No member called 'nobody'.\n" and missing.exit_code == 1

    _start(database_url)  # a setting that does not list her

    assert _is_admin(ctx, alice.id)
