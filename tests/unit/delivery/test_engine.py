"""``DeliveryEngine`` on the in-memory fakes: 429s, blocked people, failures, dead letters.

Each test builds a context with the fakes, queues notifications as the services would,
and runs ``run_once`` against a scripted sender that answers per chat: delivered, a
RetryLater (429), Unreachable (403), a SendError (5xx) or a plain bug.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.worker import build_engine, tick
from core.delivery.engine import DeliveryEngine
from core.delivery.messages import Message
from core.delivery.ports import Address, RetryLater, SendError, Unreachable
from core.delivery.ratelimit import Limit
from core.delivery.retry import RetryPolicy
from core.members import Identity, Member, Platform
from core.notifications import Audience, Kind, Notification, NotificationStatus, to_member
from core.services.requests import submit_request
from tests.unit.fakes import (
    a_draft,
    add_admin,
    add_student,
    clock_of,
    make_context,
    store_of,
)

PENDING, SENT, SKIPPED, DEAD = (
    NotificationStatus.PENDING,
    NotificationStatus.SENT,
    NotificationStatus.SKIPPED,
    NotificationStatus.DEAD,
)
FEED_A = Address(Platform.CONSOLE, "feed-a", is_group=True)
FEED_B = Address(Platform.CONSOLE, "feed-b", is_group=True)


@dataclass
class ScriptedSender:
    """Answers each chat from its script (first entries first), then ``always``, then OK."""

    platform: Platform = Platform.CONSOLE
    script: dict[str, list[Exception | None]] = field(default_factory=dict)
    always: dict[str, Exception] = field(default_factory=dict)
    calls: list[tuple[str, int, Kind]] = field(default_factory=list)
    called_at: list[float] = field(default_factory=list)  # monotonic, per call
    delivered: list[tuple[str, int, Kind]] = field(default_factory=list)
    during_send: object = None  # a callable run inside each send, to interfere
    delay: float = 0.0  # seconds each send takes

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        assert notification.id is not None
        if self.delay:
            await asyncio.sleep(self.delay)
        call = (address.chat_id, notification.id, notification.kind)
        self.calls.append(call)
        self.called_at.append(time.monotonic())
        if callable(self.during_send):
            self.during_send(notification)
        queued = self.script.get(address.chat_id)
        failure = queued.pop(0) if queued else self.always.get(address.chat_id)
        if failure is not None:
            raise failure
        assert message.text
        self.delivered.append(call)

    def to(self, chat: str) -> list[int]:
        return [n for c, n, _ in self.delivered if c == chat]


def chat(member: Member) -> str:
    return member.identities[0].external_id


def key_of(member: Member) -> str:
    return f"console:{chat(member)}"


def engine_for(ctx, *senders, feeds=None, **options) -> DeliveryEngine:
    return build_engine(ctx, list(senders), feeds or {}, **options)


def queue(ctx, member: Member, key: str, kind: Kind = Kind.MENTOR_APPROVED, due=None) -> int:
    with ctx.uow_factory() as uow:
        assert uow.notifications.add(to_member(kind, member.id, due or ctx.now(), key))
        uow.commit()
    return rows(ctx)[-1].id


def rows(ctx) -> list[Notification]:
    return sorted(store_of(ctx).tables.notifications, key=lambda n: n.id or 0)


def row(ctx, notification_id: int) -> Notification:
    return next(n for n in rows(ctx) if n.id == notification_id)


def of_kind(ctx, kind: Kind) -> list[Notification]:
    return [n for n in rows(ctx) if n.kind == kind]


@pytest.fixture
def ctx():
    return make_context()


# ------------------------------------------------------------------ the happy path


async def test_due_rows_are_sent_once_and_marked_sent(ctx):
    sam, bob = add_student(ctx, "Sam"), add_student(ctx, "Bob")
    ids = [queue(ctx, sam, "a"), queue(ctx, bob, "b"), queue(ctx, sam, "c")]
    later = queue(ctx, bob, "later", due=ctx.now() + timedelta(minutes=5))
    sender = ScriptedSender()
    engine = engine_for(ctx, sender)

    report = await engine.run_once()

    assert (report.leased, report.sent, report.retried, report.dead) == (3, 3, 0, 0)
    assert sorted(n for _, n, _ in sender.delivered) == sorted(ids)
    assert [row(ctx, i).status for i in ids] == [SENT] * 3
    assert row(ctx, later).status == PENDING
    assert (await engine.run_once()).leased == 0
    clock_of(ctx).advance(timedelta(minutes=5))
    assert (await engine.run_once()).sent == 1
    assert sender.to(chat(bob)) == [ids[1], later]


# ------------------------------------------------------------------ 429: RetryLater


async def test_a_429_refunds_the_attempt_and_delays_the_row_to_now_plus_retry_after(ctx):
    sam, bob = add_student(ctx, "Sam"), add_student(ctx, "Bob")
    first, second = queue(ctx, sam, "s1"), queue(ctx, sam, "s2")
    other = queue(ctx, bob, "b1")
    sender = ScriptedSender(script={chat(sam): [RetryLater(0.3)]})
    engine = engine_for(ctx, sender)
    now = ctx.now()

    report = await engine.run_once()

    assert (report.leased, report.sent, report.retried, report.dead) == (3, 1, 2, 0)
    assert sender.to(chat(bob)) == [other]  # the other chat is not held up
    # the chat's queue stopped at the 429: the second message was not even tried
    assert [c for c, _, _ in sender.calls].count(chat(sam)) == 1
    for notification_id in (first, second):
        n = row(ctx, notification_id)
        assert n.status == PENDING
        assert n.attempts == 0  # a 429 is not a failure
        assert n.due_at == now + timedelta(seconds=0.3)
        assert n.last_error == "rate limited"
        assert notification_id not in store_of(ctx).tables.leases
    assert engine.limiters["console"].blocked_for(key_of(sam)) > 0.2

    clock_of(ctx).advance(timedelta(seconds=0.2))
    assert (await engine.run_once()).leased == 0  # not due before its retry-after
    clock_of(ctx).advance(timedelta(seconds=0.1))
    report = await engine.run_once()
    assert report.sent == 2
    assert sender.to(chat(sam)) == [first, second]
    # the chat stayed blocked until its retry-after had passed (in real time too)
    calls = zip(sender.calls, sender.called_at, strict=True)
    to_sam = [t for (c, _, _), t in calls if c == chat(sam)]
    assert to_sam[1] - to_sam[0] >= 0.3
    assert Counter(n for _, n, _ in sender.delivered) == {first: 1, second: 1, other: 1}


async def test_many_429s_never_use_up_the_attempts(ctx):
    sam = add_student(ctx, "Sam")
    only = queue(ctx, sam, "s1")
    sender = ScriptedSender(script={chat(sam): [RetryLater(0.01)] * 5})
    engine = engine_for(ctx, sender, retry=RetryPolicy(max_attempts=2))
    for _ in range(6):
        await engine.run_once()
        clock_of(ctx).advance(timedelta(seconds=1))
        await asyncio.sleep(0.02)
    assert row(ctx, only).status == SENT
    assert row(ctx, only).attempts == 1
    assert len(sender.calls) == 6


# ------------------------------------------------------------------ 403: Unreachable


async def test_an_unreachable_person_is_marked_and_skipped_from_then_on(ctx):
    sam, bob = add_student(ctx, "Sam"), add_student(ctx, "Bob")
    blocked, fine = queue(ctx, sam, "s1"), queue(ctx, bob, "b1")
    sender = ScriptedSender(always={chat(sam): Unreachable("Forbidden: bot was blocked")})
    engine = engine_for(ctx, sender)

    report = await engine.run_once()

    assert (report.sent, report.skipped, report.retried) == (1, 1, 0)
    n = row(ctx, blocked)
    assert (n.status, n.last_error, n.attempts) == (SKIPPED, "recipient unreachable", 1)
    assert row(ctx, fine).status == SENT
    with ctx.uow_factory() as uow:
        stored = uow.members.get(sam.id)
    assert stored is not None and stored.identities[0].unreachable

    later = queue(ctx, sam, "s2", kind=Kind.REQUEST_CLAIMED)
    calls = len(sender.calls)
    report = await engine.run_once()
    assert report.skipped == 1
    n = row(ctx, later)
    assert (n.status, n.last_error) == (SKIPPED, "no reachable chat for the recipient")
    assert len(sender.calls) == calls  # not tried again


async def test_a_person_blocked_on_one_platform_is_reached_on_the_other(ctx):
    sam = add_student(ctx, "Sam")
    with ctx.uow_factory() as uow:
        uow.members.add_identity(sam.id, Identity(Platform.SLACK, "T1:U1"))
        uow.commit()
    console = ScriptedSender(always={chat(sam): Unreachable("blocked")})
    slack = ScriptedSender(platform=Platform.SLACK)
    engine = engine_for(ctx, console, slack)
    first = queue(ctx, sam, "s1")
    assert (await engine.run_once()).skipped == 1
    second = queue(ctx, sam, "s2")
    assert (await engine.run_once()).sent == 1
    assert slack.to("T1:U1") == [second]
    assert row(ctx, first).status == SKIPPED


# ------------------------------------------------------------------ 5xx: SendError


async def test_send_errors_back_off_then_go_dead_and_the_admins_are_told(ctx):
    ada, sam = add_admin(ctx, "Ada"), add_student(ctx, "Sam")
    failing = queue(ctx, sam, "s1", kind=Kind.MENTOR_REJECTED)
    sender = ScriptedSender(always={chat(sam): SendError("HTTP 502 Bad Gateway")})
    policy = RetryPolicy(max_attempts=3, base=timedelta(seconds=10), cap=timedelta(hours=1))
    engine = engine_for(ctx, sender, retry=policy)
    clock = clock_of(ctx)

    for attempt, ceiling in ((1, 10), (2, 20)):
        now = ctx.now()
        report = await engine.run_once()
        assert (report.retried, report.dead) == (1, 0)
        n = row(ctx, failing)
        assert (n.status, n.attempts, n.last_error) == (PENDING, attempt, "HTTP 502 Bad Gateway")
        wait = n.due_at - now
        assert timedelta(seconds=1) <= wait <= timedelta(seconds=ceiling)
        assert (await engine.run_once()).leased == 0  # nothing until the backoff is over
        clock.set(n.due_at)

    report = await engine.run_once()
    assert report.dead == 1
    n = row(ctx, failing)
    assert (n.status, n.attempts, n.last_error) == (DEAD, 3, "HTTP 502 Bad Gateway")
    assert [c for c, _, _ in sender.calls].count(chat(sam)) == 3

    (notice,) = of_kind(ctx, Kind.DELIVERY_FAILED)
    assert notice.audience == Audience.ADMINS and notice.status == PENDING
    assert notice.payload == {
        "failed_kind": "mentor_rejected",
        "recipient": "Sam",
        "attempts": 3,
        "error": "HTTP 502 Bad Gateway",
    }
    assert (await engine.run_once()).sent == 1
    assert sender.to(chat(ada)) == [notice.id]


async def test_a_sender_bug_counts_as_a_failure_and_does_not_stop_other_chats(ctx):
    sam, bob = add_student(ctx, "Sam"), add_student(ctx, "Bob")
    broken, fine = queue(ctx, sam, "s1"), queue(ctx, bob, "b1")
    sender = ScriptedSender(always={chat(sam): KeyError("oops")})  # type: ignore[dict-item]
    engine = engine_for(ctx, sender)
    report = await engine.run_once()
    assert (report.sent, report.retried) == (1, 1)
    assert row(ctx, broken).last_error == "KeyError: 'oops'"
    assert row(ctx, fine).status == SENT


async def test_a_dead_delivery_failed_notice_does_not_create_another(ctx):
    ada, sam = add_admin(ctx, "Ada"), add_student(ctx, "Sam")
    queue(ctx, sam, "s1")
    sender = ScriptedSender(
        always={chat(sam): SendError("HTTP 500"), chat(ada): SendError("HTTP 500")}
    )
    engine = engine_for(ctx, sender, retry=RetryPolicy(max_attempts=1))

    assert (await engine.run_once()).dead == 1  # the message, and a notice is written
    assert len(rows(ctx)) == 2
    assert (await engine.run_once()).dead == 1  # the notice dies too ...
    for _ in range(3):
        assert (await engine.run_once()).leased == 0  # ... and nothing more comes of it
    assert [n.kind for n in rows(ctx)] == [Kind.MENTOR_APPROVED, Kind.DELIVERY_FAILED]
    assert [n.status for n in rows(ctx)] == [DEAD, DEAD]


async def test_rows_abandoned_at_their_last_attempt_are_buried_with_one_notice(ctx):
    """A process died holding leases at the last attempt: the next sweep buries them."""
    ada, sam = add_admin(ctx, "Ada"), add_student(ctx, "Sam")
    message = queue(ctx, sam, "s1")
    with ctx.uow_factory() as uow:  # a dead letter notice that was itself being sent
        uow.notifications.add(
            Notification(
                Kind.DELIVERY_FAILED, Audience.ADMINS, None, ctx.now(), "delivery_failed:x"
            )
        )
        uow.commit()
    notice = rows(ctx)[-1].id
    with ctx.uow_factory() as uow:
        taken = uow.outbox.lease_due(ctx.now(), 10, "crashed", ctx.now() + timedelta(minutes=1), 1)
        uow.commit()
    assert len(taken) == 2
    sender = ScriptedSender()
    engine = engine_for(ctx, sender, retry=RetryPolicy(max_attempts=1))
    assert (await engine.run_once()).leased == 0  # the lease still runs: untouched
    assert row(ctx, message).status == PENDING

    clock_of(ctx).advance(timedelta(minutes=1))
    report = await engine.run_once()
    assert report.dead == 2
    for buried in (message, notice):
        assert (row(ctx, buried).status, row(ctx, buried).last_error) == (
            DEAD,
            "the sending process stopped",
        )
    (told,) = [n for n in of_kind(ctx, Kind.DELIVERY_FAILED) if n.id not in (notice,)]
    assert told.payload["recipient"] == "Sam"
    assert told.payload["error"] == "the sending process stopped"
    # the notice is due at once and went out in the same tick; nothing else was sent
    assert [(c, n) for c, n, _ in sender.calls] == [(chat(ada), told.id)]
    assert len(rows(ctx)) == 3


# ------------------------------------------------------------------ feeds keep progress


def posted(ctx) -> Notification:
    (n,) = of_kind(ctx, Kind.REQUEST_POSTED)
    return n


async def test_a_feed_retry_sends_only_to_the_address_that_failed(ctx):
    sam = add_student(ctx, "Sam")
    submit_request(ctx, sam.id, a_draft())
    sender = ScriptedSender(script={"feed-b": [SendError("timeout")]})
    feeds = {Audience.MENTORS: [FEED_A, FEED_B]}
    engine = engine_for(ctx, sender, feeds=feeds, retry=RetryPolicy(base=timedelta(seconds=2)))

    report = await engine.run_once()
    assert report.retried == 1
    n = posted(ctx)
    assert (n.status, n.attempts, n.progress) == (PENDING, 1, ("console:feed-a",))

    clock_of(ctx).set(n.due_at)
    report = await engine.run_once()
    assert report.sent == 1
    assert posted(ctx).status == SENT
    assert sender.to("feed-a") == [n.id]  # once, not again on the retry
    assert sender.to("feed-b") == [n.id]
    assert [c for c, _, _ in sender.calls] == ["feed-a", "feed-b", "feed-b"]


async def test_a_feed_429_keeps_progress_and_refunds_the_attempt(ctx):
    sam = add_student(ctx, "Sam")
    submit_request(ctx, sam.id, a_draft())
    sender = ScriptedSender(script={"feed-a": [RetryLater(0.05)]})
    engine = engine_for(ctx, sender, feeds={Audience.MENTORS: [FEED_A, FEED_B]})
    await engine.run_once()
    n = posted(ctx)
    assert (n.status, n.attempts, n.progress) == (PENDING, 0, ("console:feed-b",))
    clock_of(ctx).advance(timedelta(seconds=1))
    await asyncio.sleep(0.06)
    assert (await engine.run_once()).sent == 1
    assert Counter(c for c, _, _ in sender.delivered) == {"feed-a": 1, "feed-b": 1}


async def test_a_dead_feed_post_names_the_feed_in_the_notice(ctx):
    add_admin(ctx, "Ada")
    sam = add_student(ctx, "Sam")
    submit_request(ctx, sam.id, a_draft())
    sender = ScriptedSender(always={"feed-b": SendError("HTTP 500")})
    engine = engine_for(
        ctx, sender, feeds={Audience.MENTORS: [FEED_A, FEED_B]}, retry=RetryPolicy(max_attempts=1)
    )
    assert (await engine.run_once()).dead == 1
    (notice,) = of_kind(ctx, Kind.DELIVERY_FAILED)
    assert notice.payload["recipient"] == "the mentors' feed"
    assert sender.to("feed-a") == [posted(ctx).id]


# ------------------------------------------------------------------ the lease


async def test_a_chat_blocked_past_the_lease_is_handed_back_untried(ctx):
    sam, bob = add_student(ctx, "Sam"), add_student(ctx, "Bob")
    waiting, fine = queue(ctx, sam, "s1"), queue(ctx, bob, "b1")
    sender = ScriptedSender()
    engine = engine_for(ctx, sender, lease=timedelta(seconds=10))
    engine.limiters["console"].block(key_of(sam), 60.0)
    started = time.monotonic()
    report = await engine.run_once()
    assert time.monotonic() - started < 1.0
    assert (report.sent, report.retried) == (1, 1)
    n = row(ctx, waiting)
    assert (n.status, n.attempts, n.due_at, n.last_error) == (PENDING, 0, ctx.now(), None)
    assert sender.to(chat(sam)) == [] and sender.to(chat(bob)) == [fine]


async def test_a_full_group_window_past_the_lease_is_handed_back_not_sent_late(ctx):
    """Telegram allows 20 posts a minute to a group: the 3rd of 3 posts to a group limited
    to 2 per minute must not wait out the lease (another process may take the row by then)."""
    sam = add_student(ctx, "Sam")
    for i in range(3):
        submit_request(ctx, sam.id, a_draft(title=f"Help me with topic {i}"))
    sender = ScriptedSender()
    engine = engine_for(
        ctx,
        sender,
        feeds={Audience.MENTORS: [FEED_A]},
        lease=timedelta(seconds=2),
        limits={Platform.CONSOLE: (None, None, Limit(2, 60.0))},
    )
    started = time.monotonic()
    report = await engine.run_once()
    assert time.monotonic() - started < 1.0  # no waiting for a slot after the deadline
    assert (report.sent, report.retried) == (2, 1)
    left = [n for n in of_kind(ctx, Kind.REQUEST_POSTED) if n.status == PENDING]
    assert [(n.attempts, n.progress) for n in left] == [(0, ())]
    assert len(sender.delivered) == 2


async def test_a_row_whose_lease_was_taken_over_is_not_recorded_twice(ctx):
    """While this process sends, its lease ran out and another process took the row."""
    sam = add_student(ctx, "Sam")
    taken_over = queue(ctx, sam, "s1")

    def steal(n: Notification) -> None:
        store_of(ctx).tables.leases[n.id or 0] = ("other-process", ctx.now())

    sender = ScriptedSender(during_send=steal)
    engine = engine_for(ctx, sender)
    report = await engine.run_once()
    assert (report.sent, report.lost_lease) == (0, 1)
    assert row(ctx, taken_over).status == PENDING  # the new owner decides
    assert store_of(ctx).tables.leases[taken_over][0] == "other-process"


async def test_a_batch_takes_the_oldest_due_rows_first(ctx):
    sam = add_student(ctx, "Sam")
    now = ctx.now()
    newest = queue(ctx, sam, "new", due=now - timedelta(minutes=1))
    oldest = queue(ctx, sam, "old", due=now - timedelta(hours=1))
    sender = ScriptedSender()
    engine = engine_for(ctx, sender, batch_size=1)
    await engine.run_once()
    await engine.run_once()
    assert sender.to(chat(sam)) == [oldest, newest]


# ------------------------------------------------------------------ a tick: batches in a pipeline


async def test_a_tick_leases_the_next_batch_while_one_sends_and_records_each_before_the_next(ctx):
    people = [add_student(ctx, f"P{i}") for i in range(7)]
    ids = [queue(ctx, person, f"k{i}") for i, person in enumerate(people)]
    seen: list[tuple[int, int, int]] = []  # (sent so far, rows leased now, rows SENT now)

    def observe(n: Notification) -> None:
        tables = store_of(ctx).tables
        sent = sum(r.status == SENT for r in tables.notifications)
        seen.append((len(seen), len(tables.leases), sent))

    # each send takes a moment, so the next lease lands while a batch sends
    sender = ScriptedSender(during_send=observe, delay=0.02)
    engine = engine_for(ctx, sender, batch_size=2)
    report = await tick(ctx, engine)

    assert (report.leased, report.sent, report.retried, report.lost_lease) == (7, 7, 0, 0)
    assert sorted(n for _, n, _ in sender.delivered) == ids
    assert all(row(ctx, i).status == SENT for i in ids)
    # while a batch of 2 sends, the next batch is already leased: up to 4 rows held ...
    assert max(leased for _, leased, _ in seen) == 4
    # ... and every earlier batch is recorded before a batch sends (sends 3-4 see 2 SENT)
    assert [sent for _, _, sent in seen] == [0, 0, 2, 2, 4, 4, 6]
    assert store_of(ctx).tables.leases == {}


async def test_a_tick_stops_at_a_short_batch_and_leaves_later_rows(ctx):
    sam = add_student(ctx, "Sam")
    for i in range(5):
        queue(ctx, sam, f"k{i}")
    later = queue(ctx, sam, "later", due=ctx.now() + timedelta(seconds=30))
    engine = engine_for(ctx, ScriptedSender(), batch_size=2)
    report = await engine.run_until_idle()
    assert (report.leased, report.sent) == (5, 5)
    assert row(ctx, later).status == PENDING and later not in store_of(ctx).tables.leases
    assert (await engine.run_until_idle()).leased == 0


async def test_a_failed_recording_stops_the_tick_without_losing_the_lease_ahead(ctx):
    people = [add_student(ctx, f"P{i}") for i in range(4)]
    for i, person in enumerate(people):
        queue(ctx, person, f"k{i}")
    engine = engine_for(ctx, ScriptedSender(), batch_size=2)

    def broken(*args):
        raise RuntimeError("database went away")

    engine._record = broken  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="database went away"):
        await engine.run_until_idle()
    # both batches stay leased (the second was taken ahead) until their leases run out
    assert len(store_of(ctx).tables.leases) == 4


async def test_after_a_block_the_rest_of_that_chats_batch_is_not_tried(ctx):
    sam, bob = add_student(ctx, "Sam"), add_student(ctx, "Bob")
    first, second = queue(ctx, sam, "s1"), queue(ctx, sam, "s2")
    fine = queue(ctx, bob, "b1")
    sender = ScriptedSender(always={chat(sam): Unreachable("Forbidden: bot was blocked")})

    report = await engine_for(ctx, sender).run_once()

    assert (report.sent, report.skipped) == (1, 2)
    assert len([c for c in sender.calls if c]) == 2  # one try for Sam, one send for Bob
    assert row(ctx, first).status == row(ctx, second).status == SKIPPED
    assert row(ctx, fine).status == SENT


async def test_a_person_who_writes_again_after_blocking_is_reached_again(ctx):
    from core.services.members import get_member, note_contact

    sam = add_student(ctx, "Sam")
    skipped = queue(ctx, sam, "s1")
    await engine_for(ctx, ScriptedSender(always={chat(sam): Unreachable("blocked")})).run_once()
    member = get_member(ctx, sam.id)
    assert member.identities[0].unreachable

    note_contact(ctx, member, member.identities[0])

    later = queue(ctx, sam, "s2")
    sender = ScriptedSender()
    # the news skipped while blocked arrives too (issue 12), and only once
    assert (await engine_for(ctx, sender).run_once()).sent == 2
    assert row(ctx, later).status == row(ctx, skipped).status == SENT
    note_contact(ctx, get_member(ctx, sam.id), member.identities[0])
    assert (await engine_for(ctx, sender).run_once()).sent == 0


def _telegram_only(ctx, name: str) -> Member:
    with ctx.uow_factory() as uow:
        member = uow.members.add(name, "UTC", Identity(Platform.TELEGRAM, f"{name}-tg"), ctx.now())
        uow.commit()
    return member


async def test_a_message_for_another_platform_waits_for_a_process_that_serves_it(ctx):
    tina = _telegram_only(ctx, "Tina")
    waiting = queue(ctx, tina, "t1")

    console_only = await engine_for(
        ctx, ScriptedSender(), other_platforms=frozenset({Platform.TELEGRAM})
    ).run_once()
    n = row(ctx, waiting)
    assert console_only.skipped == 0
    assert (n.status, n.attempts) == (NotificationStatus.PENDING, 0)
    assert n.last_error == "waiting for a telegram sender"

    clock_of(ctx).advance(timedelta(seconds=20))
    telegram = ScriptedSender(platform=Platform.TELEGRAM)
    assert (await engine_for(ctx, telegram).run_once()).sent == 1
    assert [c[0] for c in telegram.delivered] == ["Tina-tg"]
    assert row(ctx, waiting).status == SENT


async def test_a_feed_on_two_platforms_is_finished_by_the_process_serving_the_second(ctx):
    sam = add_student(ctx, "Sam")
    submit_request(ctx, sam.id, a_draft())
    feeds = {
        Audience.MENTORS: [
            Address(Platform.CONSOLE, "mentors", True),
            Address(Platform.TELEGRAM, "-100", True),
        ]
    }
    console = ScriptedSender()
    deployment = frozenset({Platform.TELEGRAM})
    await engine_for(ctx, console, feeds=feeds, other_platforms=deployment).run_once()
    [posted] = of_kind(ctx, Kind.REQUEST_POSTED)
    assert [c[0] for c in console.delivered if c[2] == Kind.REQUEST_POSTED] == ["mentors"]
    assert posted.status == NotificationStatus.PENDING and posted.progress == ("console:mentors",)

    clock_of(ctx).advance(timedelta(seconds=20))
    telegram = ScriptedSender(platform=Platform.TELEGRAM)
    await engine_for(ctx, telegram, feeds=feeds).run_once()
    assert [c[0] for c in telegram.delivered if c[2] == Kind.REQUEST_POSTED] == ["-100"]
    assert of_kind(ctx, Kind.REQUEST_POSTED)[0].status == SENT


async def test_a_platform_nobody_runs_is_skipped_not_waited_for(ctx):
    tina = _telegram_only(ctx, "Tina")
    waiting = queue(ctx, tina, "t1")

    report = await engine_for(ctx, ScriptedSender()).run_once()  # no Telegram in this deployment

    assert report.skipped == 1
    assert row(ctx, waiting).last_error == "no reachable chat for the recipient"
