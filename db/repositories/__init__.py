"""SQLAlchemy implementations of the ports in :mod:`core.ports`.

Rows become domain objects here and nowhere else. Reads use ``populate_existing`` because
status changes are conditional bulk UPDATEs that bypass the session's identity map: a
re-read after a lost race must see what the winner wrote, not a cached copy.
"""

from db.repositories.events import SqlEventRepository
from db.repositories.members import SqlMemberRepository
from db.repositories.mentors import SqlMentorRepository
from db.repositories.notifications import SqlNotificationRepository
from db.repositories.outbox import SqlOutboxRepository
from db.repositories.requests import SqlRequestRepository
from db.repositories.sessions import SqlSessionRepository

__all__ = [
    "SqlEventRepository",
    "SqlMemberRepository",
    "SqlMentorRepository",
    "SqlNotificationRepository",
    "SqlOutboxRepository",
    "SqlRequestRepository",
    "SqlSessionRepository",
]
