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
    return Catalogue(types=types, groups=tuple(groups.values()), suggested_tags=tags)


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
