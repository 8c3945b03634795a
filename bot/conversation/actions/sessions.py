"""A booked session and what follows it: cancel, outcome, rating, the mentor's notes."""

from __future__ import annotations

from bot.conversation import reasons
from bot.conversation.replies import Answer, Expect, Input, Part, Reply, UserText
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import Arg, action
from core.delivery.messages import ActionName
from core.services.notes import read_notes
from core.services.outcomes import rate_session, record_outcome
from core.services.sessions import cancel_session, cancel_session_would_act
from core.sessions import Outcome
from core.timefmt import local_time

OUTCOME_ANSWERS = {
    Outcome.COMPLETED: "Recorded: completed. Thank you!",
    Outcome.MENTOR_NO_SHOW: "Recorded: the mentor did not come. Thank you for telling us.",
    Outcome.STUDENT_NO_SHOW: "Recorded: the student did not come. Thank you for telling us.",
}
CANCEL_PROMPT = "Why are you cancelling? The other person will be told."
FEEDBACK_PROMPT = "Anything you'd like to tell your mentor? It is optional."
NOTES_PROMPT = (
    "Send a new note, with the real duration in minutes first if it needs correcting, e.g."
    "\n55 Strong on SQL.\nEarlier notes are kept. Only you and admins can read them."
)


@action(
    ActionName.CANCEL_SESSION,
    Arg.ID,
    Arg.TEXT,
    who="the session's student or mentor, or an admin",
    usage="SESSION_ID [reason]",
)
async def cancel(turn: Turn, session_id: int, reason: str) -> Answer:
    if not reason and await turn.call(cancel_session_would_act, turn.member.id, session_id):
        return reasons.ask(ActionName.CANCEL_SESSION, session_id, CANCEL_PROMPT)
    await turn.call(cancel_session, turn.member.id, session_id, reasons.given(reason))
    return Answer(note="Session cancelled; the other person has been told.")


@action(
    ActionName.OUTCOME,
    Arg.ID,
    Arg.OUTCOME,
    who="the side the outcome is about",
    usage="SESSION_ID completed|mentor_no_show|student_no_show",
)
async def outcome(turn: Turn, session_id: int, value: str) -> Answer:
    chosen = Outcome(value)
    await turn.call(record_outcome, turn.member.id, session_id, chosen)
    return Answer(note=OUTCOME_ANSWERS[chosen])


@action(
    ActionName.RATE,
    Arg.ID,
    Arg.STARS,
    who="the session's student, once, after it",
    usage="SESSION_ID 1-5",
)
async def rate(turn: Turn, session_id: int, stars: int) -> Answer:
    await turn.call(rate_session, turn.member.id, session_id, stars)
    expect = Expect(Input.FEEDBACK, session_id, FEEDBACK_PROMPT)
    return Answer(note="Thank you for rating!", expect=expect)


@action(ActionName.NOTES, Arg.ID, who="the session's mentor", usage="SESSION_ID")
async def notes(turn: Turn, session_id: int) -> Answer:
    """The notes so far (each entry with its time), then a new entry: adding one never
    replaces the earlier ones. The duration can be corrected at the same time."""
    found = await turn.call(read_notes, turn.member.id, session_id)
    session = found.session
    mine = session.mentor_id == turn.member.id  # otherwise an admin, reading
    parts: list[Part] = [f"{'Your notes' if mine else 'Notes'} on session {session.id}"]
    if session.session_duration_minutes:
        parts.append(f" (real duration {session.session_duration_minutes} min)")
    parts.append(":\n" if found.entries else ": none yet.")
    for entry in found.entries:
        parts += [f"  {local_time(entry.created_at, turn.member.timezone)}: ", UserText(entry.body)]
        parts.append("\n")
    if not mine:
        return Answer(replies=(Reply(tuple(parts)),), changed=frozenset())
    values: dict[str, object] = {
        "mentor_notes": "",  # a new entry; the earlier ones are kept as they are
        "duration_minutes": session.session_duration_minutes,
    }
    return Answer(
        replies=(Reply(tuple(parts)),),
        expect=Expect(Input.NOTES, session.id, NOTES_PROMPT, values),
        changed=frozenset(),
    )
