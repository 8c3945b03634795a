"""The console chat: one terminal, several people, a clock you can move.

Lines starting with ``/`` are commands; other lines answer the pending question (a form
step, a number from a menu). Most commands press an action of the shared vocabulary
(``presses``); the console's own are registered with :func:`command`. After every line
the due work runs, so notifications show up at once as ``to NAME: …`` lines, for whoever
they are meant.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.dispatcher import press
from bot.conversation.replies import Answer
from bot.conversation.turn import Turn
from bot.handlers.console.phrases import PHRASES
from bot.handlers.console.sender import ConsoleSender
from bot.logging_setup import command_word, content_allowed
from bot.read_cache import ReadCache
from bot.worker import build_engine, tick
from core.clock import MovableClock
from core.delivery.ports import Address
from core.errors import DomainError, ValidationFailed
from core.hints import with_hint
from core.members import Identity, Member, Platform
from core.notifications import Audience
from core.services.admin_settings import is_listed
from core.services.context import ServiceContext
from core.services.members import find_or_register, get_member
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)

Handler = Callable[["ConsoleSession", list[str], str], None]
COMMANDS: dict[str, Handler] = {}
MENTORS_FEED = Address(Platform.CONSOLE, "mentors", is_group=True)
# Commands that leave the question waiting for its answer: the form's own, and the
# console's (switching person or moving the clock; each person's question waits for them).
KEEP_PENDING = frozenset({"back", "cancel", "skip", "as", "clock", "whoami", "help"})


def form_key(member_id: int) -> str:
    return f"console:form:{member_id}"


def command(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = handler
        return handler

    return register


@dataclass
class Pending:
    """A question waiting for a plain-text answer: ``handle`` gets the line."""

    handle: Callable[[str], None]
    data: dict[str, Any] = field(default_factory=dict)
    accepts_blank: bool = False  # a blank line is an answer too (an empty title gets an error)
    # Told when a command comes instead of an answer (with the command's name); the
    # request form keeps itself as a draft then. Without it the question simply lapses.
    interrupted: Callable[[str], None] | None = None


class ConsoleSession:
    """One terminal: who is typing now, their pending questions, the due work."""

    def __init__(
        self,
        ctx: ServiceContext,
        clock: MovableClock,
        out: Callable[[str], None],
        admins: frozenset[str] = frozenset(),
        store: FrontEndStore | None = None,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.out = out
        self.admins = admins
        self.store = store  # where a half-filled form waits across restarts
        self.me: Member | None = None
        self.pending: dict[int, Pending] = {}
        self.reads = ReadCache()
        self.engine = build_engine(
            ctx, [ConsoleSender(out)], {Audience.MENTORS: [MENTORS_FEED]}, batch_size=500
        )
        self.loop = asyncio.new_event_loop()
        # The commands import this module, so they are registered from here, once.
        from bot.handlers.console import commands  # noqa: F401

    # ------------------------------------------------------------------ identity

    def act_as(self, name: str) -> Member:
        handle = name.strip().lower()
        if not handle or not handle.replace("_", "").replace("-", "").isalnum():
            raise ValidationFailed({"name": "Use a simple name like alice or bob."})
        identity = Identity(Platform.CONSOLE, handle)
        member, created = find_or_register(
            self.ctx, identity, handle.capitalize(), admin=is_listed(identity, self.admins)
        )
        if created:
            self.say(f"Hello {member.display_name}, you are new here (time zone UTC: /timezone).")
        self.me = member
        return member

    def drop_pending(self, member_id: int) -> Pending | None:
        """Forget the question waiting for this person (and a stored form with it)."""
        dropped = self.pending.pop(member_id, None)
        if dropped is not None and "form" in dropped.data and self.store is not None:
            self.store.delete(form_key(member_id))
        return dropped

    def require_me(self) -> Member:
        if self.me is None:
            raise ValidationFailed({"person": "First say who you are: /as alice"})
        return self.me

    def refresh_me(self) -> Member:
        self.me = get_member(self.ctx, self.require_me().id)
        return self.me

    def press(self, name: str, words: list[str], typed_as: str | None = None) -> Answer:
        """The shared action ``name`` for whoever is typing (``bot.conversation``)."""
        turn = Turn(self.require_me(), self.ctx, self.reads)
        answer = self.loop.run_until_complete(press(turn, name, words, typed_as))
        self.refresh_me()  # a new time zone shows at once (the clock, the next list)
        return answer

    # ------------------------------------------------------------------ lines

    def say(self, text: str) -> None:
        self.out(text)

    def ask(self, pending: Pending) -> None:
        self.pending[self.require_me().id] = pending

    def handle_line(self, line: str) -> None:
        text = line.rstrip("\n")
        if not text.strip():
            pending = self.pending.get(self.me.id) if self.me else None
            if pending is None or not pending.accepts_blank:
                return
        try:
            self._dispatch(text)
        except DomainError as exc:
            self.say(with_hint(exc.user_message, exc.hint, PHRASES))
        except Exception as exc:
            # the command's name and the error's class, never what was typed (the
            # traceback may quote it: only at DEBUG with MENTORBOT_LOG_CONTENT=true)
            logger.error("console command %s failed: %s", command_word(text), type(exc).__name__)
            if content_allowed():
                logger.debug("console command failed", exc_info=exc)
            self.say(
                "Sorry, something went wrong on our side. /my shows whether your last "
                "action went through; if not, please try again."
            )
        self.run_due_work()

    def _dispatch(self, text: str) -> None:
        stripped = text.strip()
        if stripped.startswith("/"):
            name, _, rest = stripped[1:].partition(" ")
            name = name.split("@")[0].lower()
            handler = COMMANDS.get(name)
            if handler is None:
                self.say(f"I do not know /{name}. /help lists the commands.")
                return
            args = rest.split()
            if name not in KEEP_PENDING and self.me is not None:
                waiting = self.pending.pop(self.me.id, None)
                if waiting is not None and waiting.interrupted is not None:
                    waiting.interrupted(name)
            handler(self, args, rest.strip())
            return
        pending = self.pending.get(self.me.id) if self.me else None
        if pending is None:
            self.say("I did not understand that. /help lists the commands.")
            return
        pending.handle(text)

    def run_due_work(self) -> None:
        try:
            self.loop.run_until_complete(tick(self.ctx, self.engine))
        except DomainError as exc:
            self.say(exc.user_message)
        except Exception:
            logger.exception("due work failed")
            self.say("Sorry, some messages could not be sent; they will be retried.")

    def close(self) -> None:
        self.loop.close()
