"""Usage limits: per session-type group and a cap on active requests, per student.

The rule is pure: given the requests that still count, may one more be added? Making it
hold under concurrent submissions is the storage's job (the service locks the student
before counting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.catalogue import Catalogue
from core.errors import LimitReached
from core.lifecycle import UNFINISHED_REQUEST_STATES
from core.policy import Policy
from core.requests import MentorshipRequest

WHAT_COUNTS = "Cancelled and expired requests do not count, nor sessions your mentor missed."


@dataclass(frozen=True)
class UsageLine:
    label: str
    used: int
    limit: int | None  # None: unlimited

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    def describe(self) -> str:
        if self.limit is None:
            return f"{self.label}: {self.used} used, unlimited"
        return f"{self.label}: {self.used} of {self.limit} used, {self.left} left"


def usage_report(
    catalogue: Catalogue, policy: Policy, requests: Sequence[MentorshipRequest]
) -> list[UsageLine]:
    counted = [r for r in requests if r.counts_towards_limit]
    lines = [
        UsageLine(
            group.label,
            sum(1 for r in counted if catalogue.group_of(r.session_type) == group),
            group.limit,
        )
        for group in catalogue.groups
    ]
    active = sum(1 for r in counted if r.status in UNFINISHED_REQUEST_STATES)
    lines.append(UsageLine("Active requests at once", active, policy.max_active_requests))
    return lines


def check_can_submit(
    catalogue: Catalogue, policy: Policy, session_type: str, requests: Sequence[MentorshipRequest]
) -> None:
    group = catalogue.group_of(session_type)
    for line in usage_report(catalogue, policy, requests):
        applies = line.label == "Active requests at once" or (group and line.label == group.label)
        if applies and line.limit is not None and line.used >= line.limit:
            raise LimitReached(line.label, line.limit, line.used, WHAT_COUNTS)
