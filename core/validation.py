"""All input checks, once, with messages a student can act on.

Every front-end builds a :class:`~core.requests.RequestDraft` and calls
:func:`validate_draft`; nothing reaches storage without passing through here, so a
database never sees a NUL byte or an unpaired surrogate.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.catalogue import ALLOWED_DURATIONS, Catalogue
from core.errors import ValidationFailed
from core.hours import DEFAULT_HOURS, parse_hours
from core.policy import Policy
from core.requests import RequestDraft, Urgency, ValidRequest

_ALLOWED_CONTROLS = frozenset("\n\t")
_TAG_RE = re.compile(r"^[\w+#.\-]+$")


def clean_text(
    value: str | None,
    label: str,
    max_length: int,
    *,
    required: bool = True,
    multiline: bool = False,
    min_length: int = 1,
) -> str:
    """Strip surrounding space and check one text; raises ValueError with the user message."""
    text = (value or "").replace("\r\n", "\n").strip()
    if not text:
        if required:
            raise ValueError(f"{label} cannot be empty.")
        return ""
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            raise ValueError(f"{label} contains an invalid character.")
        if category == "Cc" and not (multiline and char in _ALLOWED_CONTROLS):
            what = "line breaks" if char in "\n\r" else "control characters"
            raise ValueError(f"{label} cannot contain {what}.")
    if len(text) < min_length:
        raise ValueError(f"{label} must be at least {min_length} characters long.")
    if len(text) > max_length:
        raise ValueError(
            f"{label} is too long: {len(text)} characters, at most {max_length} allowed."
        )
    return text


def clean_tags(tags: list[str], policy: Policy) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in tags:
        tag = raw.strip().lower().lstrip("#").replace(" ", "-")
        if not tag:
            continue
        if len(tag) > policy.tag_max:
            raise ValueError(f"Tag '{tag[:20]}…' is too long (at most {policy.tag_max}).")
        if not _TAG_RE.match(tag):
            raise ValueError(f"Tag '{tag}' may use only letters, digits and - + # .")
        seen[tag] = None
    if len(seen) > policy.max_tags:
        raise ValueError(f"At most {policy.max_tags} tags, please ({len(seen)} given).")
    return tuple(seen)


def check_date_range(
    available_from: date | None, available_until: date | None, today: date, policy: Policy
) -> dict[str, str]:
    errors: dict[str, str] = {}
    horizon = today + timedelta(days=policy.horizon_days)
    if available_from is None:
        errors["available_from"] = "Please choose the first day you are available."
    elif available_from < today:
        errors["available_from"] = f"The first day cannot be in the past (today is {today})."
    elif available_from > horizon:
        errors["available_from"] = f"The first day must be before {horizon}."
    if available_until is None:
        errors["available_until"] = "Please choose the last day you are available."
    elif available_from is not None and available_until < available_from:
        errors["available_until"] = "The last day cannot be before the first day."
    elif available_until > horizon:
        errors["available_until"] = (
            f"The last day can be at most {policy.horizon_days} days ahead ({horizon})."
        )
    elif available_until < today:
        errors["available_until"] = "The last day cannot be in the past."
    return errors


def validate_draft(
    draft: RequestDraft, catalogue: Catalogue, policy: Policy, today: date
) -> ValidRequest:
    """Check every field, collecting all errors so a form can show each where it belongs."""
    errors: dict[str, str] = {}

    def field(name: str, check: object) -> str:
        try:
            result = check() if callable(check) else check
        except ValueError as exc:
            errors[name] = str(exc)
            return ""
        return str(result)

    session_type = catalogue.get(draft.session_type)
    if session_type is None:
        errors["session_type"] = "Please choose one of the listed session types."
    title = field(
        "title",
        lambda: clean_text(draft.title, "The title", policy.title_max, min_length=3),
    )
    description = field(
        "description",
        lambda: clean_text(
            draft.description, "The description", policy.description_max, multiline=True
        ),
    )
    extra: dict[str, str] = {}
    for extra_field in session_type.extra_fields if session_type else ():
        raw = draft.extra.get(extra_field.name, "")
        extra[extra_field.name] = field(
            f"extra.{extra_field.name}",
            lambda f=extra_field, r=raw: clean_text(r, f.label, f.max_length, multiline=True),
        )
    duration = draft.duration_minutes
    if duration is None and session_type is not None:
        duration = session_type.default_duration
    if duration not in ALLOWED_DURATIONS:
        choices = ", ".join(str(d) for d in ALLOWED_DURATIONS)
        errors["duration_minutes"] = f"The duration must be one of {choices} minutes."
    try:
        urgency = Urgency(str(draft.urgency).lower())
    except ValueError:
        errors["urgency"] = "Urgency must be low, normal or high."
        urgency = Urgency.NORMAL
    errors.update(check_date_range(draft.available_from, draft.available_until, today, policy))
    tags: tuple[str, ...] = ()
    try:
        tags = clean_tags(draft.tags, policy)
    except ValueError as exc:
        errors["tags"] = str(exc)
    hours = DEFAULT_HOURS
    try:
        hours = parse_hours(draft.student_hours)
    except ValueError as exc:
        errors["student_hours"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    assert session_type is not None and duration is not None
    assert draft.available_from is not None and draft.available_until is not None
    return ValidRequest(
        session_type=session_type.code,
        title=title,
        description=description,
        extra=extra,
        duration_minutes=duration,
        urgency=urgency,
        available_from=draft.available_from,
        available_until=draft.available_until,
        tags=tags,
        preferred_mentor_id=draft.preferred_mentor_id,
        # the question is asked only with a chosen mentor: without one it means nothing
        open_to_others=bool(draft.open_to_others) and draft.preferred_mentor_id is not None,
        student_hours=hours,
    )


def validate_one(field_name: str, check: Callable[[], str]) -> str:
    """Run a single-field check, turning its ValueError into ValidationFailed for services."""
    try:
        return check()
    except ValueError as exc:
        raise ValidationFailed({field_name: str(exc)}) from exc


def check_timezone(name: str) -> str:
    """Accept any IANA zone name (case-insensitively for convenience), return its canonical form."""
    candidate = (name or "").strip()
    if not candidate or len(candidate) > 64 or "\x00" in candidate:
        raise ValueError("Please give a time zone such as Europe/Berlin or America/New_York.")
    zone = candidate if _is_zone(candidate) else _zones_by_lower_name().get(candidate.lower())
    if zone is None:
        raise ValueError(
            f"'{candidate[:40]}' is not a time zone I know. Try e.g. Europe/Berlin or Asia/Tokyo."
        )
    return zone


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a directory
        return False
    return True


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}
