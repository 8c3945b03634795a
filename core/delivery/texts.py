"""What each notification says, in one place, for every front-end.

Texts are plain (no markup): each sender escapes them for its platform. Times are shown
in the recipient's own zone; a feed (no single recipient) shows UTC and lets each
mentor's own buttons show their zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.calendar_invite import session_invite
from core.catalogue import Catalogue
from core.delivery.feed_health import feed_problem_text
from core.delivery.messages import Action, ActionName, Attachment, Message
from core.delivery.poison_text import broken_notice
from core.hints import Hint
from core.hours import describe_hours
from core.lifecycle import SessionStatus
from core.members import Member
from core.notifications import Kind, Notification
from core.requests import MentorshipRequest
from core.sessions import MentorshipSession, Outcome, no_show_party_id, outcomes_for
from core.timefmt import local_time


@dataclass
class Facts:
    """Everything a text may mention, loaded fresh at delivery time."""

    notification: Notification
    recipient: Member | None
    catalogue: Catalogue
    request: MentorshipRequest | None = None
    session: MentorshipSession | None = None
    names: dict[int, str] = field(default_factory=dict)
    now: datetime | None = None  # when it is rendered: "starts in …" counts from here

    @property
    def zone(self) -> str:
        return self.recipient.timezone if self.recipient else "UTC"

    def name(self, member_id: int | None) -> str:
        return self.names.get(member_id, "someone") if member_id is not None else "nobody"

    def label(self) -> str:
        assert self.request is not None
        found = self.catalogue.get(self.request.session_type)
        return found.label if found else self.request.session_type

    def when(self) -> str:
        assert self.session is not None
        return local_time(self.session.scheduled_at, self.zone)


def _r(f: Facts) -> MentorshipRequest:
    assert f.request is not None
    return f.request


def _s(f: Facts) -> MentorshipSession:
    assert f.session is not None
    return f.session


def request_card(f: Facts) -> str:
    r = _r(f)
    tags = f" Tags: {', '.join(r.tags)}." if r.tags else ""
    extras = "".join(f"\n{k.replace('_', ' ').capitalize()}: {v}" for k, v in r.extra.items())
    return (
        f"#{r.id} {f.label()} ({r.duration_minutes} min, {r.urgency.value} urgency)\n"
        f"{r.title}\n{r.description}{extras}\n"
        f"Student: {f.name(r.student_id)}. Available {r.available_from} to "
        f"{r.available_until}.{tags}\n"
        f"Hours, in the student's own time: {describe_hours(r.student_hours)}."
    )


def _posted(f: Facts) -> Message:
    """New when it is; a request posted again (re-announced, released, opened to every
    mentor after its chosen mentor's time) says how long it has been waiting."""
    r = _r(f)
    claim = Action("Claim", ActionName.CLAIM, (str(r.id),))
    waited = f.notification.due_at - r.created_at
    again = f.notification.kind == Kind.REQUEST_REANNOUNCED or waited >= timedelta(hours=1)
    head = "New mentorship request"
    if again:
        head = f"Still looking for a mentor (posted {_ago(waited)})"
    return Message(f"{head}\n{request_card(f)}", (claim,))


def _ago(waited: timedelta) -> str:
    days, hours = waited.days, int(waited.total_seconds() // 3600)
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} ago"
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return "just now"


def _card_update(f: Facts) -> Message:
    r = _r(f)
    state = {
        "OPEN": "open",
        "CLAIMED": f"claimed by {f.name(r.claimed_by)}",
        "SCHEDULED": f"scheduled with {f.name(r.claimed_by)}",
        "COMPLETED": "completed",
        "NO_SHOW": "closed (no-show)",
        "EXPIRED": "expired",
        "CANCELLED": "cancelled",
    }[r.status.value]
    if r.is_deleted:
        state = "withdrawn"  # hidden from every list: nothing to claim
    actions = (Action("Claim", ActionName.CLAIM, (str(r.id),)),) if state == "open" else ()
    return Message(f"{request_card(f)}\nStatus: {state}", actions)


def _claimed(f: Facts) -> Message:
    r = _r(f)
    return Message(
        f'Good news: {f.name(r.claimed_by)} will mentor you on "{r.title}". '
        "They will pick a time from your availability shortly."
    )


def _assigned(f: Facts) -> Message:
    r = _r(f)
    return Message(
        f'An admin assigned you request #{r.id}: "{r.title}". Please pick a time.',
        (Action("Pick a time", ActionName.PICK_SLOT, (str(r.id),)),),
    )


def _for_you(f: Facts) -> Message:
    r = _r(f)
    rid = (str(r.id),)
    only = ""
    if r.reserved and r.exclusive_until is not None:
        until = local_time(r.exclusive_until, f.zone)
        only = f"\nOnly you can claim it until {until}. If you cannot take it, decline it."
    return Message(
        f"{f.name(r.student_id)} asked for you as their mentor.{only}\n{request_card(f)}",
        (Action("Claim", ActionName.CLAIM, rid), Action("Decline", ActionName.DECLINE, rid)),
    )


def _opened(f: Facts) -> Message:
    r = _r(f)
    return Message(
        f'{f.name(r.preferred_mentor_id)} has not taken "{r.title}" in time, so as you '
        "agreed it is now open to every mentor."
    )


def _declined(f: Facts) -> Message:
    r, p = _r(f), f.notification.payload
    by = p.get("by")
    who = f.name(by) if isinstance(by, int) else "Your chosen mentor"
    reason = f" Reason: {p['reason']}." if p.get("reason") else ""
    if p.get("opened"):
        return Message(
            f'{who} cannot take "{r.title}".{reason} As you agreed, it is now open to every mentor.'
        )
    return Message(
        f'{who} cannot take "{r.title}".{reason} You asked for no other mentor, so it is '
        "closed and no longer counts towards your limits. Post it again with one tap:",
        (Action("Post it again", ActionName.REPOST, (str(r.id),)),),
    )


def _matched(f: Facts) -> Message:
    """The feed's card, by DM, saying why this mentor gets it; its Claim button is the
    feed card's (same action, same checks, same 'already claimed' for a second press)."""
    r = _r(f)
    tags = [str(t) for t in f.notification.payload.get("tags") or ()]
    why = f" (your tags: {', '.join(tags)})" if tags else ""
    return Message(
        f"New mentorship request matching your expertise{why}\n{request_card(f)}",
        (Action("Claim", ActionName.CLAIM, (str(r.id),)),),
    )


def _released(f: Facts) -> Message:
    """The student hears who gave the request back and why (when they said)."""
    p = f.notification.payload
    by, title = p.get("by"), _r(f).title
    reason = f" Reason: {p['reason']}." if p.get("reason") else ""
    if not isinstance(by, int):  # told before who and why were kept
        return Message(
            f'Your mentor had to step back from "{title}". It is back in the queue and '
            "other mentors have been told."
        )
    return Message(
        f'{f.name(by)} released "{title}" back to the queue.{reason} Other mentors have been told.'
    )


def _cancelled(f: Facts) -> Message:
    r = _r(f)
    by = f.notification.payload.get("by")
    who = f.name(by) if isinstance(by, int) else "someone"
    reason = f" Reason: {r.cancel_reason}." if r.cancel_reason else ""
    actions: tuple[Action, ...] = ()
    if f.recipient is not None and f.recipient.id == r.student_id:
        actions = (Action("Post it again", ActionName.REPOST, (str(r.id),)),)
    text = f'Request #{r.id} "{r.title}" was cancelled by {who}.{reason}'
    return Message(text, actions, _cancelled_invite(f))


def _session_cancelled(f: Facts) -> Message:
    """To whoever cancelled a booked session: the calendar file that removes it."""
    return Message(
        f'You cancelled "{_r(f).title}" on {f.when()}. The attached file removes it from '
        "your calendar.",
        (),
        _cancelled_invite(f),
    )


def _cancelled_invite(f: Facts) -> tuple[Attachment, ...]:
    """METHOD:CANCEL for a cancelled session's invite: same UID, a higher SEQUENCE."""
    s = f.session
    if s is None or s.status != SessionStatus.CANCELLED or f.request is None:
        return ()
    return (_invite(f, s, cancelled=True),)


def _invite(f: Facts, s: MentorshipSession, cancelled: bool = False) -> Attachment:
    """The session's .ics; SEQUENCE comes from the notification (set from the session's
    recorded events when the change was made: see core.services.common.invite_sequence)."""
    sequence = int(f.notification.payload.get("sequence") or 0)
    invite = session_invite(
        s,
        _r(f).title,
        f.name(s.mentor_id),
        f.name(s.student_id),
        f.notification.due_at,
        sequence=sequence,
        cancelled=cancelled,
    )
    return Attachment(f"mentorship-{s.id}.ics", invite, "text/calendar")


def _expired(f: Facts) -> Message:
    r = _r(f)
    why = f.notification.payload.get("why")
    repost = (Action("Post it again", ActionName.REPOST, (str(r.id),)),)
    if why == "dates_passed":
        return Message(
            f'The days you gave for "{r.title}" ({r.available_from} to {r.available_until}) '
            "have passed, so it has expired. It no longer counts towards your limits. Post "
            "it again with new dates:",
            repost,
        )
    if why == "chosen_mentor_time":
        return Message(
            f'{f.name(r.preferred_mentor_id)} has not taken "{r.title}" in time, and you '
            "asked for no other mentor, so it is closed. It no longer counts towards your "
            "limits. Post it again with one tap:",
            repost,
        )
    return Message(
        f'Nobody could take "{r.title}" within its time, so it has expired. It no longer '
        "counts towards your limits. Post it again with one tap:",
        repost,
    )


def _expiry_warning(f: Facts) -> Message:
    r = _r(f)
    rid = (str(r.id),)
    shown = (str(r.id), str(int(r.expires_at.timestamp())))  # Extend works once per warning
    return Message(
        f'"{r.title}" has not been claimed yet and expires on {local_time(r.expires_at, f.zone)}.',
        (
            Action("Extend 7 days", ActionName.EXTEND_ONCE, shown),
            Action("Edit", ActionName.EDIT, rid),
            Action("Cancel it", ActionName.CANCEL_REQUEST, rid),
        ),
    )


def _session_actions(s: MentorshipSession) -> tuple[Action, ...]:
    sid = (str(s.id),)
    return (
        Action("Join", ActionName.JOIN, sid, url=s.meeting_link or None),
        Action("Reschedule", ActionName.RESCHEDULE, sid),
        Action("Cancel", ActionName.CANCEL_SESSION, sid),
    )


def _with_invite(f: Facts, text: str) -> Message:
    s = _s(f)
    return Message(text, _session_actions(s), (_invite(f, s),))


def _scheduled(f: Facts) -> Message:
    s = _s(f)
    other = s.student_id if f.recipient and f.recipient.id == s.mentor_id else s.mentor_id
    return _with_invite(
        f,
        f'Booked: "{_r(f).title}" with {f.name(other)} on {f.when()}, '
        f"{s.duration_minutes} min.\nMeeting link: {s.meeting_link}",
    )


def _rescheduled(f: Facts) -> Message:
    """Who moved it and why (the reason asked for when they pressed Reschedule)."""
    p = f.notification.payload
    by = p.get("by")
    mover = f.recipient is not None and by == f.recipient.id
    head = "Moved by you" if mover else f"Moved by {f.name(by)}" if isinstance(by, int) else "Moved"
    reason = f"\nReason: {p['reason']}" if p.get("reason") else ""
    return _with_invite(
        f,
        f'{head}: "{_r(f).title}" is now on {f.when()}.{reason}\n'
        f"Meeting link: {_s(f).meeting_link}",
    )


def time_left(minutes: int) -> str:
    """'24 hours', '2 hours' (to the nearest hour from two hours on), '1 hour', '90 minutes'."""
    if minutes >= 120:
        return f"{(minutes + 30) // 60} hours"
    if minutes == 60:
        return "1 hour"
    return "1 minute" if minutes == 1 else f"{max(minutes, 0)} minutes"


def _reminder(f: Facts) -> Message:
    """The time really left when it is sent: a 24-hour reminder that goes out late (a
    worker was down) says "in 2 hours" when that is the truth."""
    s = _s(f)
    minutes = int(f.notification.payload.get("offset_minutes", 60))
    if f.now is not None:
        minutes = round((s.scheduled_at - f.now).total_seconds() / 60)
    ahead = time_left(minutes)
    return Message(
        f'Reminder: "{_r(f).title}" starts in {ahead}, on {f.when()}.\n{s.meeting_link}',
        _session_actions(s)[:1],
    )


OUTCOME_LABELS = {
    Outcome.COMPLETED: "Yes, it happened",
    Outcome.MENTOR_NO_SHOW: "The mentor didn't come",
    Outcome.STUDENT_NO_SHOW: "The student didn't come",
}


def _outcome_prompt(f: Facts) -> Message:
    """Each side sees only the answers it may give (never "the student didn't come" for
    the student): the buttons follow the same rule the service enforces."""
    session = _s(f)
    sid = str(session.id)
    allowed = outcomes_for(session, f.recipient.id if f.recipient else None)
    buttons = tuple(Action(OUTCOME_LABELS[o], ActionName.OUTCOME, (sid, o.value)) for o in allowed)
    return Message(
        f'Did your session "{_r(f).title}" on {f.when()} happen?',
        (*buttons, Action("We rescheduled", ActionName.RESCHEDULE, (sid,))),
    )


def _rating_prompt(f: Facts) -> Message:
    sid = str(_s(f).id)
    stars = tuple(Action(str(n), ActionName.RATE, (sid, str(n))) for n in range(1, 6))
    again = " (a gentle reminder)" if f.notification.kind == Kind.RATING_REMINDER else ""
    return Message(f'How was "{_r(f).title}" with {f.name(_s(f).mentor_id)}?{again}', stars)


def _notes_prompt(f: Facts) -> Message:
    return Message(
        f'Thanks for mentoring "{_r(f).title}". Add the real duration and private notes '
        "(only mentors and admins see them).",
        (Action("Add notes", ActionName.NOTES, (str(_s(f).id),)),),
    )


def _no_show(f: Facts) -> Message:
    """Both sides are told; the one reported absent may answer "It did happen" (48 h)."""
    s = _s(f)
    who = f.notification.payload.get("no_show_by", "someone")
    text = f'Recorded: the {who} did not come to "{_r(f).title}" on {f.when()}.'
    if f.recipient is None or f.recipient.id != no_show_party_id(s):
        return Message(text)
    return Message(
        f"{text}\nIf it did happen, say so within 48 hours and an admin will settle it.",
        (Action("It did happen", ActionName.DISPUTE, (str(s.id),)),),
    )


def _disputed(f: Facts) -> Message:
    s = _s(f)
    absent = s.mentor_id if s.no_show_by == "mentor" else s.student_id
    text = (
        f'{f.name(absent)} says the session "{_r(f).title}" on {f.when()} did happen, '
        "although it was reported as a no-show."
    )
    if f.recipient is not None and f.recipient.id in (s.mentor_id, s.student_id):
        return Message(f"{text} An admin will settle it.")
    sid = str(s.id)
    return Message(
        f"{text} Session {sid}: settle it.",
        (
            Action("It happened", ActionName.SETTLE, (sid, "completed")),
            Action("It was a no-show", ActionName.SETTLE, (sid, "no_show")),
        ),
    )


def _settled(f: Facts) -> Message:
    happened = f.notification.payload.get("settled_as") == "completed"
    said = "it did happen (completed)" if happened else "it was a no-show"
    return Message(f'An admin settled "{_r(f).title}" on {f.when()}: {said}.')


def _nudge(f: Facts) -> Message:
    r = _r(f)
    return Message(
        f'You claimed "{r.title}" but have not picked a time yet. Pick one, or release it '
        "so another mentor can help.",
        (
            Action("Pick a time", ActionName.PICK_SLOT, (str(r.id),)),
            Action("Release", ActionName.RELEASE, (str(r.id),)),
        ),
    )


def _mentor_applied(f: Facts) -> Message:
    mentor_id = int(f.notification.payload.get("mentor_id", 0))
    args = (str(mentor_id),)
    return Message(
        f"{f.name(mentor_id)} applied to be a mentor.",
        (
            Action("Approve", ActionName.APPROVE_MENTOR, args),
            Action("Reject", ActionName.REJECT_MENTOR, args),
        ),
    )


def _fixed(text: str, hint: Hint | None = None) -> Callable[[Facts], Message]:
    return lambda f: Message(text, hint=hint)


def _dead_letter(f: Facts) -> Message:
    p = f.notification.payload
    return Message(
        f"A message could not be delivered after {p.get('attempts')} attempts: "
        f"{p.get('failed_kind')} to {p.get('recipient')} ({p.get('error')})."
    )


RENDERERS: dict[Kind, Callable[[Facts], Message]] = {
    Kind.REQUEST_POSTED: _posted,
    Kind.REQUEST_REANNOUNCED: _posted,
    Kind.CARD_UPDATE: _card_update,
    Kind.REQUEST_FOR_YOU: _for_you,
    Kind.REQUEST_MATCHED: _matched,
    Kind.REQUEST_CLAIMED: _claimed,
    Kind.REQUEST_ASSIGNED: _assigned,
    Kind.REQUEST_RELEASED: _released,
    Kind.REQUEST_CANCELLED: _cancelled,
    Kind.REQUEST_EXPIRED: _expired,
    Kind.REQUEST_OPENED: _opened,
    Kind.REQUEST_DECLINED: _declined,
    Kind.EXPIRY_WARNING: _expiry_warning,
    Kind.SESSION_SCHEDULED: _scheduled,
    Kind.SESSION_RESCHEDULED: _rescheduled,
    Kind.SESSION_CANCELLED: _session_cancelled,
    Kind.REMINDER: _reminder,
    Kind.OUTCOME_PROMPT: _outcome_prompt,
    Kind.RATING_PROMPT: _rating_prompt,
    Kind.RATING_REMINDER: _rating_prompt,
    Kind.MENTOR_NOTES_PROMPT: _notes_prompt,
    Kind.NO_SHOW_RECORDED: _no_show,
    Kind.OUTCOME_DISPUTED: _disputed,
    Kind.DISPUTE_SETTLED: _settled,
    Kind.MENTOR_NUDGE: _nudge,
    Kind.MENTOR_APPLIED: _mentor_applied,
    Kind.MENTOR_APPROVED: _fixed("You are approved as a mentor. Welcome!", Hint.QUEUE),
    Kind.MENTOR_REJECTED: _fixed("Your mentor application was not approved this time."),
    Kind.DELIVERY_FAILED: _dead_letter,
    Kind.DELIVERY_BROKEN: broken_notice,
    Kind.FEED_PROBLEM: feed_problem_text,
}


def render(facts: Facts) -> Message:
    return RENDERERS[facts.notification.kind](facts)
