"""Showing instants to people: always in their own zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_time(instant: datetime, zone: str) -> str:
    """e.g. 'Mon 9 Mar, 13:00 (America/New_York)'."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} ({zone})"


def short_time(instant: datetime, zone: str) -> str:
    """e.g. 'Mon 9 Mar 13:00', for buttons where space is short."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"
