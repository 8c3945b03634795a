"""What each notification says, in one place, for every front-end.

Texts are plain (no markup): each sender escapes them for its platform. Times are shown
in the recipient's own zone; a feed (no single recipient) shows UTC and lets each
mentor's own buttons show their zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.calendar_invite import session_invite
from core.catalogue import Catalogue
from core.delivery.messages import Action, ActionName, Attachment, Message
from core.hints import Hint
from core.members import Member
from core.notifications import Kind, Notification
from core.requests import MentorshipRequest
from core.sessions import MentorshipSession, Outcome, outcomes_for
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
        f"{r.available_until}.{tags}"
    )


def _posted(f: Facts) -> Message:
    r = _r(f)
    claim = Action("Claim", ActionName.CLAIM, (str(r.id),))
    return Message(f"New mentorship request\n{request_card(f)}", (claim,))


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
    return Message(
        f"{f.name(r.student_id)} asked for you as their mentor.\n{request_card(f)}",
        (Action("Claim", ActionName.CLAIM, (str(r.id),)),),
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
    return Message(
        f'Your mentor had to step back from "{_r(f).title}". It is back in the queue and '
        "other mentors have been told."
    )


def _cancelled(f: Facts) -> Message:
    r = _r(f)
    by = f.notification.payload.get("by")
    who = f.name(by) if isinstance(by, int) else "someone"
    reason = f" Reason: {r.cancel_reason}." if r.cancel_reason else ""
    actions: tuple[Action, ...] = ()
    if f.recipient is not None and f.recipient.id == r.student_id:
        actions = (Action("Post it again", ActionName.REPOST, (str(r.id),)),)
    return Message(f'Request #{r.id} "{r.title}" was cancelled by {who}.{reason}', actions)


def _expired(f: Facts) -> Message:
    r = _r(f)
    return Message(
        f'Nobody could take "{r.title}" within its time, so it has expired. It no longer '
        "counts towards your limits. Post it again with one tap:",
        (Action("Post it again", ActionName.REPOST, (str(r.id),)),),
    )


def _expiry_warning(f: Facts) -> Message:
    r = _r(f)
    rid = (str(r.id),)
    return Message(
        f'"{r.title}" has not been claimed yet and expires on {local_time(r.expires_at, f.zone)}.',
        (
            Action("Extend 7 days", ActionName.EXTEND, rid),
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
    s, r = _s(f), _r(f)
    stamp = f.notification.due_at
    # SEQUENCE must grow with each update of the same UID; minutes since 2020 do, since a
    # reschedule is always announced later than the booking it replaces
    sequence = max(0, int(stamp.timestamp() // 60) - 26_297_280)
    invite = session_invite(
        s, r.title, f.name(s.mentor_id), f.name(s.student_id), stamp, sequence=sequence
    )
    return Message(
        text,
        _session_actions(s),
        (Attachment(f"mentorship-{s.id}.ics", invite, "text/calendar"),),
    )


def _scheduled(f: Facts) -> Message:
    s = _s(f)
    other = s.student_id if f.recipient and f.recipient.id == s.mentor_id else s.mentor_id
    return _with_invite(
        f,
        f'Booked: "{_r(f).title}" with {f.name(other)} on {f.when()}, '
        f"{s.duration_minutes} min.\nMeeting link: {s.meeting_link}",
    )


def _rescheduled(f: Facts) -> Message:
    return _with_invite(
        f, f'Moved: "{_r(f).title}" is now on {f.when()}.\nMeeting link: {_s(f).meeting_link}'
    )


def _reminder(f: Facts) -> Message:
    s = _s(f)
    minutes = int(f.notification.payload.get("offset_minutes", 60))
    ahead = f"{minutes // 60} hours" if minutes >= 120 else f"{minutes} minutes"
    if minutes == 60:
        ahead = "1 hour"
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
    who = f.notification.payload.get("no_show_by", "someone")
    return Message(f'Recorded: the {who} did not come to "{_r(f).title}" on {f.when()}.')


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
    Kind.EXPIRY_WARNING: _expiry_warning,
    Kind.SESSION_SCHEDULED: _scheduled,
    Kind.SESSION_RESCHEDULED: _rescheduled,
    Kind.SESSION_CANCELLED: _cancelled,
    Kind.REMINDER: _reminder,
    Kind.OUTCOME_PROMPT: _outcome_prompt,
    Kind.RATING_PROMPT: _rating_prompt,
    Kind.RATING_REMINDER: _rating_prompt,
    Kind.MENTOR_NOTES_PROMPT: _notes_prompt,
    Kind.NO_SHOW_RECORDED: _no_show,
    Kind.MENTOR_NUDGE: _nudge,
    Kind.MENTOR_APPLIED: _mentor_applied,
    Kind.MENTOR_APPROVED: _fixed("You are approved as a mentor. Welcome!", Hint.QUEUE),
    Kind.MENTOR_REJECTED: _fixed("Your mentor application was not approved this time."),
    Kind.DELIVERY_FAILED: _dead_letter,
}


def render(facts: Facts) -> Message:
    return RENDERERS[facts.notification.kind](facts)
