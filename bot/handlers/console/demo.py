"""The demo cast: an admin, a student and three mentors in different time zones."""

from __future__ import annotations

from datetime import time

from core.members import Identity, Platform
from core.services.admin import grant_admin
from core.services.context import ServiceContext
from core.services.members import find_member, register_member
from core.services.mentors import add_availability, apply_as_mentor, decide_mentor

MENTORS = (
    ("bob", "Bob", "Europe/Berlin", "Backend engineering", 8, ["python", "system-design"]),
    ("carol", "Carol", "America/New_York", "Data science", 6, ["data-science", "interviews"]),
    ("dave", "Dave", "Asia/Tokyo", "Frontend", 4, ["javascript", "frontend"]),
)
CAST = (
    "Demo people: admin (an admin), alice (a student in America/Los_Angeles), and mentors "
    "bob (Europe/Berlin), carol (America/New_York), dave (Asia/Tokyo). "
    "Switch with /as NAME; move time with /clock +1d."
)


def seed_demo(ctx: ServiceContext) -> bool:
    """Create the cast unless it exists; True if anything was created."""
    if find_member(ctx, Identity(Platform.CONSOLE, "admin")) is not None:
        return False
    admin, _ = register_member(ctx, Identity(Platform.CONSOLE, "admin"), "Admin")
    # promoted in the product, so a start with a different MENTORBOT_ADMINS keeps them
    admin = grant_admin(ctx, None, admin.id)
    register_member(ctx, Identity(Platform.CONSOLE, "alice"), "Alice", "America/Los_Angeles")
    for handle, name, zone, domain, years, tags in MENTORS:
        mentor, _ = register_member(ctx, Identity(Platform.CONSOLE, handle), name, zone)
        apply_as_mentor(
            ctx,
            mentor.id,
            domain=domain,
            years_experience=years,
            bio=f"{name} mentors in {domain.lower()}.",
            expertise_tags=tags,
        )
        decide_mentor(ctx, admin.id, mentor.id, approve=True)
        for weekday in range(5):
            add_availability(ctx, mentor.id, weekday, time(9, 0), time(12, 0))
            add_availability(ctx, mentor.id, weekday, time(17, 0), time(20, 0))
    return True
