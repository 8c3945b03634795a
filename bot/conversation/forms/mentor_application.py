"""The mentor application, defined once for every front-end.

Telegram and the console ask its questions one at a time, Slack shows them in one modal;
all of them read an answer with :func:`read`, which makes the checks
:func:`core.services.mentors.apply_as_mentor` makes (the same ``core.validation`` calls,
``validate_one_tags``, ``check_years``). So an answer is accepted exactly when the
submission would accept it, and a wrong one is refused when it is given (a
5,000-character domain at the first question, not after the bio and the tags), with the
answers before it kept.

Each field's ``name`` is the keyword ``apply_as_mentor`` takes and the key its errors come
under (``domain``, ``years_experience``, ``bio``, ``expertise_tags``), so an error lands
under its own field everywhere (Slack uses the names as block ids).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.replies import Part
from core.errors import DomainError, ValidationFailed
from core.hints import Hint
from core.mentors import MentorProfile, MentorStatus
from core.policy import Policy
from core.services.context import ServiceContext
from core.services.mentors import apply_as_mentor, check_years, validate_one_tags
from core.validation import clean_text, validate_one

TAG_SEPARATORS = re.compile(r"[,;\s]+")  # "python; sql", "python, sql", "python sql"
NO_TAGS = "-"
YEARS_DIGITS = 4  # a longer number is out of range anyway (and int() stays cheap)
WHOLE_NUMBER = "Please give the years as a whole number, e.g. 5."
DONE: tuple[Part, ...] = ("Thank you! An admin will review your application.", Hint.AVAILABILITY)
UPDATED: tuple[Part, ...] = (
    "Your mentor profile is updated. You are already an approved mentor: nothing waits for review.",
    Hint.AVAILABILITY,
)
OLD_NAMES = {"years": "years_experience", "tags": "expertise_tags"}  # forms stored before


def done(profile: MentorProfile) -> tuple[Part, ...]:
    """What a submitted application says: an approved mentor who applies again only
    updates their profile (no admin reviews it), so they are not told one will."""
    return UPDATED if profile.status == MentorStatus.APPROVED else DONE


@dataclass(frozen=True)
class Field:
    name: str  # apply_as_mentor's keyword, and the key its errors come under
    prompt: str  # the question asked on its own (Telegram, the console)
    label: str  # the same question as a form's label (Slack)
    hint: str = ""
    multiline: bool = False
    optional: bool = False


FIELDS = (
    Field("domain", "Your domain (e.g. Backend engineering)?", "Your domain"),
    Field(
        "years_experience",
        "Years of experience (a number)?",
        "Years of experience",
        "A whole number, e.g. 5.",
    ),
    Field("bio", "A short bio for students?", "A short bio for students", multiline=True),
    Field(
        "expertise_tags",
        "Your expertise tags, comma-separated (e.g. python, system-design)?",
        "Your expertise tags",
        "Separated by commas, semicolons or spaces, e.g. python, system-design.",
        optional=True,
    ),
)


def max_length(step: Field, policy: Policy) -> int:
    """The longest answer worth typing (a modal's input says it before Submit)."""
    tags = policy.max_tags * (policy.tag_max + 2)
    return {
        "domain": policy.domain_max,
        "years_experience": YEARS_DIGITS,
        "bio": policy.bio_max,
    }.get(step.name, tags)


def split_tags(text: str) -> list[str]:
    """Tags as typed: separated by commas, semicolons or spaces; "-" (or nothing) is none."""
    if text.strip() in ("", NO_TAGS):
        return []
    return [t for t in TAG_SEPARATORS.split(text) if t]


def read(step: Field, text: str, ctx: ServiceContext) -> Any:
    """The answer to ``step`` as ``apply_as_mentor`` takes it; ValidationFailed under
    ``step.name`` (with a message the person can act on) wherever it would refuse it."""
    policy = ctx.policy
    if step.name == "domain":
        return validate_one("domain", lambda: clean_text(text, "Domain", policy.domain_max))
    if step.name == "years_experience":
        digits = text.strip()
        if not (digits.isascii() and digits.isdigit()):
            raise ValidationFailed({step.name: WHOLE_NUMBER})
        return check_years(int(digits) if len(digits) <= YEARS_DIGITS else 10**YEARS_DIGITS)
    if step.name == "bio":
        return validate_one("bio", lambda: clean_text(text, "Bio", policy.bio_max, multiline=True))
    return list(validate_one_tags(split_tags(text), ctx))


def read_all(answers: Mapping[str, str], ctx: ServiceContext) -> dict[str, Any]:
    """Every answer read at once (a modal, a submission), every error collected."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for step in FIELDS:
        try:
            values[step.name] = read(step, answers.get(step.name, ""), ctx)
        except ValidationFailed as failed:
            errors[step.name] = failed.errors.get(step.name) or failed.user_message
    if errors:
        raise ValidationFailed(errors)
    return values


@dataclass
class MentorApplication:
    """One person's application in progress: the answers accepted so far, as typed."""

    answers: dict[str, str] = field(default_factory=dict)
    position: int = 0

    @property
    def current(self) -> Field | None:
        return FIELDS[self.position] if self.position < len(FIELDS) else None

    def to_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "position": self.position}

    @classmethod
    def from_dict(cls, data: object) -> MentorApplication:
        """The stored form. An older shape (``{"domain": …, "years": …}``) is carried
        over; whatever is missing or garbled is asked again (submitting re-reads all)."""
        if not isinstance(data, dict):
            return cls()
        stored = data.get("answers")
        if not isinstance(stored, dict):  # the shape the Telegram form used to store
            stored = {OLD_NAMES.get(str(k), str(k)): v for k, v in data.items()}
        form = cls()
        for step in FIELDS:
            value = stored.get(step.name)
            if not isinstance(value, str):
                break
            form.answers[step.name] = value
            form.position += 1
        position = data.get("position")
        if isinstance(position, int) and 0 <= position < form.position:
            form.position = position
        return form


def answer(form: MentorApplication, text: str, ctx: ServiceContext) -> Field | None:
    """Take ``text`` as the answer to the current question (ValidationFailed to ask it
    again, nothing changed); the next question, or None when all are answered."""
    step = form.current
    if step is None:
        return None
    read(step, text, ctx)
    form.answers[step.name] = text
    form.position += 1
    return form.current


def back(form: MentorApplication) -> Field:
    """One question back; its answer is given anew."""
    form.position = max(0, min(form.position, len(FIELDS)) - 1)
    for step in FIELDS[form.position :]:
        form.answers.pop(step.name, None)
    return FIELDS[form.position]


def again(step: Field, failed: DomainError) -> str:
    """Why an answer was refused, then the same question."""
    errors = failed.errors if isinstance(failed, ValidationFailed) else {}
    return f"{errors.get(step.name) or failed.user_message}\n{step.prompt}"


def submit(ctx: ServiceContext, member_id: int, form: MentorApplication) -> MentorProfile:
    """Apply with every answer (read again: a stored form may be old). Refused, the form
    goes back to the first question refused (the last one if no field was to blame), so
    the next answer gives it anew and submits again."""
    try:
        return apply_as_mentor(ctx, member_id, **read_all(form.answers, ctx))
    except DomainError as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {}
        blamed = [i for i, step in enumerate(FIELDS) if step.name in errors]
        form.position = min(blamed, default=len(FIELDS) - 1)
        for step in FIELDS[form.position :]:
            form.answers.pop(step.name, None)
        raise


def offers_application(status: MentorStatus | None) -> bool:
    """Whether to offer "Become a mentor": not to someone approved or already waiting."""
    return status not in (MentorStatus.APPROVED, MentorStatus.PENDING)
