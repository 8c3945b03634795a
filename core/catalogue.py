"""The session-type catalogue, loaded from TOML so operators change types without code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

ALLOWED_DURATIONS: tuple[int, ...] = (30, 45, 60)


@dataclass(frozen=True)
class ExtraField:
    name: str
    label: str
    max_length: int


@dataclass(frozen=True)
class SessionGroup:
    code: str
    label: str
    limit: int | None  # None: unlimited


@dataclass(frozen=True)
class SessionType:
    code: str
    label: str
    group: SessionGroup
    extra_fields: tuple[ExtraField, ...]
    default_duration: int
    price: str | None = None

    def describe(self) -> str:
        return f"{self.label} ({self.price})" if self.price else self.label


class CatalogueError(ValueError):
    """The catalogue file is malformed; raised at start-up, never in a chat."""


@dataclass(frozen=True)
class Catalogue:
    types: tuple[SessionType, ...]
    groups: tuple[SessionGroup, ...]
    suggested_tags: tuple[str, ...] = ()

    def get(self, code: str) -> SessionType | None:
        return next((t for t in self.types if t.code == code), None)

    def group_of(self, code: str) -> SessionGroup | None:
        session_type = self.get(code)
        return session_type.group if session_type else None

    def codes_in_group(self, group_code: str) -> tuple[str, ...]:
        return tuple(t.code for t in self.types if t.group.code == group_code)

    @classmethod
    def from_toml(cls, text: str) -> Catalogue:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"catalogue is not valid TOML: {exc}") from exc
        return _parse(data)

    @classmethod
    def load(cls, path: Path | None = None) -> Catalogue:
        if path is None:
            text = resources.files("core.data").joinpath("catalogue.toml").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        return cls.from_toml(text)


def _parse(data: dict[str, Any]) -> Catalogue:
    try:
        groups = {
            code: SessionGroup(code, str(g["label"]), _optional_int(g.get("limit")))
            for code, g in data.get("groups", {}).items()
        }
        fields = {
            name: ExtraField(name, str(f["label"]), int(f.get("max_length", 500)))
            for name, f in data.get("fields", {}).items()
        }
        types = tuple(_parse_type(t, groups, fields) for t in data["types"])
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"catalogue entry is incomplete or wrong: {exc!r}") from exc
    codes = [t.code for t in types]
    if len(set(codes)) != len(codes):
        raise CatalogueError("catalogue has duplicate session type codes")
    if not types:
        raise CatalogueError("catalogue has no session types")
    tags = tuple(str(t) for t in data.get("suggested_tags", DEFAULT_TAGS))
    catalogue = Catalogue(types=types, groups=tuple(groups.values()), suggested_tags=tags)
    problems = catalogue_problems(catalogue)
    if problems:
        raise CatalogueError("\n".join(problems))
    return catalogue


def catalogue_problems(catalogue: Catalogue) -> list[str]:
    """Everything wrong with a parsed catalogue, one line each: a value taken as given
    here would break in a chat later (a negative ``max_length`` makes the form
    impossible to finish, a negative limit refuses every request)."""
    problems: list[str] = []
    for group in catalogue.groups:
        if not group.code.strip() or not group.label.strip():
            problems.append(f"catalogue group {group.code!r}: code and label must not be empty")
        if group.limit is not None and group.limit < 1:
            problems.append(
                f"catalogue group {group.code!r}: limit must be at least 1 (omit it for "
                f"unlimited), not {group.limit}"
            )
    seen: set[str] = set()
    for session_type in catalogue.types:
        code = session_type.code
        if not code.strip() or code != code.strip() or " " in code:
            problems.append(f"catalogue type {code!r}: code must be non-empty, without spaces")
        if not session_type.label.strip():
            problems.append(f"catalogue type {code!r}: label must not be empty")
        for extra in session_type.extra_fields:
            if extra.name in seen:
                continue
            seen.add(extra.name)
            if extra.max_length < 1:
                problems.append(
                    f"catalogue field {extra.name!r}: max_length must be at least 1, "
                    f"not {extra.max_length}"
                )
            if not extra.label.strip():
                problems.append(f"catalogue field {extra.name!r}: label must not be empty")
    if any(not tag.strip() for tag in catalogue.suggested_tags):
        problems.append("catalogue suggested_tags: a tag must not be empty")
    return problems


def _parse_type(
    entry: dict[str, Any], groups: dict[str, SessionGroup], fields: dict[str, ExtraField]
) -> SessionType:
    duration = int(entry.get("default_duration", 30))
    if duration not in ALLOWED_DURATIONS:
        raise ValueError(f"{entry['code']}: default_duration must be one of {ALLOWED_DURATIONS}")
    price = entry.get("price")
    return SessionType(
        code=str(entry["code"]),
        label=str(entry["label"]),
        group=groups[entry["group"]],
        extra_fields=tuple(fields[name] for name in entry.get("fields", [])),
        default_duration=duration,
        price=str(price) if price is not None else None,
    )


def _optional_int(value: object) -> int | None:
    return None if value is None else int(str(value))


DEFAULT_TAGS = (
    "python",
    "javascript",
    "backend",
    "frontend",
    "data-science",
    "machine-learning",
    "devops",
    "system-design",
    "career-change",
    "interviews",
    "leadership",
    "product",
)
