"""Steps several scenarios share, written once against :class:`Driver`.

Alice (Los Angeles) asks; Bob (Berlin) and Carol (New York) mentor python; Ada is the
admin. Her availability is 3-6 March in her zone, at the form's default hours (07:00-22:00
her time); Bob is free 08:00-20:00 Berlin, so the first time he can offer is Tuesday 3
March 16:00 Berlin, which is 07:00 in Los Angeles and 15:00 UTC (never her night: before
her hours were asked, it was 09:00 Berlin, midnight for her). The clock starts on Monday
2 March 08:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.scenarios.driver import BOOK, Driver, RequestSpec
from tests.scenarios.people import ADA, ALICE, BOB, CAROL

TITLE = RequestSpec().title
AT_BERLIN = "Tue 3 Mar 2026, 16:00 (Europe/Berlin)"
AT_LOS_ANGELES = "Tue 3 Mar 2026, 07:00 (America/Los_Angeles)"
STARTS = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
ENDS = datetime(2026, 3, 3, 15, 45, tzinfo=UTC)
APOLOGY = ("something went wrong", "Traceback", "Exception", 'File "')


@dataclass(frozen=True)
class Booked:
    request: str
    session: str


def plain(said: str) -> str:
    """An answer a person can read: not empty, no traceback, no apology."""
    assert said.strip(), "no answer at all"
    for leak in APOLOGY:
        assert leak not in said, said
    return said


async def cast(d: Driver) -> None:
    """Everyone registers the front-end's way; Bob and Carol become approved mentors."""
    await d.register(ADA)
    await d.register(ALICE)
    await d.make_mentor(BOB, ["python"])
    await d.make_mentor(CAROL, ["python"])


async def posted(d: Driver, spec: RequestSpec | None = None) -> str:
    """Alice's request through the form; its card reaches the mentors."""
    request = str(await d.submit_request(ALICE, spec or RequestSpec()))
    assert f"#{request}" in d.told(ALICE) and "submitted" in d.told(ALICE)
    assert any(f"#{request}" in card and "New mentorship request" in card for card in d.feed)
    assert (request,) in d.shown(BOB, "claim"), d.feed
    return request


async def claimed(d: Driver, request: str) -> None:
    """Bob claims from the card; Carol's claim a moment later is refused by name."""
    won = plain(await d.press_shown(BOB, "claim", (request,)))
    assert "You claimed" in won and f"#{request}" in won, won
    mark = d.snapshot()
    lost = plain(await d.press_shown(CAROL, "claim", (request,)))
    assert "Already claimed by Bob" in lost, lost
    assert d.snapshot() == mark
    assert "Good news: Bob will mentor you" in d.told(ALICE)


async def booked(d: Driver) -> Booked:
    """Alice's request claimed by Bob and booked at the first time he is offered."""
    await cast(d)
    request = await posted(d)
    await claimed(d, request)
    said = plain(await d.pick_first(BOB, BOOK))
    assert "Booked" in said and AT_BERLIN in said, said
    session = str(d.scalar("SELECT id FROM mentorship_sessions"))
    assert f'Booked: "{TITLE}" with Bob on {AT_LOS_ANGELES}, 45 min.' in d.told(ALICE)
    assert f'Booked: "{TITLE}" with Alice on {AT_BERLIN}, 45 min.' in d.told(BOB)
    for person in (ALICE, BOB):
        assert f"(attached mentorship-{session}.ics)" in d.told(person), d.told(person)
    return Booked(request, session)
