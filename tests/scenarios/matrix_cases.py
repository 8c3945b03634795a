"""What the authorization matrix presses, per action of the vocabulary, and who may.

Every action gets ``matrix_case.generic`` arguments from its argument kinds alone; the
actions named here also get arguments naming real entities: the roles' own ("valid"),
someone else's ("forged") and finished ones ("stale"), built fresh for each action
(``matrix_requests``, ``matrix_sessions``). Actions that only show something (a list, a
form, an offer of times) are allowed to change nothing for anyone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.scenarios import matrix_records as records
from tests.scenarios import matrix_requests as r
from tests.scenarios import matrix_sessions as s
from tests.scenarios.matrix_case import Case
from tests.scenarios.matrix_world import World

Build = Callable[[World], Awaitable[list[Case]]]

DESCRIBED: dict[str, Build] = {
    "claim": r.claim,
    "slots": r.slots,
    "release": r.release,
    "decline": r.decline,
    "reschedule": s.reschedule,
    "book": r.book,
    "move": s.move,
    "more_times": r.more_times,
    "more_moves": s.more_moves,
    "my": r.just_look,
    "limits": r.just_look,
    "mentors": r.just_look,
    "queue": r.just_look,
    "admin": r.just_look,
    "stats": r.just_look,
    "assign": r.assign,
    "timezone": r.timezone,
    "set_timezone": r.timezone,
    "remove_window": r.remove_window,
    "availability": r.availability,
    "cancel": r.cancel,
    "extend": r.extend,
    "extend_once": r.extend_once,
    "repost": r.repost,
    "edit": r.edit,
    "ask": r.ask,
    "cancel_session": s.cancel_session,
    "outcome": s.outcome,
    "rate": s.rate,
    "notes": s.notes,
    "history": r.history,
    "dispute": records.dispute,
    "settle": records.settle,
    "withdraw": records.withdraw,
    "hide": records.hide,
    "approve": r.decide,
    "reject": r.decide,
}
