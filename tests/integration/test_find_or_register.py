"""First contact in one transaction (``find_or_register``), on SQLite and PostgreSQL:
someone new is registered once however many of their first updates arrive at once,
with their identity; someone known is found as they are."""

from __future__ import annotations

from sqlalchemy import text

from core.clock import MovableClock
from core.members import Identity, Platform
from core.services.members import find_or_register, register_member
from tests.integration.helpers import START, make_context


def test_first_updates_at_once_register_one_member_with_its_identity(
    database_url, engine, run_concurrently
) -> None:
    ctx = make_context(database_url, MovableClock(START))
    who = Identity(Platform.TELEGRAM, "4242")
    outcomes = run_concurrently(
        *(lambda: find_or_register(ctx, who, "Dana Scully") for _ in range(8))
    )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    ids = {member.id for member, _ in outcomes}
    assert len(ids) == 1
    assert sum(1 for _, created in outcomes if created) >= 1
    with engine.connect() as connection:
        members = connection.execute(text("SELECT id, display_name FROM members")).all()
        identities = connection.execute(
            text("SELECT member_id, platform, external_id FROM member_identities")
        ).all()
    assert [tuple(m) for m in members] == [(ids.pop(), "Dana Scully")]
    assert [tuple(i) for i in identities] == [(members[0][0], "telegram", "4242")]


def test_someone_known_is_found_as_they_are_and_only_the_new_are_promoted(
    database_url,
) -> None:
    ctx = make_context(database_url, MovableClock(START))
    known, _ = register_member(ctx, Identity(Platform.CONSOLE, "bob"), "Bob", "Europe/Paris")
    found, created = find_or_register(ctx, Identity(Platform.CONSOLE, "bob"), "Robert", admin=True)
    assert not created
    assert (found.id, found.display_name, found.timezone) == (known.id, "Bob", "Europe/Paris")
    assert not found.is_admin  # a lookup is no promotion
    new, created = find_or_register(ctx, Identity(Platform.CONSOLE, "ada"), "Ada", admin=True)
    assert created and new.is_admin and new.timezone == "UTC"
    again, created = find_or_register(ctx, Identity(Platform.CONSOLE, "ada"), "Ada")
    assert not created and again.id == new.id and again.is_admin
