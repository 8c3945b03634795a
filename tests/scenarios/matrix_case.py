"""The authorization matrix's cases: arguments to press an action with, and who may.

``generic`` derives garbled, missing, surplus and unknown-id arguments from an action's
argument kinds alone, so an action added to ``VOCABULARY`` is pressed that way at once,
by every role, expecting no change. The described cases (``matrix_cases.DESCRIBED``) name
real entities, each with the roles that may change something with them and, for what
only shows something, a ``secret`` that only the roles in ``sees`` may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conversation.vocabulary import ActionDef, Arg
from tests.scenarios.matrix_world import MISSING, ROLES

STUDENT, OWN_MENTOR, ADMIN = "student", "claiming mentor", "admin"
MENTORS = frozenset({OWN_MENTOR, "other mentor"})
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Case:
    variant: str
    args: tuple[str, ...]
    allowed: frozenset[str] = field(default_factory=frozenset)
    # text that only ``sees`` may be shown (what an action reads must stay private too)
    secret: str = ""
    sees: frozenset[str] = field(default_factory=frozenset)


def allow(*roles: str) -> frozenset[str]:
    return frozenset(roles)


GARBLED = {Arg.ID: "x1", Arg.EPOCH: "-5", Arg.STARS: "9", Arg.OUTCOME: "bogus", Arg.ZONE: "A/B"}
FILLER = {Arg.ID: MISSING, Arg.EPOCH: "1780000000", Arg.STARS: "5", Arg.OUTCOME: "completed"}


def generic(action: ActionDef) -> list[Case]:
    kinds = action.args
    fixed = [k for k in kinds if k != Arg.TEXT]
    cases = [Case("surplus", tuple(FILLER.get(k, "UTC") for k in fixed) + ("7",) * 6)]
    if fixed:
        cases.append(Case("garbled", tuple(GARBLED.get(k, "x") for k in fixed)))
        cases.append(Case("missing", ()))
    if Arg.ID in kinds:
        cases.append(Case("unknown id", tuple(FILLER.get(k, "UTC") for k in fixed)))
    return cases


def three(valid: Case, forged: Case | None, stale: Case | None) -> list[Case]:
    return [c for c in (valid, forged, stale) if c is not None]
