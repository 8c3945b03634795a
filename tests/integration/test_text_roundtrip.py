"""Whatever people type, they get a clear message or see exactly what they typed, stored.

Every free-text field goes through its service with hostile input: NUL bytes, control
characters, right-to-left text and overrides, emoji joined by ZWJ, lone surrogates and
10 000-character strings. For each value, the same validation the service uses decides what
should happen: either the service refuses with ``ValidationFailed`` (a user-safe message
naming the field), or the value comes back through the services exactly as validation
returned it (surrounding whitespace trimmed, nothing else changed). Any other exception,
above all a database error, fails the test.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import available_timezones

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.clock import MovableClock
from core.errors import DomainError, ValidationFailed
from core.events import EntityKind
from core.members import Identity, Platform
from core.requests import MentorshipRequest
from core.services.claims import claim_request, release_request
from core.services.context import ServiceContext
from core.services.members import get_member, register_member, set_timezone
from core.services.mentors import apply_as_mentor, pending_mentors
from core.services.notes import read_notes
from core.services.outcomes import (
    leave_feedback,
    rate_session,
    record_outcome,
    update_mentor_notes,
)
from core.services.requests import cancel_request, get_request, my_requests, submit_request
from core.services.sessions import (
    available_slots,
    cancel_session,
    get_session,
    my_sessions,
    schedule_session,
)
from core.sessions import MentorshipSession, Outcome
from core.validation import check_timezone, clean_tags, clean_text, validate_draft
from tests.integration.helpers import (
    CATALOGUE,
    EXTRA_VALUES,
    START,
    add_admin,
    add_mentor,
    add_student,
    local_date,
    make_context,
    valid_draft,
)

pytestmark = pytest.mark.slow

EXAMPLES = 30

FRAGMENTS = [
    "\x00",
    "a\x00b",
    "\x01",
    "\x1b[31mred",
    "\x7f",
    "\r",
    "\r\n",
    "\n",
    "\t",
    "\x85",
    "\u2028",
    "\u2029",
    "\u202e",  # right-to-left override
    "\u202egnp.exe",
    "\u200f",
    "\u200d",
    "\ufeff",
    "مرحبا بالعالم",
    "שלום עולם",
    "👨\u200d👩\u200d👧\u200d👦",
    "🏳\ufe0f\u200d🌈",
    "👩🏽\u200d💻",
    "🇩🇪",
    "e\u0301",
    "Z\u0324\u0354\u0367\u0311",
    "\ud800",  # lone surrogates
    "\udfff",
    " ",
    "\u3000",
    "\u00a0",
    "İß",
    "\uffff",
    "\U0010ffff",
    "'; DROP TABLE members; --",
    "%s %(x)s {0}",
    '\\"',
    "#python",
    "career-change",
    "Hello, world",
]
NASTY_CHARACTERS = st.characters(
    categories=["Cc", "Cs", "Cf", "Co", "Cn", "Mn", "Zs", "Zl", "Zp", "So", "Lo", "Ll"]
)
# Anything but control characters and surrogates: exotic, yet mostly valid.
PRINTABLE = st.characters(exclude_categories=["Cc", "Cs"])
VALID_FRAGMENTS = [f for f in FRAGMENTS if all(c.isprintable() or c == " " for c in f)]
PARTS = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=12),
    st.text(NASTY_CHARACTERS, max_size=6),
)
LONG = st.builds(
    lambda piece, length: (piece * length)[:length],
    st.sampled_from(["a", "é", "👨\u200d👩\u200d👧", "مرحبا ", "x\x00", " "]),
    st.sampled_from([29, 30, 31, 99, 100, 101, 199, 200, 201, 2000, 2001, 3000, 3001, 10_000]),
)
TEXT = st.one_of(
    st.lists(PARTS, max_size=8).map("".join),
    st.lists(
        st.one_of(st.sampled_from(VALID_FRAGMENTS), st.text(PRINTABLE, max_size=10)),
        min_size=1,
        max_size=8,
    ).map("".join),
    st.text(NASTY_CHARACTERS, max_size=40),
    LONG,
    st.builds(lambda pad, body: pad + body + pad, st.sampled_from([" ", "\n", "\t "]), LONG),
)
TAG_LIKE = st.text(
    st.one_of(st.characters(categories=["L", "N", "M"]), st.sampled_from("+#.-_ ")),
    min_size=1,
    max_size=35,
)
TAGS = st.one_of(
    st.lists(TAG_LIKE, max_size=12),
    st.lists(st.one_of(TAG_LIKE, PARTS, TEXT), max_size=5),
)
ZONES = st.sampled_from(sorted(available_timezones()))
TIMEZONES = st.one_of(
    TEXT,
    st.builds(
        lambda zone, spell: spell(zone),
        ZONES,
        st.sampled_from([str, str.lower, str.upper, lambda z: f" {z}\t", lambda z: z + "/"]),
    ),
    st.sampled_from(
        [
            "Europe",
            "America",
            "America/",
            "Europe/Berlin",
            "europe/berlin",
            " Asia/Tokyo ",
            "Etc/GMT+5",
            "zone.tab",
            "tzdata.zi",
            "../etc/passwd",
            "/etc/passwd",
            "Europe//Berlin",
            "Europe/Berlin\x00",
            "America/New_York\u202e",
        ]
    ),
)


def trimmed(value: str) -> str:
    """What 'unchanged' means for free text: line endings unified, outer space removed."""
    return value.replace("\r\n", "\n").strip()


class Env:
    """One database with an admin and a mentor who is free all day, every day."""

    def __init__(self, database_url: str) -> None:
        self.clock = MovableClock(START)
        self.ctx: ServiceContext = make_context(
            database_url, self.clock, max_active_requests=1_000_000
        )
        self.admin = add_admin(self.ctx)
        self.mentor = add_mentor(self.ctx, self.admin, "Mentor Maria")
        self._names = itertools.count(1)
        self._completed: MentorshipSession | None = None

    @property
    def policy(self):
        return self.ctx.policy

    def today(self) -> date:
        return local_date(self.clock.now())

    def new_student(self) -> int:
        return add_student(self.ctx, f"Student {next(self._names)}")

    def identity(self) -> Identity:
        return Identity(Platform.TELEGRAM, f"tg-{next(self._names)}")

    def claimed_request(self) -> tuple[int, int]:
        student = self.new_student()
        request = submit_request(self.ctx, student, valid_draft(self.today()))
        claim_request(self.ctx, self.mentor, request.id)
        return student, request.id

    def scheduled_session(self) -> MentorshipSession:
        _, request_id = self.claimed_request()
        start = available_slots(self.ctx, self.mentor, request_id)[0]
        return schedule_session(self.ctx, self.mentor, request_id, start)

    def completed_session(self) -> MentorshipSession:
        session = self.scheduled_session()
        self.clock.set(session.ends_at)
        return record_outcome(self.ctx, self.mentor, session.id, Outcome.COMPLETED)

    def shared_completed_session(self) -> MentorshipSession:
        if self._completed is None:
            self._completed = self.completed_session()
        return self._completed


@pytest.fixture
def env(database_url) -> Env:
    return Env(database_url)


@dataclass(frozen=True)
class Field:
    """One text field: what to type, how validation judges it, how it is stored and read."""

    name: str
    values: st.SearchStrategy[Any]
    expect: Callable[[Env, Any], Any]  # validation's output; raises if invalid
    store: Callable[[Env, Any], Any]  # the services' round trip; returns what is read back
    free_text: bool = True  # stored value is ``trimmed(value)`` (or a documented default)


# ---------------------------------------------------------------- the request form


def _draft(env: Env, field: str, value: Any):
    if field.startswith("extra."):
        name = field.removeprefix("extra.")
        kind = "PERSONAL_REFERENCE" if name in ("organization", "message") else "MOCK_INTERVIEW"
        entry = CATALOGUE.get(kind)
        assert entry is not None
        extra = {f.name: EXTRA_VALUES[f.name] for f in entry.extra_fields}
        return valid_draft(env.today(), kind, extra={**extra, name: value})
    return valid_draft(env.today(), **{field: value})


def _read_field(request: MentorshipRequest | Any, field: str) -> Any:
    if field.startswith("extra."):
        return request.extra[field.removeprefix("extra.")]
    return getattr(request, field)


def _request_field(field: str) -> Field:
    def expect(env: Env, value: Any) -> Any:
        valid = validate_draft(_draft(env, field, value), CATALOGUE, env.policy, env.today())
        return list(valid.tags) if field == "tags" else _read_field(valid, field)

    def store(env: Env, value: Any) -> Any:
        student = env.new_student()
        try:
            created = submit_request(env.ctx, student, _draft(env, field, value))
        except ValidationFailed as refused:
            assert set(refused.errors) == {field}, refused.errors  # shown under that field
            raise
        [mine] = [r for r in my_requests(env.ctx, student) if r.id == created.id]
        seen_by_mentor = get_request(env.ctx, env.mentor, created.id)
        assert _read_field(seen_by_mentor, field) == _read_field(mine, field)
        return _read_field(mine, field)

    return Field(field, TAGS if field == "tags" else TEXT, expect, store, field != "tags")


# ---------------------------------------------------------------- people and profiles


def _display_name() -> Field:
    def expect(env: Env, value: str) -> str:
        return clean_text(value, "Your name", env.policy.display_name_max)

    def store(env: Env, value: str) -> str:
        member, _ = register_member(env.ctx, env.identity(), value)
        return get_member(env.ctx, member.id).display_name

    return Field("display_name", TEXT, expect, store)


def _timezone() -> Field:
    def store(env: Env, value: str) -> str:
        member_id = env.new_student()
        set_timezone(env.ctx, member_id, value)
        return get_member(env.ctx, member_id).timezone

    return Field("timezone", TIMEZONES, lambda env, v: check_timezone(v), store, free_text=False)


def _mentor_field(field: str) -> Field:
    def expect(env: Env, value: Any) -> Any:
        if field == "domain":
            return clean_text(value, "Domain", env.policy.domain_max)
        if field == "bio":
            return clean_text(value, "Bio", env.policy.bio_max, multiline=True)
        return list(clean_tags(value, env.policy))

    def store(env: Env, value: Any) -> Any:
        member_id = env.new_student()
        profile: dict[str, Any] = {
            "domain": "Data science",
            "years_experience": 4,
            "bio": "Ten years in analytics.",
            "expertise_tags": ["python"],
        }
        profile["expertise_tags" if field == "tags" else field] = value
        apply_as_mentor(env.ctx, member_id, **profile)
        [stored] = [p for _, p in pending_mentors(env.ctx, env.admin) if p.member_id == member_id]
        return stored.expertise_tags if field == "tags" else getattr(stored, field)

    values = TAGS if field == "tags" else TEXT
    return Field(f"mentor.{field}", values, expect, store, free_text=field != "tags")


# ---------------------------------------------------------------- after the session


def _feedback(env: Env, value: str | None, *, required: bool = False) -> str | None:
    cleaned = clean_text(
        value, "The feedback", env.policy.feedback_max, required=required, multiline=True
    )
    return cleaned or None


def _notes(env: Env, value: str | None) -> str:
    return clean_text(value, "The notes", env.policy.notes_max, required=False, multiline=True)


def _session_seen_by(env: Env, member_id: int, session_id: int) -> MentorshipSession:
    [session] = [s for s in my_sessions(env.ctx, member_id) if s.id == session_id]
    return session


def _rating_feedback() -> Field:
    def store(env: Env, value: str) -> str | None:
        session = env.completed_session()
        rate_session(env.ctx, session.student_id, session.id, 4, value)
        return _session_seen_by(env, session.student_id, session.id).session_feedback

    return Field("rating.feedback", TEXT, lambda env, v: _feedback(env, v), store)


def _later_feedback() -> Field:
    def store(env: Env, value: str) -> str | None:
        session = env.completed_session()
        rate_session(env.ctx, session.student_id, session.id, 5)
        leave_feedback(env.ctx, session.student_id, session.id, value)
        return _session_seen_by(env, session.student_id, session.id).session_feedback

    return Field("later.feedback", TEXT, lambda env, v: _feedback(env, v, required=True), store)


def _outcome_notes() -> Field:
    def store(env: Env, value: str) -> str | None:
        session = env.scheduled_session()
        env.clock.set(session.ends_at)
        record_outcome(env.ctx, env.mentor, session.id, Outcome.COMPLETED, mentor_notes=value)
        assert _session_seen_by(env, session.student_id, session.id).mentor_notes is None
        return get_session(env.ctx, env.mentor, session.id).mentor_notes

    return Field("outcome.mentor_notes", TEXT, lambda env, v: _notes(env, v) or None, store)


def _edited_notes() -> Field:
    def store(env: Env, value: str) -> str | None:
        session = env.shared_completed_session()
        before = read_notes(env.ctx, env.mentor, session.id).entries
        update_mentor_notes(env.ctx, env.mentor, session.id, mentor_notes=value)
        assert _session_seen_by(env, session.student_id, session.id).mentor_notes is None
        after = read_notes(env.ctx, env.mentor, session.id).entries
        assert after[: len(before)] == before  # notes are added, never replaced
        return after[-1].body if len(after) > len(before) else None

    # a later note is a new entry, read back exactly; a blank one adds nothing
    return Field("edited.mentor_notes", TEXT, lambda env, v: _notes(env, v) or None, store)


# ---------------------------------------------------------------- reasons


def _reason(env: Env, value: str | None, default: str | None) -> str | None:
    cleaned = clean_text(value, "The reason", env.policy.reason_max, required=False)
    return cleaned or default


def _student_cancel_reason() -> Field:
    def store(env: Env, value: str) -> str | None:
        student = env.new_student()
        request = submit_request(env.ctx, student, valid_draft(env.today()))
        cancel_request(env.ctx, student, request.id, value)
        [mine] = [r for r in my_requests(env.ctx, student) if r.id == request.id]
        return mine.cancel_reason

    return Field(
        "student.cancel_reason",
        TEXT,
        lambda env, v: _reason(env, v, "cancelled by the student"),
        store,
    )


def _mentor_cancel_reason() -> Field:
    def store(env: Env, value: str) -> str | None:
        session = env.scheduled_session()
        cancel_session(env.ctx, env.mentor, session.id, value)
        [mine] = [r for r in my_requests(env.ctx, session.student_id) if r.id == session.request_id]
        return mine.cancel_reason

    return Field(
        "mentor.cancel_reason",
        TEXT,
        lambda env, v: _reason(env, v, "cancelled by the mentor"),
        store,
    )


def _release_reason() -> Field:
    def store(env: Env, value: str) -> str | None:
        _, request_id = env.claimed_request()
        release_request(env.ctx, env.mentor, request_id, value)
        with env.ctx.uow_factory() as uow:
            events = uow.events.for_entity(EntityKind.REQUEST, request_id)
        return events[-1].reason

    return Field("release.reason", TEXT, lambda env, v: _reason(env, v, None), store)


FIELDS = [
    _request_field("title"),
    _request_field("description"),
    _request_field("extra.domain"),
    _request_field("extra.experience"),
    _request_field("extra.target_role"),
    _request_field("extra.organization"),
    _request_field("extra.message"),
    _request_field("tags"),
    _display_name(),
    _timezone(),
    _mentor_field("domain"),
    _mentor_field("bio"),
    _mentor_field("tags"),
    _rating_feedback(),
    _later_feedback(),
    _outcome_notes(),
    _edited_notes(),
    _student_cancel_reason(),
    _mentor_cancel_reason(),
    _release_reason(),
]


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_text_is_refused_with_a_clear_message_or_read_back_exactly_as_validated(
    env, field, data
):
    value = data.draw(field.values, label=field.name)
    try:
        expected = field.expect(env, value)
    except (ValueError, ValidationFailed):
        event("refused")
        with pytest.raises(ValidationFailed) as refused:
            field.store(env, value)
        assert isinstance(refused.value, DomainError)
        assert refused.value.user_message.strip()
        return

    event("stored")
    assert field.store(env, value) == expected
    if field.free_text and isinstance(expected, str) and value.strip():
        assert expected == trimmed(value)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  america/new_york ", "America/New_York"),
        ("Europe", None),  # a folder of the zone database, not a zone
        ("America/", None),
        ("zone.tab", None),  # a data file beside the zones
        ("../etc/passwd", None),
        ("/etc/passwd", None),
        ("Europe/Berlin\x00", None),
        ("\ud800", None),
    ],
)
def test_a_time_zone_is_stored_in_its_canonical_form_or_refused_with_a_hint(env, typed, stored):
    member_id = env.new_student()
    if stored is None:
        with pytest.raises(ValidationFailed, match="Europe/Berlin"):
            set_timezone(env.ctx, member_id, typed)
        assert get_member(env.ctx, member_id).timezone == "UTC"
    else:
        set_timezone(env.ctx, member_id, typed)
        assert get_member(env.ctx, member_id).timezone == stored
