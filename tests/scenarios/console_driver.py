"""The scenarios' verbs on the console: typed lines into the real ``ConsoleSession``.

The console is one terminal for everyone: ``/as NAME`` switches who types. What it prints
for a line goes to the person who typed it, except the ``to NAME: …`` lines of the
notifications (``to mentors: …`` is the mentors' feed). A button is printed as
``[Label] /command args``; it counts as shown when its command was printed for the person.
The due work runs after every line, as in the real console; ``deliver`` types ``/clock``.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from bot.handlers.console import (  # noqa: F401  (importing registers the commands)
    mentor_commands,
    people_commands,
    student_commands,
)
from bot.handlers.console.session import COMMANDS, ConsoleSession
from core.catalogue import ALLOWED_DURATIONS, Catalogue
from core.clock import MovableClock
from core.hours import PERIODS
from core.members import Identity, Member, Platform
from core.policy import Policy
from core.requests import Urgency
from core.services.context import ServiceContext
from core.services.members import find_member
from db.engine import make_engine, make_session_factory
from db.frontend_state import FrontEndStore
from db.unit_of_work import SqlAlchemyUnitOfWork
from tests.scenarios.driver import BOOK, Driver, RequestSpec
from tests.scenarios.people import EVERYONE, Person
from tests.support.failing_writes import failing_writes
from tests.telegram.harness import START

SHOWN = re.compile(r"/([a-z_]+)((?: [A-Za-z0-9_:+-]+)*)")
NUMBERED = "reply with its number"


class ConsoleDriver(Driver):
    name = "console"

    def __init__(
        self, database_url: str, clock: MovableClock | None = None, policy: Policy | None = None
    ) -> None:
        super().__init__()
        self.db = make_engine(database_url)
        sessions = make_session_factory(self.db)
        self.clock = clock or MovableClock(START)
        self.ctx = ServiceContext(
            uow_factory=lambda: SqlAlchemyUnitOfWork(sessions),
            clock=self.clock,
            catalogue=Catalogue.load(),
            policy=policy or Policy(),
        )
        self.printed: list[str] = []
        self.session = ConsoleSession(
            self.ctx,
            self.clock,
            self.printed.append,
            admins=frozenset({"console:ada"}),
            store=FrontEndStore(sessions),
        )
        self.by_handle = {p.key: p for p in EVERYONE}
        self.transcript: list[str] = []
        self.ids: dict[str, int] = {}  # console handle -> member id, once known

    async def start(self) -> ConsoleDriver:
        return self

    async def stop(self) -> None:
        self.session.close()
        self.db.dispose()

    def member(self, p: Person) -> Member:
        found = find_member(self.ctx, Identity(Platform.CONSOLE, p.key))
        assert found is not None, f"{p.name} is not registered"
        return found

    def has_command(self, name: str) -> bool:
        return name in COMMANDS

    # ------------------------------------------------------------------ lines

    async def line(self, p: Person, text: str) -> str:
        """Type ``text`` as ``p``; what was printed for ``p`` (notifications are logged).
        The console is synchronous and runs its own event loop: it runs in a thread."""
        me = self.session.me
        if me is None or me.id != self._id(p):
            self.printed.clear()
            await asyncio.to_thread(self.session.handle_line, f"/as {p.key}")
        self.printed.clear()
        await asyncio.to_thread(self.session.handle_line, text)
        out = "\n".join(self.printed)
        self.transcript += [f"{p.key}> {text}", out]
        mine = self._attribute(out)
        self.heard[p.key] += mine
        return "\n".join(mine)

    def _attribute(self, out: str) -> list[str]:
        """Log the ``to NAME: …`` notifications (with their indented lines) for whom they
        are meant; the other lines are returned: they answer the person typing."""
        mine: list[str] = []
        target: list[str] | None = mine
        for line in out.splitlines():
            if line.startswith("to "):
                handle, _, body = line[3:].partition(": ")
                who = self.by_handle.get(handle)
                target = self.feed if handle == "mentors" else self.heard[who.key] if who else None
                if target is not None:
                    target.append(body)
            elif line.startswith("    ") and target is not mine and target:
                target[-1] += "\n" + line.strip()
            else:
                target = mine
                mine.append(line)
        return mine

    def _id(self, p: Person) -> int | None:
        if p.key not in self.ids:
            found = find_member(self.ctx, Identity(Platform.CONSOLE, p.key))
            if found is None:
                return None
            self.ids[p.key] = found.id
        return self.ids[p.key]

    def shown(self, p: Person, name: str) -> list[tuple[str, ...]]:
        texts = [*self.heard[p.key], *(self.feed if p.key in self.in_feed else [])]
        found = []
        for text in texts:
            for match in SHOWN.finditer(text):
                if match.group(1) == name:
                    found.append(tuple(match.group(2).split()))
        return found

    # ------------------------------------------------------------------ verbs

    async def register(self, p: Person) -> None:
        await self.line(p, f"/timezone {p.zone}")
        assert self.member(p).timezone == p.zone

    async def type(self, p: Person, text: str) -> str:
        return await self.line(p, text)

    async def _press(self, p: Person, name: str, args: tuple[str, ...]) -> str:
        return await self.line(p, " ".join((f"/{name}", *args)))

    async def _answer(self, p: Person, text: str) -> str:
        return await self.line(p, text)

    async def pick_first(self, p: Person, verb: str) -> str:
        """Times are a numbered list here (after ``/slots ID`` or ``/reschedule ID``)."""
        if self.shown(p, verb):
            return await super().pick_first(p, verb)
        if verb == BOOK and NUMBERED not in self.heard[p.key][-1]:
            offers = self.shown(p, "slots")
            assert offers, f"{p.name} was told no way to pick a time: {self.told(p)}"
            listed = await self.line(p, " ".join(("/slots", *offers[-1])))
            assert NUMBERED in listed, listed
        return await self.line(p, "1")

    async def cancel_session(self, p: Person, session: str, reason: str) -> str:
        """The printed button's command, with the reason typed after it."""
        assert (session,) in self.shown(p, "cancel_session"), self.told(p)
        return await self.line(p, f"/cancel_session {session} {reason}")

    async def submit_request(
        self, p: Person, spec: RequestSpec, *, failing_save: bool = False
    ) -> int:
        await self.line(p, "/request")
        kinds = [t.code for t in self.ctx.catalogue.types]
        if failing_save:
            await self.line(p, str(kinds.index("career-guidance") + 1))
            with failing_writes(self.db, "conversation_state") as refused:
                self.failed_save_told = await self.line(p, spec.title)
            assert refused, "no state write was attempted"
            await self.line(p, "/request")  # resumes the form at its step
        for answer in (
            str(kinds.index("career-guidance") + 1),  # choices are typed as their number
            spec.title,
            spec.description,
            str(ALLOWED_DURATIONS.index(spec.duration) + 1),
            str(list(Urgency).index(Urgency(spec.urgency)) + 1),
            spec.available_from.isoformat(),
            spec.available_until.isoformat(),
            ",".join(str(i + 1) for i, p in enumerate(PERIODS) if p.value in spec.hours),
            spec.tag,
        ):
            out = await self.line(p, answer)
        if "particular mentor" in out:
            out = await self.line(p, "1")  # no preference
        assert "Submit it?" in out, out
        done = await self.line(p, "1")
        found = re.search(r"Request #(\d+) submitted", done)
        assert found, done
        return int(found.group(1))

    async def deliver(self) -> None:
        """What the console does after every line (``/clock`` alone does just that)."""
        self.printed.clear()
        await asyncio.to_thread(self.session.run_due_work)
        out = "\n".join(self.printed)
        self.transcript += ["(due work)", out]
        assert not self._attribute(out), out

    async def set_clock(self, when: datetime) -> None:
        me = self.session.me
        who = next((p for p in EVERYONE if me is not None and self._id(p) == me.id), None)
        if who is None:
            self.clock.set(when)
            await self.deliver()
            return
        told = await self.line(who, f"/clock {when.isoformat()}")
        assert told.startswith("Clock:"), told
