"""Checks of single setting values, used by :class:`bot.config.Settings` validators.

Each raises ``ValueError`` with a message that names what is wrong without repeating
the value (a URL or a list may carry a password or a token); pydantic puts the
setting's name in front (``bot.config_check`` turns that into one line).
"""

from __future__ import annotations

import json
from string import Formatter

LINK_PLACEHOLDERS = frozenset({"token"})


def split_list(value: object) -> object:
    """A list setting written as JSON (``["a", "b"]``) or comma-separated (``a, b``)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError("looks like a JSON list but is not valid JSON") from None
    return [part.strip() for part in text.split(",") if part.strip()]


def check_database_url(value: str) -> str:
    """A URL SQLAlchemy can read (``sqlite:///file.db``, ``postgresql://…``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value.strip())
    except (ArgumentError, ValueError):
        raise ValueError(
            "is not a database URL (e.g. sqlite:///mentorbot.db or "
            "postgresql://user:password@host/db)"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("names a database other than SQLite or PostgreSQL")
    return value.strip()


def check_link_template(value: str) -> str:
    """A meeting-link template with known placeholders only (``{token}``): an unknown one
    would make every booking fail."""
    try:
        names = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
    except ValueError:
        raise ValueError("has an unmatched { or } (write {{ or }} for a literal brace)") from None
    unknown = sorted(names - LINK_PLACEHOLDERS)
    if unknown:
        shown = ", ".join("{" + n + "}" if n else "{}" for n in unknown)
        raise ValueError(f"has unknown placeholder(s) {shown}; only {{token}} is known")
    if not value.strip():
        raise ValueError("is empty")
    return value
