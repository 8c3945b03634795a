"""One person is one member, whatever chat platforms they use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Platform(StrEnum):
    TELEGRAM = "telegram"
    SLACK = "slack"
    CONSOLE = "console"


class AdminSource(StrEnum):
    """Why someone is an admin: the operator's setting, which the next start may take
    back, or a promotion in the product, which only the product takes back."""

    SETTINGS = "settings"
    PRODUCT = "product"


class Role(StrEnum):
    STUDENT = "student"
    MENTOR = "mentor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Identity:
    """A platform account. Slack ids are ``TEAM:USER`` because user ids are per workspace."""

    platform: Platform
    external_id: str
    # set when the platform said the person blocked us; not part of the identity itself
    unreachable: bool = field(default=False, compare=False)


@dataclass
class Member:
    id: int
    display_name: str
    timezone: str = "UTC"
    is_admin: bool = False
    is_approved_mentor: bool = False
    identities: list[Identity] = field(default_factory=list)
    created_at: datetime | None = None
    admin_source: AdminSource | None = None  # None while not an admin

    @property
    def roles(self) -> frozenset[Role]:
        roles = {Role.STUDENT}
        if self.is_approved_mentor:
            roles.add(Role.MENTOR)
        if self.is_admin:
            roles.add(Role.ADMIN)
        return frozenset(roles)

    def identity_on(self, platform: Platform) -> Identity | None:
        return next((i for i in self.identities if i.platform == platform), None)
