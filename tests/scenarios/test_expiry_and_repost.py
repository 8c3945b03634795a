"""Expiry and repost, on every front-end: nobody claims Alice's request; two days before
it expires she is warned and extends it by a week from the warning's button; when the
week is over too it expires, and she posts it again with one tap."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.scenarios.driver import Driver, RequestSpec
from tests.scenarios.people import ALICE
from tests.scenarios.story import TITLE, cast, plain, posted

SPEC = RequestSpec(available_until=date(2026, 3, 31))
WARNED = datetime(2026, 3, 7, 8, 1, tzinfo=UTC)  # 48 hours before the 7 days are over
EXPIRES = "Mon 9 Mar 2026, 01:00 (America/Los_Angeles)"  # summer time since the 8th
EXTENDED = "Mon 16 Mar 2026, 01:00 (America/Los_Angeles)"
EXPIRED = datetime(2026, 3, 16, 8, 1, tzinfo=UTC)


async def test_warned_extended_expired_posted_again(driver: Driver) -> None:
    d = driver
    await cast(d)
    request = await posted(d, SPEC)

    await d.set_clock(WARNED)
    warning = f'"{TITLE}" has not been claimed yet and expires on {EXPIRES}.'
    assert warning in d.told(ALICE), d.told(ALICE)
    (button,) = d.shown(ALICE, "extend_once")
    assert button[0] == request
    said = plain(await d.press_shown(ALICE, "extend_once", button))
    assert "Extended" in said or "open until" in said, said
    assert EXTENDED in said, said

    await d.set_clock(EXPIRED)
    assert f'Nobody could take "{TITLE}" within its time, so it has expired.' in d.told(ALICE)
    again = plain(await d.press_shown(ALICE, "repost", (request,)))
    new = str(d.scalar("SELECT max(id) FROM mentorship_requests"))
    assert new != request and "Posted again as" in again and f"#{new}" in again, again
    assert any(f"#{new}" in card and "New mentorship request" in card for card in d.feed)
    assert d.outcome() == EXPECTED


EXPECTED = {
    "requests": [
        (TITLE, "EXPIRED", "Alice", None, None, False, ["python"]),
        (TITLE, "OPEN", "Alice", None, None, False, ["python"]),  # posted again
    ],
    "sessions": [],
    "mentors": [("Bob", "APPROVED", ["python"]), ("Carol", "APPROVED", ["python"])],
    "notifications": [
        (("card_update", "SENT"), 1),  # expired
        (("expiry_warning", "CANCELLED"), 1),  # the extended one's: it expired meanwhile
        (("expiry_warning", "PENDING"), 1),  # the new one's
        (("expiry_warning", "SENT"), 1),
        (("mentor_applied", "SENT"), 2),
        (("mentor_approved", "SENT"), 2),
        (("request_expired", "SENT"), 1),
        (("request_matched", "SENT"), 4),  # Bob and Carol, twice
        (("request_posted", "SENT"), 2),
        (("request_reannounced", "SENT"), 1),  # unclaimed for two days
    ],
    "transitions": [
        (("mentor", "PENDING", "APPROVED"), 2),
        (("mentor", None, "PENDING"), 2),
        (("request", "OPEN", "EXPIRED"), 1),
        (("request", None, "OPEN"), 2),
    ],
    "admins": ["Ada"],
}
