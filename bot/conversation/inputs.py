"""The short answers a person is asked for after a button: feedback, notes, a time zone.

Checked once here (field errors a modal can show inline, or a plain message for a chat),
and stored through the same services. Text front-ends get the whole answer as one line
("55 Strong on SQL": the real duration first, then the notes); Slack's modal has a field
for each and calls the checks directly.
"""

from __future__ import annotations

from bot.conversation import reasons
from bot.conversation.dispatcher import press
from bot.conversation.replies import Answer, Input
from bot.conversation.turn import Turn
from core.errors import ValidationFailed
from core.hints import Hint
from core.policy import Policy
from core.services.members import set_timezone
from core.services.outcomes import leave_feedback, update_mentor_notes
from core.validation import clean_text, validate_one

MAX_MINUTES_DIGITS = 4
TIMEZONE = "timezone"  # the question asked once after /start


def check_feedback(policy: Policy, raw: str) -> str:
    return validate_one(
        "feedback", lambda: clean_text(raw, "The feedback", policy.feedback_max, multiline=True)
    )


def check_notes(policy: Policy, minutes: str, notes: str) -> tuple[int | None, str]:
    """The real duration (optional, whole minutes) and the notes; every field's error."""
    errors: dict[str, str] = {}
    raw = minutes.strip()
    duration = int(raw) if raw.isdigit() and len(raw) <= MAX_MINUTES_DIGITS else None
    if raw and duration is None:
        errors["duration_minutes"] = "Please give the real duration in whole minutes."
    try:
        text = validate_one(
            "mentor_notes",
            lambda: clean_text(
                notes, "The notes", policy.notes_max, required=False, multiline=True
            ),
        )
    except ValidationFailed as failed:
        errors |= failed.errors
        text = ""
    if errors:
        raise ValidationFailed(errors)
    return duration, text


def split_notes_line(line: str) -> tuple[str, str]:
    """ "55 Strong on SQL" → ("55", "Strong on SQL"); without a leading number, all notes."""
    first, _, rest = line.strip().partition(" ")
    return (first, rest) if first.isdigit() else ("", line)


async def give(turn: Turn, what: str, ref: int, text: str) -> Answer:
    """Store the answer to an awaited question; a refusal asks again (the state stays)."""
    policy = turn.services.policy
    if what == Input.FEEDBACK:
        feedback = check_feedback(policy, text)
        await turn.call(leave_feedback, turn.member.id, ref, feedback)
        return Answer(note="Thank you, your feedback is saved.")
    if what == Input.NOTES:
        minutes, notes = check_notes(policy, *split_notes_line(text))
        await turn.call(
            update_mentor_notes,
            turn.member.id,
            ref,
            mentor_notes=notes or None,
            duration_minutes=minutes,
        )
        return Answer(note="Saved. Only mentors and admins can read these notes.")
    if what.startswith(reasons.PREFIX):  # presses the action again, with the reason
        reason = reasons.check(policy, text) or reasons.NO_REASON
        return await press(turn, what.removeprefix(reasons.PREFIX), [str(ref), reason])
    if what == TIMEZONE:
        updated = await turn.call(set_timezone, turn.member.id, text.strip())
        turn.reads.forget_member(turn.member)
        return Answer(note=(f"Time zone set to {updated.timezone}.", Hint.REQUEST))
    raise ValidationFailed({"input": "That question is no longer open."})
