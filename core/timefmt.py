"""Showing instants to people: always in their own zone, with the zone named.

A zone is checked when it is written (``core.validation.check_timezone``), but a value
already stored may still be unknown here (written before the check, or a zone database
older than the one that accepted it). Such a value is shown in UTC, named as UTC, with a
warning in the log: one bad row must never stop a message or a page from being shown
(issue 12: one member's unknown zone stopped all delivery).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")


@lru_cache(maxsize=512)
def _lookup(zone: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(zone)
    except (ValueError, KeyError, OSError, TypeError):  # ZoneInfoNotFoundError is a KeyError
        logger.warning("unknown stored time zone %r: shown in UTC", str(zone)[:64])
        return None


def safe_zone(zone: str) -> tuple[ZoneInfo, str]:
    """The zone and the name to show for it: UTC for a zone that is not known."""
    found = _lookup(zone) if isinstance(zone, str) else None
    return (found, zone) if found is not None else (UTC_ZONE, "UTC")


def zone_or_utc(zone: str) -> ZoneInfo:
    """``ZoneInfo(zone)``, or UTC (with a warning in the log) when the zone is unknown."""
    return safe_zone(zone)[0]


def local_time(instant: datetime, zone: str) -> str:
    """e.g. 'Mon 9 Mar, 13:00 (America/New_York)'."""
    tz, name = safe_zone(zone)
    local = instant.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} ({name})"


def short_time(instant: datetime, zone: str) -> str:
    """e.g. 'Mon 9 Mar 13:00', for buttons where space is short."""
    local = instant.astimezone(zone_or_utc(zone))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"
