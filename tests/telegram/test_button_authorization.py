"""Every callback pattern, pressed by everyone who may not press it, plus forged and stale
data: 0 unauthorized changes in the database and a plain answer every time.

The world: Alice (student) has an open request, a claimed one (by Bob), a scheduled one
(with Bob, in the future), one whose session with Carol is over but not yet reported, one
completed session with Bob (unrated) and a cancelled request; Bob has an availability
window; Dave applied to mentor and waits. Every button a person could be shown anywhere
is pressed by each of: a stranger who never sent /start, Alice, Erin (another student),
Dave (unapproved mentor), Carol (approved mentor), Bob (approved mentor), the admin,
except where that person may press it. The press rides on the newest bot message in the
presser's own chat, as a modified client could do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from core.requests import RequestDraft
from core.services.claims import claim_request
from core.services.mentors import my_availability
from core.services.outcomes import record_outcome
from core.services.requests import cancel_request, submit_request
from core.services.sessions import available_slots, schedule_session
from core.sessions import Outcome
from tests.support.fake_telegram import User
from tests.telegram.harness import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    GROUP,
    STRANGER,
    BotHarness,
    register,
)

ACTORS = {
    "stranger": STRANGER,
    "student": ALICE,
    "other student": ERIN,
    "unapproved mentor": DAVE,
    "approved mentor": CAROL,
    "claiming mentor": BOB,
    "admin": ADMIN,
}
LEAKS = ("Traceback", "Exception", "Error:", 'File "', "sqlalchemy", "psycopg", "telegram.")


@dataclass
class World:
    open_request: int
    claimed_request: int
    scheduled_request: int
    scheduled_session: int
    past_session: int  # Carol's, over, not reported
    done_session: int  # Bob's, completed, not rated
    cancelled_request: int
    window: int
    dave: int
    slot: int  # an epoch Bob could book for the claimed request
    move: int  # an epoch Alice or Bob could move the scheduled session to


def _draft(title: str, start: str, end: str) -> RequestDraft:
    return RequestDraft(
        "career-guidance",
        title,
        "A description long enough to pass.",
        {},
        45,
        "normal",
        datetime.fromisoformat(start).date(),
        datetime.fromisoformat(end).date(),
        ["python"],
    )


async def _world(tg: BotHarness) -> World:
    for user, zone in ((ADMIN, "UTC"), (ALICE, "America/Los_Angeles"), (ERIN, "Asia/Kolkata")):
        await register(tg, user, zone)
    bob = tg.seed_mentor(BOB, "Europe/Berlin", ["python"]).id
    carol = tg.seed_mentor(CAROL, "America/New_York", ["python"]).id
    dave = tg.seed_mentor(DAVE, "Asia/Tokyo", ["go"], approve=False).id
    for user in (BOB, CAROL, DAVE):  # they have talked to the bot
        await tg.send(user, "/help")
    ctx, alice = tg.ctx, tg.member(ALICE).id

    done = submit_request(ctx, alice, _draft("Done one", "2026-03-03", "2026-03-04"))
    claim_request(ctx, bob, done.id)
    done_session = schedule_session(ctx, bob, done.id, available_slots(ctx, bob, done.id)[0])
    past = submit_request(ctx, alice, _draft("Past one", "2026-03-03", "2026-03-04"))
    claim_request(ctx, carol, past.id)
    past_session = schedule_session(ctx, carol, past.id, available_slots(ctx, carol, past.id)[0])
    tg.clock.set(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    record_outcome(ctx, bob, done_session.id, Outcome.COMPLETED)

    open_ = submit_request(ctx, alice, _draft("Open one", "2026-03-05", "2026-03-12"))
    claimed = submit_request(ctx, alice, _draft("Claimed one", "2026-03-05", "2026-03-12"))
    claim_request(ctx, bob, claimed.id)
    scheduled = submit_request(ctx, alice, _draft("Booked one", "2026-03-05", "2026-03-12"))
    claim_request(ctx, bob, scheduled.id)
    slots = available_slots(ctx, bob, scheduled.id)
    session = schedule_session(ctx, bob, scheduled.id, slots[0])
    cancelled = submit_request(ctx, alice, _draft("Cancelled one", "2026-03-05", "2026-03-12"))
    cancel_request(ctx, alice, cancelled.id)
    return World(
        open_request=open_.id,
        claimed_request=claimed.id,
        scheduled_request=scheduled.id,
        scheduled_session=session.id,
        past_session=past_session.id,
        done_session=done_session.id,
        cancelled_request=cancelled.id,
        window=my_availability(ctx, bob)[0].id or 0,
        dave=dave,
        slot=int(available_slots(ctx, bob, claimed.id)[0].timestamp()),
        move=int(slots[3].timestamp()),
    )


def _buttons(w: World) -> dict[str, set[str]]:
    """Every callback pattern, with who may press it (and so is not pressed here)."""
    return {
        f"a:claim:{w.open_request}": {"approved mentor", "claiming mentor"},
        f"a:slots:{w.claimed_request}": {"student", "claiming mentor"},
        f"a:release:{w.claimed_request}": {"claiming mentor", "admin"},
        f"a:reschedule:{w.scheduled_session}": {"student", "claiming mentor"},
        f"a:cancel:{w.open_request}": {"student", "admin"},
        f"a:cancel_session:{w.scheduled_session}": {"student", "claiming mentor", "admin"},
        f"a:extend:{w.open_request}": {"student"},
        f"a:edit:{w.open_request}": {"student"},
        f"a:repost:{w.cancelled_request}": {"student"},
        f"a:outcome:{w.past_session}:completed": {"student", "approved mentor", "admin"},
        f"a:outcome:{w.past_session}:student_no_show": {"approved mentor", "admin"},
        f"a:rate:{w.done_session}:5": {"student"},
        # admins read a session's notes (issue 11: never students, nor other mentors)
        f"a:notes:{w.done_session}": {"claiming mentor", "admin"},
        f"a:approve:{w.dave}": {"admin"},
        f"a:reject:{w.dave}": {"admin"},
        f"s:{w.claimed_request}:{w.slot}": {"claiming mentor"},
        f"r:{w.scheduled_session}:{w.move}": {"student", "claiming mentor"},
        f"w:rm:{w.window}": {"claiming mentor"},
        "f:c:0:4": set(),  # form buttons: nobody has a form open
        "f:p:9:submit": set(),
        "f:back": set(),
        "fd:6:day:2026-03-20": set(),
        "fd:6:month:2026-04-01": set(),
    }


FORGED = [
    "x",
    "a:",
    "a:claim",
    "a:claim:abc",
    "a:claim:99999999999999999999999999",
    "a:claim:999999",
    "a:nuke:1",
    "a:outcome:1:bogus",
    "a:outcome:1",
    "a:rate:1:9",
    "a:rate:1",
    "a:approve:-1",
    "a:edit:99999999999999999999999",
    "s:1",
    "s:x:y",
    "s:1:99999999999999999999",
    "s:1:-5",
    "r:1:2:3",
    "tz:",
    "tz:Not/AZone",
    "tz:" + "A" * 60,
    "w:rm",
    "w:rm:x",
    "w:zz:1",
    "f:c",
    "f:t",
    "f:p",
    "fd:",
    "fd:1:month:garbage",
    "fd:1:day:2026-13-45",
    "a:claim:1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17:18:19:20:21:22",
]


async def _press_and_check(tg: BotHarness, user: User, data: str, label: str) -> None:
    before = tg.snapshot()
    pressed = await tg.press(user, data, forged=True)
    after = tg.snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"{label} pressing {data!r} changed {changed}: {pressed.calls}"
    assert len(pressed.answers) == 1, f"{label} pressing {data!r}: {pressed.calls}"
    answer = pressed.answer
    shown = [answer, *(c.text for c in pressed.calls)]
    assert answer.strip(), f"{label} pressing {data!r} got an empty answer: {pressed.calls}"
    for text in shown:
        assert not any(leak in text for leak in LEAKS), f"{label} {data!r}: {text!r}"
    others = {c.chat_id for c in pressed.calls} - {user.id}
    assert not others, f"{label} pressing {data!r} made the bot write to {others}"


@pytest.mark.parametrize("actor", list(ACTORS))
async def test_every_button_pressed_by_someone_who_may_not(tg: BotHarness, actor: str) -> None:
    world = await _world(tg)
    user = ACTORS[actor]
    pressed = 0
    for data, allowed in _buttons(world).items():
        if actor in allowed:
            continue
        await _press_and_check(tg, user, data, actor)
        pressed += 1
    assert pressed >= 12
    # the admin flag was not taken over by anyone along the way
    assert tg.scalar("SELECT count(*) FROM members WHERE is_admin") == 1


async def test_forged_and_stale_callback_data_get_plain_answers(
    tg: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    world = await _world(tg)
    caplog.set_level(logging.WARNING)
    for data in FORGED:
        for user in (STRANGER, ALICE, BOB, ADMIN):
            await _press_and_check(tg, user, data, user.first_name)

    # stale: the card of a request cancelled after it was posted, and a booked slot
    tg.fake.add_group(GROUP)
    ctx = tg.ctx
    late = submit_request(ctx, tg.member(ALICE).id, _draft("Soon gone", "2026-03-05", "2026-03-12"))
    await tg.deliver()
    assert tg.fake.find_button_message(GROUP, f"a:claim:{late.id}") is not None
    cancel_request(ctx, tg.member(ALICE).id, late.id)
    before = tg.snapshot()
    stale = await tg.press(CAROL, f"a:claim:{late.id}", GROUP)
    assert stale.alert and "no longer possible" in stale.answer.lower(), stale.answer
    assert tg.snapshot() == before
    # Bob books the claimed request, then presses the same slot again on the old message
    booked = await tg.press(BOB, f"s:{world.claimed_request}:{world.slot}", forged=True)
    assert booked.answer == "Booked!"
    before = tg.snapshot()
    again = await tg.press(BOB, f"s:{world.claimed_request}:{world.slot}", forged=True)
    assert again.alert and again.answer and tg.snapshot() == before
    # all of it was expected input: nothing reached the global error handler
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert errors == []
