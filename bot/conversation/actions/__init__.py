"""The vocabulary's entries, grouped by what they act on; importing fills it."""

from bot.conversation.actions import admin, claims, history, lists, people, requests, sessions

__all__ = ["admin", "claims", "history", "lists", "people", "requests", "sessions"]
