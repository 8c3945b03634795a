"""Every setting and the whole catalogue checked before any command does anything.

A bad value taken as given breaks later, in a chat, for a person who can do nothing
about it (a negative ``max_length`` makes the form impossible to finish, an unknown
placeholder in the meeting-link template makes every booking fail). Here each problem
becomes one line that names the setting, and the CLI exits with status 2.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import fields
from datetime import timedelta

from pydantic import ValidationError
from pydantic_settings import SettingsError

from bot.config import Settings
from bot.config_values import check_link_template
from core.catalogue import Catalogue, CatalogueError
from core.policy import Policy
from core.services.admin_settings import parse_admins

PREFIX = "MENTORBOT_"
# policy durations that may be zero (no minimum notice); every other must be positive
MAY_BE_ZERO = frozenset({"min_notice"})
# the Bot API's limits for setMyDescription and setMyShortDescription
TELEGRAM_TEXT_LIMITS = {"telegram_description": 512, "telegram_short_description": 120}


class ConfigurationError(Exception):
    """The configuration cannot be used; ``problems`` are the lines to print."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def variable(field: str) -> str:
    """The environment variable an operator sets for ``field``."""
    return "DATABASE_URL" if field.lower() == "database_url" else PREFIX + field.upper()


def validation_problems(error: ValidationError) -> list[str]:
    """One line per invalid setting; never the value itself (it may be a secret)."""
    lines = []
    for found in error.errors(include_input=False, include_url=False):
        location = [str(part) for part in found["loc"]]
        name = variable(location[0]) if location else "settings"
        where = (
            f" (item {int(location[1]) + 1})" if len(location) > 1 and location[1].isdigit() else ""
        )
        message = str(found["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}{where}: {message}")
    return lines


def load_settings() -> Settings:
    """The settings from the environment and ``.env``, or :class:`ConfigurationError`."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(validation_problems(error)) from None
    except SettingsError as error:  # a value pydantic-settings could not decode at all
        raise ConfigurationError([f"settings: {_first_line(str(error))}"]) from None


def settings_problems(settings: Settings) -> list[str]:
    """What the field validators cannot see: admins, zones, the catalogue, the policy."""
    problems = [
        f"{variable('admins')}: entry {entry!r} is not platform:id "
        "(telegram:12345, slack:TEAM:USER or console:name)"
        for entry in parse_admins(settings.admins).unusable
    ]
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if (name.endswith("_timezone") or name.endswith("_zone")) and isinstance(value, str):
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                problems.append(f"{variable(name)}: {value!r} is not a known time zone")
    try:
        Catalogue.load(settings.catalogue_path)
    except CatalogueError as error:
        source = variable("catalogue_path") if settings.catalogue_path else "built-in catalogue"
        problems.extend(f"{source}: {line}" for line in str(error).splitlines() if line)
    except OSError as error:
        problems.append(f"{variable('catalogue_path')}: cannot read the file ({error.strerror})")
    problems.extend(policy_problems(settings.policy()))
    problems.extend(telegram_text_problems(settings))
    return problems


def telegram_text_problems(settings: Settings) -> list[str]:
    """The bot's descriptions within Telegram's limits, which count UTF-16 code units
    (an emoji may be two); a longer one would be refused at every start."""
    problems = []
    for name, limit in TELEGRAM_TEXT_LIMITS.items():
        text = getattr(settings, name)
        units = len(text.encode("utf-16-le", "surrogatepass")) // 2
        if units > limit:
            problems.append(f"{variable(name)}: {units} characters, at most {limit} allowed")
    return problems


def policy_problems(policy: Policy) -> list[str]:
    """Every duration and count of the policy positive (a zero reminder offset or a
    negative limit is taken as given by the services), the link template usable."""
    problems = []
    for spec in fields(policy):
        value = getattr(policy, spec.name)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, timedelta):
                bad = item < timedelta(0) if spec.name in MAY_BE_ZERO else item <= timedelta(0)
            elif isinstance(item, int) and not isinstance(item, bool):
                bad = item < 1
            else:
                continue
            if bad:
                problems.append(f"policy {spec.name}: must be positive, not {item}")
                break
    try:
        check_link_template(policy.meeting_link_template)
    except ValueError as error:
        problems.append(f"{variable('meeting_link_template')}: {error}")
    return problems


def checked_settings() -> Settings:
    """The settings, each of them and the catalogue checked; :class:`ConfigurationError`
    lists every problem found."""
    settings = load_settings()
    problems = settings_problems(settings)
    if problems:
        raise ConfigurationError(problems)
    return settings


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "invalid"
