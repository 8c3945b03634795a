"""The vocabulary's entries, grouped by what they act on; importing fills it."""

from bot.conversation.actions import (
    admin,
    claims,
    directed,
    history,
    lists,
    people,
    records,
    requests,
    sessions,
    times,
)

__all__ = [
    "admin",
    "claims",
    "directed",
    "history",
    "lists",
    "people",
    "records",
    "requests",
    "sessions",
    "times",
]
