"""Members, their platform identities, and the per-member lock."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.members import AdminSource, Identity, Member, Platform
from core.mentors import MentorStatus
from core.ports import MemberRepository
from db.models import MemberIdentityRow, MemberRow, MentorProfileRow
from db.repositories.base import SqlRepository, table

# the tables themselves: plain Core statements skip the ORM's per-row work
MEMBERS = table(MemberRow)
IDENTITIES = table(MemberIdentityRow)
PROFILES = table(MentorProfileRow)


# A member with their mentor status and identities: one statement, a row per identity,
# plain rows rather than ORM entities. The two lookups of every update are built once.
_MEMBERS = select(
    MEMBERS.c.id,
    MEMBERS.c.display_name,
    MEMBERS.c.timezone,
    MEMBERS.c.is_admin,
    MEMBERS.c.created_at,
    MEMBERS.c.admin_source,
    PROFILES.c.status,
    IDENTITIES.c.platform,
    IDENTITIES.c.external_id,
    IDENTITIES.c.unreachable_at,
).select_from(
    MEMBERS.outerjoin(PROFILES, PROFILES.c.member_id == MEMBERS.c.id).outerjoin(
        IDENTITIES, IDENTITIES.c.member_id == MEMBERS.c.id
    )
)
_ORDER = (MEMBERS.c.id, IDENTITIES.c.id)
BY_ID = _MEMBERS.where(MEMBERS.c.id == bindparam("id")).order_by(*_ORDER)  # no IN list to expand
BY_IDS = _MEMBERS.where(MEMBERS.c.id.in_(bindparam("ids", expanding=True))).order_by(*_ORDER)
_OWNER = select(IDENTITIES.c.member_id).where(
    IDENTITIES.c.platform == bindparam("platform"),
    IDENTITIES.c.external_id == bindparam("external_id"),
)
BY_IDENTITY = _MEMBERS.where(MEMBERS.c.id.in_(_OWNER)).order_by(*_ORDER)
# the member read with their row's lock (the joined profile and identities are not locked)
BY_ID_LOCKED = BY_ID.with_for_update(key_share=True, of=MEMBERS)
_LOCK = select(MEMBERS.c.id).where(MEMBERS.c.id == bindparam("id")).with_for_update(key_share=True)
# PostgreSQL locks the rows as they come out of the sort: in id order, as one by one
_LOCK_ALL = (
    select(MEMBERS.c.id)
    .where(MEMBERS.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(MEMBERS.c.id)
    .with_for_update(key_share=True)
)
# A new member and their identity, built once. On PostgreSQL one statement inserts both
# (the identity's insert reads the member's id from the first: a first contact's
# registration is one round trip, not two); SQLite has no insert inside a WITH.
_NEW_MEMBER = (
    insert(MEMBERS)
    .values(
        display_name=bindparam("display_name"),
        timezone=bindparam("timezone"),
        is_admin=False,
        created_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    .returning(MEMBERS.c.id)
)
_NEW_IDENTITY = insert(IDENTITIES).values(
    member_id=bindparam("member_id"),
    platform=bindparam("platform"),
    external_id=bindparam("external_id"),
)
_MEMBER_CTE = _NEW_MEMBER.cte("created")
_NEW_MEMBER_WITH_IDENTITY = (
    insert(IDENTITIES)
    .from_select(
        ["member_id", "platform", "external_id"],
        select(
            _MEMBER_CTE.c.id,
            bindparam("platform", type_=IDENTITIES.c.platform.type),
            bindparam("external_id", type_=IDENTITIES.c.external_id.type),
        ),
    )
    .returning(IDENTITIES.c.member_id)
)


def _identity_values(identity: Identity) -> dict[str, str]:
    return {"platform": identity.platform.value, "external_id": identity.external_id}


class SqlMemberRepository(SqlRepository, MemberRepository):
    def get(self, member_id: int) -> Member | None:
        return self._members(self.rows(BY_ID, {"id": member_id})).get(member_id)

    def get_many(self, member_ids: Collection[int]) -> dict[int, Member]:
        if not member_ids:
            return {}
        return self._members(self.rows(BY_IDS, {"ids": list(set(member_ids))}))

    def find_by_identity(self, identity: Identity) -> Member | None:
        # the identity's lookup inside the member query: one statement
        params = {"platform": identity.platform.value, "external_id": identity.external_id}
        found = self._members(self.rows(BY_IDENTITY, params))
        return next(iter(found.values()), None)

    def find_by_name(self, display_name: str) -> list[Member]:
        found = self._load(func.lower(MemberRow.display_name) == display_name.strip().lower())
        return sorted(found.values(), key=lambda m: m.id)

    def add(self, display_name: str, timezone: str, identity: Identity, now: datetime) -> Member:
        # A savepoint, so that losing a race on the unique identity (two /start at once)
        # leaves the outer transaction usable and we return the winner's member. Plain
        # inserts, and the new member built from what was written (not read back).
        try:
            with self.session.begin_nested():
                values = {"display_name": display_name, "timezone": timezone, "now": now}
                if self.is_postgres:
                    member_id = self.session.execute(
                        _NEW_MEMBER_WITH_IDENTITY, values | _identity_values(identity)
                    ).scalar_one()
                else:
                    member_id = self.session.execute(_NEW_MEMBER, values).scalar_one()
                    self._add_identity_row(member_id, identity)
        except IntegrityError:
            existing = self.find_by_identity(identity)
            if existing is None:
                raise
            return existing
        return Member(
            id=member_id,
            display_name=display_name,
            timezone=timezone,
            identities=[Identity(identity.platform, identity.external_id)],
            created_at=now,
        )

    def add_identity(self, member_id: int, identity: Identity) -> None:
        self._add_identity_row(member_id, identity)

    def _add_identity_row(self, member_id: int, identity: Identity) -> None:
        self.session.execute(_NEW_IDENTITY, _identity_values(identity) | {"member_id": member_id})

    def update(self, member: Member, now: datetime) -> None:
        row = self.session.get(MemberRow, member.id, populate_existing=True)
        if row is None:
            return
        row.display_name = member.display_name
        row.timezone = member.timezone
        row.is_admin = member.is_admin
        row.admin_source = None if member.admin_source is None else member.admin_source.value
        row.updated_at = now
        self.session.flush()

    def lock(self, member_id: int) -> None:
        # SQLite already holds the database write lock (BEGIN IMMEDIATE); PostgreSQL
        # locks just this member's row until commit. FOR NO KEY UPDATE: two locks of one
        # member still wait for each other, but a foreign-key check on the member (any
        # insert naming them, e.g. a transition event) does not wait, which deadlocked a
        # cancel against a booking in the soak.
        if self.is_postgres:
            self.session.execute(_LOCK, {"id": member_id})

    def get_locked(self, member_id: int) -> Member | None:
        if not self.is_postgres:  # SQLite holds the database's write lock already
            return self.get(member_id)
        return self._members(self.rows(BY_ID_LOCKED, {"id": member_id})).get(member_id)

    def lock_all(self, member_ids: Collection[int]) -> None:
        if self.is_postgres and member_ids:
            self.session.execute(_LOCK_ALL, {"ids": sorted(set(member_ids))}).all()

    def mark_unreachable(self, identity: Identity, now: datetime) -> None:
        self.session.execute(
            update(MemberIdentityRow)
            .where(
                MemberIdentityRow.platform == identity.platform.value,
                MemberIdentityRow.external_id == identity.external_id,
            )
            .values(unreachable_at=now)
            .execution_options(synchronize_session=False)
        )

    def mark_reachable(self, identity: Identity) -> None:
        self.session.execute(
            update(MemberIdentityRow)
            .where(
                MemberIdentityRow.platform == identity.platform.value,
                MemberIdentityRow.external_id == identity.external_id,
            )
            .values(unreachable_at=None)
            .execution_options(synchronize_session=False)
        )

    def admins(self) -> list[Member]:
        found = self._load(MemberRow.is_admin.is_(True))
        return sorted(found.values(), key=lambda m: m.id)

    def _load(self, condition: ColumnElement[bool]) -> dict[int, Member]:
        """Members matching ``condition`` (the rarer lookups: built each time)."""
        return self._members(self.rows(_MEMBERS.where(condition).order_by(*_ORDER)))

    def _members(self, rows: Iterable[Any]) -> dict[int, Member]:
        """Members from their rows, one per identity (see ``_MEMBERS``)."""
        found: dict[int, Member] = {}
        for row in rows:
            member = found.get(row.id)
            if member is None:
                member = found[row.id] = Member(
                    id=row.id,
                    display_name=row.display_name,
                    timezone=row.timezone,
                    is_admin=row.is_admin,
                    is_approved_mentor=row.status == MentorStatus.APPROVED.value,
                    identities=[],
                    created_at=row.created_at,
                    admin_source=None
                    if row.admin_source is None
                    else AdminSource(row.admin_source),
                )
            if row.platform is not None:
                member.identities.append(
                    Identity(
                        Platform(row.platform),
                        row.external_id,
                        unreachable=row.unreachable_at is not None,
                    )
                )
        return found
