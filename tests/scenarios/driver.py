"""One driver per front-end, each with the verbs a person uses.

A scenario is written once against :class:`Driver`; each front-end's driver does the
verbs through its real stack (Telegram: updates to the real application over HTTP;
Slack: signed requests to the real Bolt app; the console: typed lines). A button is only
pressed if it was shown to that person (``press_shown``), so the scenario also checks
that each front-end offers it; ``press`` sends any action, as a modified client could.

After every act the due work runs (``deliver``), as the console always does, so each
front-end sends the same notifications at the same moments. ``heard`` is everything each
person was told, in order (replies, toasts and ephemeral notes, notifications).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine

from core.clock import MovableClock
from core.members import Member
from core.services.context import ServiceContext
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor
from tests.scenarios.people import ADA, Person
from tests.support.domain_outcome import domain_outcome
from tests.support.snapshot import domain_snapshot, scalar

BOOK, MOVE = "book", "move"


@dataclass(frozen=True)
class RequestSpec:
    """A request as a student fills in the form, in neutral terms."""

    title: str = "Moving from QA to backend"
    description: str = "I test APIs all day; how do I start writing them?"
    duration: int = 45
    urgency: str = "normal"
    available_from: date = date(2026, 3, 3)
    available_until: date = date(2026, 3, 6)
    tag: str = "python"
    # the periods of the day that suit the student (the form's default: all three)
    hours: tuple[str, ...] = ("mornings", "afternoons", "evenings")


class Driver(ABC):
    name: str
    clock: MovableClock
    ctx: ServiceContext
    db: Engine

    def __init__(self) -> None:
        self.heard: dict[str, list[str]] = defaultdict(list)
        self.feed: list[str] = []  # what the mentors' group / channel / feed showed
        self.in_feed: set[str] = set()  # who reads the mentors' feed
        self.failed_save_told = ""  # what the person was told when saving their form failed

    # ------------------------------------------------------------------ per front-end

    @abstractmethod
    async def stop(self) -> None:
        """Shut the front-end down; its fake platform must have refused nothing."""

    @abstractmethod
    async def type(self, p: Person, text: str) -> str:
        """A typed line (a command) from ``p``; what ``p`` was told for it."""

    @abstractmethod
    async def register(self, p: Person) -> None:
        """First contact, and the person's time zone set the front-end's way."""

    @abstractmethod
    async def submit_request(
        self, p: Person, spec: RequestSpec, *, failing_save: bool = False
    ) -> int:
        """The request form, filled and submitted; the new request's id.

        With ``failing_save``, the database refuses to store once while the form is
        filled in: a step-by-step form's answer to the title, or a modal's submission
        (``failed_save_told`` keeps what the person was told); the person then does it
        again, as they were asked, and goes on."""

    @abstractmethod
    async def _press(self, p: Person, name: str, args: tuple[str, ...]) -> str:
        """Press the action (shown or not); what ``p`` was told for it."""

    @abstractmethod
    def shown(self, p: Person, name: str) -> list[tuple[str, ...]]:
        """The arguments of every button ``name`` shown to ``p`` so far, oldest first."""

    @abstractmethod
    async def _answer(self, p: Person, text: str) -> str:
        """Answer what the bot asked ``p`` for (feedback, a reason): a message, a modal."""

    @abstractmethod
    async def deliver(self) -> None:
        """Run the due work once: sweeps, then every notification that is due."""

    @abstractmethod
    def member(self, p: Person) -> Member: ...

    async def set_clock(self, when: datetime) -> None:
        self.clock.set(when)
        await self.deliver()

    async def pick_first(self, p: Person, verb: str) -> str:
        """The first time of the newest offer (``book`` a claimed request, ``move`` a
        session); a front-end that offers times differently overrides this."""
        offers = self.shown(p, verb)
        assert offers, f"{p.name} was shown no {verb} buttons on {self.name}: {self.told(p)}"
        newest_ref = offers[-1][0]
        first = next(args for args in offers if args[0] == newest_ref)
        return await self.press_shown(p, verb, first)

    async def cancel_session(self, p: Person, session: str, reason: str) -> str:
        """The Cancel button of the booking; the reason is asked for next (a message, a
        modal). A front-end that takes it with the press (the console's typed command)
        overrides this."""
        said = await self.press_shown(p, "cancel_session", (session,))
        status = self.scalar("SELECT status FROM mentorship_sessions WHERE id = :i", i=int(session))
        if status == "SCHEDULED":  # not yet: it asked for the reason
            said += "\n" + await self.answer(p, reason)
        return said

    async def apply_to_mentor(self, p: Person, answers: tuple[str, ...]) -> str:
        """The mentor application, its questions answered in turn (domain, years, bio,
        tags); a front-end with a modal overrides this."""
        said = await self.type(p, "/become_mentor")
        for answer in answers:
            said = await self.answer(p, answer)
        return said

    async def add_window(self, p: Person, day: str, start: str, end: str) -> str:
        """One weekly availability window, in ``p``'s own zone."""
        return await self.type(p, f"/availability add {day[:3]} {start}-{end}")

    # ------------------------------------------------------------------ shared verbs

    async def press(self, p: Person, name: str, *args: object) -> str:
        said = await self._press(p, name, tuple(str(a) for a in args))
        await self.deliver()
        return said

    async def press_shown(self, p: Person, name: str, args: tuple[str, ...]) -> str:
        assert args in self.shown(p, name), (
            f"{p.name} was not shown {name} {args} on {self.name}: {self.shown(p, name)}"
        )
        return await self.press(p, name, *args)

    async def answer(self, p: Person, text: str) -> str:
        said = await self._answer(p, text)
        await self.deliver()
        return said

    def told(self, p: Person) -> str:
        return "\n".join(self.heard[p.key])

    def mark(self, p: Person) -> int:
        return len(self.heard[p.key])

    def since(self, p: Person, mark: int) -> str:
        return "\n".join(self.heard[p.key][mark:])

    async def make_mentor(self, p: Person, tags: list[str], *, approve: bool = True) -> int:
        """Registered the front-end's way; the profile through the services (the
        application itself has its own scenario), free 08:00-20:00 every day."""
        await self.register(p)
        member = self.member(p)
        apply_as_mentor(
            self.ctx,
            member.id,
            domain="Backend",
            years_experience=7,
            bio=f"{p.name} mentors.",
            expertise_tags=tags,
        )
        if approve:
            decide_mentor(self.ctx, self.member(ADA).id, member.id, approve=True)
            for weekday in range(7):
                add_availability(self.ctx, member.id, weekday, time(8, 0), time(20, 0))
            self.in_feed.add(p.key)
        await self.deliver()
        return member.id

    def outcome(self) -> dict[str, object]:
        return domain_outcome(self.db)

    def snapshot(self) -> dict[str, list[object]]:
        return domain_snapshot(self.db, "id, is_admin, timezone")

    def scalar(self, query: str, **params: object) -> object:
        return scalar(self.db, query, **params)
