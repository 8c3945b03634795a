"""The delivery engine through the production TelegramSender, against the fake Bot API:
403 marks the person unreachable, 429 delays only that chat, per-chat limits hold."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

from core.members import Identity, Platform
from core.services.claims import claim_request
from core.services.members import find_member, register_member
from core.services.mentors import apply_as_mentor
from core.services.sessions import available_slots, schedule_session
from tests.telegram.harness import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    GROUP,
    BotHarness,
    register,
    submit_request,
)


async def _booked(tg: BotHarness) -> int:
    """Alice's request, claimed and booked by Bob; returns the request id. Nothing of it
    is delivered yet."""
    await register(tg, ALICE, "America/Los_Angeles")
    bob = tg.seed_mentor(BOB, "Europe/Berlin", ["python"]).id
    await tg.send(BOB, "/help")
    request_id = await submit_request(tg, ALICE)
    claim_request(tg.ctx, bob, request_id)
    schedule_session(tg.ctx, bob, request_id, available_slots(tg.ctx, bob, request_id)[0])
    return request_id


async def test_403_marks_the_recipient_unreachable(tg: BotHarness) -> None:
    await _booked(tg)
    tg.fake.block(ALICE.id)  # Alice blocked the bot
    report, delivered = await tg.deliver()
    tried = delivered.to(ALICE.id)
    assert tried and all(c.status == 403 for c in tried)  # (each of this batch's rows tried)
    assert [c.method for c in delivered.to(BOB.id)][-2:] == ["sendMessage", "sendDocument"]
    alice = find_member(tg.ctx, Identity(Platform.TELEGRAM, str(ALICE.id)))
    assert alice is not None and alice.identities[0].unreachable
    assert (
        tg.scalar(
            "SELECT count(*) FROM notifications WHERE recipient_id = :id AND status = 'SKIPPED'",
            id=alice.id,
        )
        >= 1
    )
    assert report.dead == 0

    # later notifications to her are not even tried
    tg.clock.set(tg.clock.now() + timedelta(days=1))
    _, later = await tg.deliver()
    assert later.to(ALICE.id) == []


async def test_429_delays_only_that_chat_and_sends_nothing_twice(tg: BotHarness) -> None:
    await _booked(tg)
    tg.fake.fail("sendMessage", ALICE.id, status=429, retry_after=1)
    report, delivered = await tg.deliver()
    to_alice = delivered.to(ALICE.id)
    assert [c.status for c in to_alice] == [429]  # nothing more to her in this tick
    # Bob's chat went on at once
    assert [c.method for c in delivered.to(BOB.id) if c.ok][-2:] == ["sendMessage", "sendDocument"]
    assert report.retried >= 1
    pending = tg.scalar(
        "SELECT count(*) FROM notifications n JOIN member_identities i "
        "ON i.member_id = n.recipient_id WHERE i.external_id = :chat AND n.status = 'PENDING' "
        "AND n.kind IN ('request_claimed', 'session_scheduled')",
        chat=str(ALICE.id),
    )
    assert pending == 2  # both of hers wait; neither lost an attempt to the 429

    _, too_early = await tg.deliver()  # the database says: not before now + 1 s
    assert too_early.to(ALICE.id) == []
    tg.clock.advance(timedelta(seconds=2))
    started = time.monotonic()
    _, later = await tg.deliver()
    texts = [c.text for c in later.to(ALICE.id) if c.method == "sendMessage"]
    assert len(texts) == 2 and any("Good news" in t for t in texts)
    assert time.monotonic() - started < 5

    # the invite gets a 429 after its text went out: the retry sends only the invite
    await register(tg, ERIN, "Asia/Kolkata")
    erin_request = await submit_request(tg, ERIN, title="Another question here")
    bob = tg.member(BOB).id
    claim_request(tg.ctx, bob, erin_request)
    await tg.deliver()
    slot = next(
        s
        for s in available_slots(tg.ctx, bob, erin_request)
        if s > tg.clock.now() + timedelta(days=1)
    )
    schedule_session(tg.ctx, bob, erin_request, slot)
    tg.fake.fail("sendDocument", ERIN.id, status=429, retry_after=1)
    _, first = await tg.deliver()
    assert [(c.method, c.status) for c in first.to(ERIN.id)] == [
        ("sendMessage", 200),
        ("sendDocument", 429),
    ]
    tg.clock.advance(timedelta(seconds=2))
    await asyncio.sleep(1.05)  # the engine honours the 429 for that chat in real time too
    _, retry = await tg.deliver()
    assert [(c.method, c.status) for c in retry.to(ERIN.id)] == [("sendDocument", 200)]


async def test_per_chat_limits_are_respected_so_telegram_never_says_429(
    tg: BotHarness,
) -> None:
    """Telegram's published per-chat rate (1 message/s) enforced by the fake server; the
    engine with the production limits stays under it."""
    await register(tg, ADMIN, "UTC")
    for user in (CAROL, DAVE, ERIN):  # three applications: three messages to the admin
        member, _ = register_member(
            tg.ctx, Identity(Platform.TELEGRAM, str(user.id)), user.first_name
        )
        apply_as_mentor(
            tg.ctx,
            member.id,
            domain="Data",
            years_experience=3,
            bio="Hello",
            expertise_tags=["sql"],
        )
    tg.fake.per_chat_limit = (1, 1.0)
    tg.use_limits({})  # the production limits
    started = time.monotonic()
    _, delivered = await tg.deliver()
    calls = delivered.to(ADMIN.id)
    assert len(calls) == 3 and all(c.ok for c in calls), calls
    assert tg.fake.rate_limited == []
    gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
    assert all(gap >= 0.95 for gap in gaps), gaps
    assert time.monotonic() - started >= 1.9
    assert [b["callback_data"].split(":")[1] for c in calls for b in c.buttons] == [
        "approve",
        "reject",
    ] * 3

    # a 429 for the admin's chat delays only that chat: the card goes out in the same tick
    tg.fake.per_chat_limit = None
    tg.fake.add_group(GROUP)
    tg.use_limits({Platform.TELEGRAM: (None, None, None)})
    for user in (BOB,):
        member, _ = register_member(
            tg.ctx, Identity(Platform.TELEGRAM, str(user.id)), user.first_name
        )
        apply_as_mentor(
            tg.ctx, member.id, domain="X", years_experience=1, bio="Hi", expertise_tags=[]
        )
    await register(tg, ALICE, "America/Los_Angeles")
    await submit_request(tg, ALICE)
    tg.fake.fail("sendMessage", ADMIN.id, status=429, retry_after=2)
    _, burst = await tg.deliver()
    assert [c.status for c in burst.to(ADMIN.id)] == [429]
    assert [c.status for c in burst.to(GROUP)] == [200]
