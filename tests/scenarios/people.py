"""The cast of the scenarios, one person per role, each with an account on every front-end.

The ids are the ones the harnesses already know (the Telegram harness makes user 1001 an
admin, the Slack harness ``UADMIN``); names are single words so that every front-end shows
the same name ("Already claimed by Bob" everywhere). The people live in different time
zones: what each is told is in their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.fake_telegram import User


@dataclass(frozen=True)
class Person:
    key: str  # the console handle
    name: str
    zone: str
    telegram_id: int
    slack_id: str

    @property
    def telegram(self) -> User:
        return User(self.telegram_id, self.name)


ADA = Person("ada", "Ada", "UTC", 1001, "UADMIN")  # the admin
ALICE = Person("alice", "Alice", "America/Los_Angeles", 2001, "UALICE")  # the student
ERIN = Person("erin", "Erin", "Asia/Kolkata", 2002, "UERIN")  # another student
BOB = Person("bob", "Bob", "Europe/Berlin", 3001, "UBOB")  # the mentor who claims
CAROL = Person("carol", "Carol", "America/New_York", 3002, "UCAROL")  # another mentor
DAVE = Person("dave", "Dave", "Asia/Tokyo", 3003, "UDAVE")  # applied, not approved
MALLORY = Person("mallory", "Mallory", "UTC", 9001, "UMALLORY")  # never talked to the bot
# The owners of the matrix's forged targets: nobody in the roles above.
FAY = Person("fay", "Fay", "Europe/Paris", 2004, "UFAY")  # a student
GUS = Person("gus", "Gus", "Australia/Sydney", 3004, "UGUS")  # a mentor

EVERYONE = (ADA, ALICE, ERIN, BOB, CAROL, DAVE, MALLORY, FAY, GUS)
