"""The console chat the transcript tests talk to, and the answers to a whole request form."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.handlers.console.session import ConsoleSession
from core.clock import MovableClock

# The seed's mentorship_sessions table, column for column and in its order
# (shared/seeds): written out here, not imported from core.export, so that an export whose
# columns drift from the seed fails the tests.
SEED_SESSION_COLUMNS = [
    "session_id",
    "mentor_id",
    "user_id",
    "session_type",
    "status",
    "scheduled_at",
    "completed_at",
    "notes",
    "created_at",
    "is_deleted",
    "session_duration_minutes",
    "session_rating",
    "session_feedback",
    "mentor_notes",
    "updated_at",
]

# The numbered session types as the console lists them (the shipped catalogue's order).
MOCK_INTERVIEW, DOMAIN_COACHING, BEHAVIORAL_PREP, PERSONAL_REFERENCE = "1", "2", "3", "4"
CAREER_GUIDANCE, RESUME_REVIEW, INDUSTRY_INSIGHTS, SKILL_DEVELOPMENT = "5", "6", "7", "8"
INTERVIEW_TYPES = (MOCK_INTERVIEW, DOMAIN_COACHING, BEHAVIORAL_PREP)


class Chat:
    """One console over a test database; ``send`` returns what the terminal printed."""

    def __init__(self, session: ConsoleSession, clock: MovableClock) -> None:
        self.session = session
        self.clock = clock
        self.ctx = session.ctx
        self.transcript: list[str] = []  # the whole conversation, shown when a test fails
        self._printed: list[str] = []

    def out(self, text: str) -> None:
        self._printed.append(text)

    def discard_output(self) -> None:
        self._printed = []

    def send(self, line: str) -> str:
        """Type one line; the replies and the ``to NAME: …`` notifications it caused."""
        self._printed = []
        who = self.session.me.display_name.lower() if self.session.me else ""
        self.session.handle_line(line)
        reply = "\n".join(self._printed)
        self.transcript += [f"{who}> {line}", reply]
        assert "Traceback" not in reply
        assert "something went wrong" not in reply, reply
        return reply

    def sends(self, *lines: str) -> str:
        """Several lines in a row; everything they printed."""
        return "\n".join(self.send(line) for line in lines)

    def submit(self, form: Form) -> str:
        """``/request`` and every answer of ``form``; the output of the final Submit."""
        self.send("/request")
        for answer in form.answers()[:-1]:
            self.send(answer)
        return self.send("1")


@dataclass
class Form:
    """The answers to the request form, as typed (numbers for choices)."""

    kind: str = CAREER_GUIDANCE
    title: str = "Moving from QA to backend"
    description: str = "I test APIs today and want to build them. Where do I start?"
    extras: list[str] = field(default_factory=list)
    duration: str = "2"  # 45 min
    urgency: str = "2"  # normal
    available_from: str = "tomorrow"
    available_until: str = "+5"
    hours: str = ""  # an empty line: the periods ticked, all three by default
    tags: str = "-"
    mentor: str = "1"  # no preference

    def __post_init__(self) -> None:
        if self.kind in INTERVIEW_TYPES and not self.extras:
            self.extras = ["backend", "2 years of Python", "Backend engineer"]
        if self.kind == PERSONAL_REFERENCE and not self.extras:
            self.extras = ["Acme GmbH", "Please confirm I worked with you."]

    def answers(self) -> list[str]:
        return [
            self.kind,
            self.title,
            self.description,
            *self.extras,
            self.duration,
            self.urgency,
            self.available_from,
            self.available_until,
            self.hours,
            self.tags,
            self.mentor,
            "1",  # Submit
        ]


def to(name: str, reply: str) -> list[str]:
    """The notifications for ``name`` in a reply (each with its indented lines)."""
    found: list[str] = []
    for line in reply.splitlines():
        if line.startswith("to "):
            found.append(line)
        elif line.startswith("    ") and found:
            found[-1] += "\n" + line
    return [n for n in found if n.startswith(f"to {name}: ")]
