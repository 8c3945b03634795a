"""What the chat front-ends read on most updates and may keep for a minute per process.

Looking the acting member up is two statements on nearly every update, and the mentor
list (pickers, Home) several more. A copy kept here only decides what is shown (a zone,
a name, the choices offered): every service checks roles, ownership and approval again
from the database. A change made by this process drops the copy at once; one made by
another process shows within the minute.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cachetools import TTLCache

from core.members import Identity, Member
from core.services.mentors import MentorSummary

TTL_SECONDS = 60


class ReadCache:
    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self._members: TTLCache[Identity, Member] = TTLCache(maxsize=10_000, ttl=ttl_seconds)
        self._mentors: TTLCache[str, list[MentorSummary]] = TTLCache(maxsize=1, ttl=ttl_seconds)

    async def member(
        self, identity: Identity, look_up: Callable[[], Awaitable[Member | None]]
    ) -> Member | None:
        """The member behind ``identity``; ``look_up`` reads it when no copy is kept. A
        member marked unreachable there is not kept: the next update must see them
        again (and note that they are back)."""
        found = self._members.get(identity)
        if found is None:
            found = await look_up()
            if found is not None and not any(i.unreachable for i in found.identities):
                self._members[identity] = found
        return found

    def forget_member(self, member: Member) -> None:
        for identity in member.identities:
            self._members.pop(identity, None)

    async def mentors(
        self, load: Callable[[], Awaitable[list[MentorSummary]]]
    ) -> list[MentorSummary]:
        """The approved mentors, best rated first."""
        found = self._mentors.get("all")
        if found is None:
            found = self._mentors["all"] = await load()
        return found

    def forget_mentors(self) -> None:
        self._mentors.clear()
