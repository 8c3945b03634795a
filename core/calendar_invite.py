"""The .ics invite both people get when a session is booked or moved."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from core.sessions import MentorshipSession


def session_invite(
    session: MentorshipSession,
    title: str,
    mentor_name: str,
    student_name: str,
    stamp: datetime,
    sequence: int = 0,
    cancelled: bool = False,
) -> bytes:
    """One VEVENT whose UID is stable per session, so calendars update it in place on a
    reschedule (higher SEQUENCE) instead of adding a second event."""
    calendar = Calendar()
    calendar.add("prodid", "-//mentorbot//mentorship sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"session-{session.id}@mentorbot")
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.scheduled_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"Mentorship: {title}")
    event.add(
        "description", f"Mentor: {mentor_name}\nStudent: {student_name}\n{session.meeting_link}"
    )
    event.add("location", vText(session.meeting_link))
    event.add("url", session.meeting_link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress("mailto:noreply@mentorbot.invalid")
    organizer.params["cn"] = vText(mentor_name)
    event.add("organizer", organizer)
    calendar.add_component(event)
    invite: bytes = calendar.to_ical()
    return invite
