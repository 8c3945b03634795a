"""Every process was down for eight days; on restart the backlog is done once, by policy.

The catch-up policy (``core/delivery/relevance.py``): expiry happens once and the student
is told; reminders for sessions that already started are skipped with a reason, those
still useful are sent once; past sessions go straight to "did it happen?"; a 24 h reminder
found ten minutes before the start gives way to the 1 h one. Nothing is skipped silently:
every row that was not sent says why, or was withdrawn by the state change that made it
moot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from bot.senders.recording import RecordingSender
from core.members import Platform
from core.notifications import Kind
from db.models import NotificationRow as N
from db.models import TransitionEventRow as E
from tests.support.delivery_world import START, World

DOWN = timedelta(days=8)
URGENCIES = ("low", "normal", "high")


def _sent_ids(sender: RecordingSender) -> Counter[int]:
    return Counter(item.notification.id or 0 for item in sender.sent)


def test_eight_days_down_then_restart_does_each_thing_once(
    database_url: str, open_world: Callable[..., World]
) -> None:
    world = open_world(database_url, START)
    world.populate(students=20, mentors=10)
    pairs = list(zip(world.students[:10], world.mentors, strict=True))
    # 40 sessions that all start (and end) during the downtime, 10 just after the restart.
    past = [world.book(*pairs[i % 10], START + timedelta(hours=26 + 3 * i)) for i in range(40)]
    restart = START + DOWN
    soon = [world.book(*pairs[i], restart + timedelta(hours=3)) for i in range(10)]
    opened = [
        world.submit(world.students[10 + i % 10], urgency=URGENCIES[i % 3]) for i in range(30)
    ]
    sender = RecordingSender(platform=Platform.CONSOLE)
    engine = world.engine_with(sender, batch_size=100)
    world.drain(engine)  # the bot was up when all this was booked: the news went out
    before = len(sender.sent)

    world.clock.set(restart)  # ... then every process was down for eight days
    world.drain(engine)
    sent = _sent_ids(sender)
    assert max(sent.values()) == 1, "something was sent twice"
    fresh = sender.sent[before:]

    # Each expiry happened once: one event, one message to the student, with a repost button.
    request_ids = {r.id for r in opened}
    expired_events = world.events(E.entity == "request", E.to_status == "EXPIRED")
    assert sorted(e.entity_id for e in expired_events) == sorted(request_ids)
    assert all(e.actor_id is None and e.at == restart for e in expired_events)
    expired_msgs = [i for i in fresh if i.notification.kind == Kind.REQUEST_EXPIRED]
    assert sorted(i.notification.request_id or 0 for i in expired_msgs) == sorted(request_ids)
    by_request = {r.id: r for r in opened}
    for item in expired_msgs:
        request = by_request[item.notification.request_id or 0]
        assert item.address.chat_id == f"student-{world.students.index(request.student_id)}"
        assert "has expired" in item.message.text
        assert [a.label for a in item.message.actions] == ["Post it again"]
    # ... and the warning that fell due during the downtime was withdrawn, not sent late.
    warnings = world.rows(N.kind == Kind.EXPIRY_WARNING.value, N.request_id.in_(request_ids))
    assert {w.status for w in warnings} == {"CANCELLED"} and len(warnings) == 30

    # Reminders for sessions that already started: skipped with the reason, none sent.
    past_ids = [s.id for s in past]
    stale = world.rows(N.kind == Kind.REMINDER.value, N.session_id.in_(past_ids))
    assert len(stale) == 40 * 2 * 2
    assert {(r.status, r.last_error) for r in stale} == {
        ("SKIPPED", "the session has already started")
    }
    assert not any(
        i.notification.kind == Kind.REMINDER and i.notification.session_id in past_ids
        for i in sender.sent
    )

    # Past sessions go straight to "did it happen?": once each, to both people.
    prompts = [i for i in fresh if i.notification.kind == Kind.OUTCOME_PROMPT]
    assert Counter((i.notification.session_id, i.address.chat_id) for i in prompts) == Counter(
        {
            (s.id, f"{who}-{n}"): 1
            for s in past
            for who, n in (
                ("student", world.students.index(s.student_id)),
                ("mentor", world.mentors.index(s.mentor_id)),
            )
        }
    )
    assert all(i.message.text.startswith("Did your session") for i in prompts)

    # Sessions starting 3 h after the restart: the 24 h reminder is still useful: sent once.
    soon_ids = [s.id for s in soon]
    day_before = [
        i
        for i in fresh
        if i.notification.kind == Kind.REMINDER and i.notification.session_id in soon_ids
    ]
    assert len(day_before) == 20
    assert {i.notification.payload["offset_minutes"] for i in day_before} == {24 * 60}
    # ... and it says the time really left, not the 24 hours it was planned for
    assert all("starts in 3 hours" in i.message.text for i in day_before)

    # Nothing due is left, and nothing was dropped silently.
    assert world.due_pending() == 0
    _assert_nothing_silently_missed(world)

    # Later the same day the 1 h reminders and the outcome prompts follow, once each.
    world.clock.set(restart + timedelta(hours=2, minutes=30))
    world.drain(engine)
    world.clock.set(restart + timedelta(hours=3, minutes=30))
    world.drain(engine)
    sent = _sent_ids(sender)
    assert max(sent.values()) == 1
    for session in soon:
        rows = world.rows(N.session_id == session.id, N.kind.in_(["reminder", "outcome_prompt"]))
        assert len(rows) == 6 and {r.status for r in rows} == {"SENT"}
        assert all(sent[r.id] == 1 for r in rows)
    _assert_nothing_silently_missed(world)


def _assert_nothing_silently_missed(world: World) -> None:
    """Every row is sent, not yet due, skipped with a reason, or withdrawn by the change
    that made it moot (the expiry warning and the matching mentors' DMs of a request no
    longer open, the "pick a time" nudge of a request no longer waiting for one)."""
    now = world.clock.now()
    for row in world.rows():
        if row.status == "SENT":
            continue
        if row.status == "PENDING":
            assert row.due_at > now, f"row {row.id} ({row.kind}) is due but was not sent"
        elif row.status == "SKIPPED":
            assert row.last_error, f"row {row.id} ({row.kind}) was skipped without a reason"
        elif row.status == "CANCELLED":
            needs = {
                Kind.EXPIRY_WARNING.value: "OPEN",
                Kind.REQUEST_MATCHED.value: "OPEN",
                Kind.MENTOR_NUDGE.value: "CLAIMED",
            }
            status = _request_status(world, row.request_id)
            assert row.kind in needs and status != needs[row.kind], (
                f"row {row.id} ({row.kind}) was cancelled though its request is {status}"
            )
        else:
            raise AssertionError(f"row {row.id} ({row.kind}) is {row.status}")


def _request_status(world: World, request_id: int | None) -> str:
    events = world.events(E.entity == "request", E.entity_id == request_id)
    return events[-1].to_status if events else "?"


def test_a_24h_reminder_found_ten_minutes_before_the_start_becomes_the_1h_one(
    database_url: str, open_world: Callable[..., World]
) -> None:
    world = open_world(database_url, START)
    world.populate(students=1, mentors=1)
    start = START + timedelta(days=2)
    session = world.book(world.students[0], world.mentors[0], start)
    sender = RecordingSender(platform=Platform.CONSOLE)
    engine = world.engine_with(sender)
    world.drain(engine)
    booked = len(sender.sent)

    world.clock.set(start - timedelta(minutes=10))  # down from booking until 10 min before
    world.drain(engine)

    reminders = [i for i in sender.sent[booked:] if i.notification.kind == Kind.REMINDER]
    student = [i for i in reminders if i.address.chat_id == "student-0"]
    assert len(student) == 1
    assert student[0].notification.payload["offset_minutes"] == 60
    assert student[0].message.text.startswith('Reminder: "Help me plan my move into backend')
    assert "starts in 10 minutes" in student[0].message.text  # the time really left
    assert [a.url for a in student[0].message.actions] == [session.meeting_link]
    assert len([i for i in reminders if i.address.chat_id == "mentor-0"]) == 1
    rows = world.rows(N.kind == Kind.REMINDER.value)
    day_before = [r for r in rows if r.payload["offset_minutes"] == 24 * 60]
    assert len(day_before) == 2
    assert {(r.status, r.last_error) for r in day_before} == {
        ("SKIPPED", "superseded by the 60-minute reminder")
    }


def test_a_24h_reminder_sent_two_hours_late_says_starts_in_2_hours(
    database_url: str, open_world: Callable[..., World]
) -> None:
    """A worker down from the booking until two hours before: the day-before reminder
    still goes out (the 1 h one is not due yet), and it tells the truth."""
    world = open_world(database_url, START)
    world.populate(students=1, mentors=1)
    start = START + timedelta(days=2)
    world.book(world.students[0], world.mentors[0], start)
    sender = RecordingSender(platform=Platform.CONSOLE)
    engine = world.engine_with(sender)
    world.drain(engine)
    booked = len(sender.sent)

    world.clock.set(start - timedelta(hours=2))
    world.drain(engine)

    reminders = [i for i in sender.sent[booked:] if i.notification.kind == Kind.REMINDER]
    assert {i.notification.payload["offset_minutes"] for i in reminders} == {24 * 60}
    assert len(reminders) == 2  # the student and the mentor
    for item in reminders:
        assert "starts in 2 hours" in item.message.text, item.message.text
        assert "24 hours" not in item.message.text
