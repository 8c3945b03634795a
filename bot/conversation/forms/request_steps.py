"""Showing the request form's current step and taking an answer to it: what every
input to the form (``request_form``) ends in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.conversation.forms.request_state import RequestFormState
from bot.conversation.forms.request_view import Wording, render
from bot.conversation.replies import Answer, Part, Reply, Surface, refusal
from bot.conversation.turn import Turn
from core.errors import DomainError, ValidationFailed
from core.forms import RequestForm, Step, StepKind, answer
from core.hints import Hint
from core.requests import MentorshipRequest
from core.services.context import local_today
from core.services.feed_status import submit_noting_feed
from core.services.request_limits import check_request_limit
from core.services.requests import update_request

logger = logging.getLogger(__name__)
STOPPED = "Stopped. Nothing was saved."
EARLIER = "That button belongs to an earlier step."
WHICH = "Which answer do you want to change? The others are kept."
NEUTRAL = Wording()
QUIET: frozenset[Surface] = frozenset()  # a step of a form changes nothing shown elsewhere


@dataclass(frozen=True)
class Typed:
    text: str


@dataclass(frozen=True)
class Pressed:
    """A form button (``ActionName.FORM_*``) with its raw arguments, as the platform
    brought them back: they are checked here against the form in progress."""

    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shown:
    state: dict[str, Any] | None  # what to store (None: the form is over)
    answer: Answer
    kind: StepKind | None = None  # the step now asked, if any


def show(
    turn: Turn, fs: RequestFormState, wording: Wording = NEUTRAL, lead: tuple[Part, ...] = ()
) -> Shown:
    """The current step (after ``lead``: why it is asked again, where we are)."""
    step = fs.step(turn.services.catalogue)
    today = local_today(turn.member, turn.services.now())
    reply = render(fs, step, turn.services, today, wording)
    if lead:
        reply = Reply((*lead, "\n", *reply.parts), reply.actions)
    return Shown(fs.to_dict(), Answer(replies=(reply,), changed=QUIET), step.kind)


def cancel() -> Shown:
    return Shown(None, Answer(replies=(Reply.of(STOPPED),), changed=QUIET))


async def apply(turn: Turn, fs: RequestFormState, step: Step, value: str, w: Wording) -> Shown:
    """The answer, checked as submitting will check it (the limits too, once the type is
    known); refused, the step is asked again with why and nothing changes."""
    services = turn.services
    trial = RequestForm.from_dict(fs.form.to_dict())
    today = local_today(turn.member, services.now())
    try:
        answer(trial, step, value, services.catalogue, services.policy, today)
        if step.field == "session_type":
            kind = trial.draft.session_type
            await turn.call(check_request_limit, turn.member.id, kind, fs.edit_id)
    except ValidationFailed as failed:
        return show(turn, fs, w, (" ".join(failed.errors.values()) or failed.user_message,))
    except DomainError as refused:
        lead = (
            (refused.user_message,)
            if refused.hint is None
            else (refused.user_message, refused.hint)
        )
        return show(turn, fs, w, lead)
    given = fs.given(services.catalogue)
    if trial.draft.session_type != fs.form.draft.session_type:  # its extra answers went
        given -= {f for f in given if f.startswith("extra.")}
    given.add(step.field)
    fs.form, fs.month, fs.tags = trial, None, None
    if fs.revising:  # straight back to the preview, unless a new step needs an answer
        steps = fs.steps(services.catalogue)
        fs.form.position = next(
            i for i, s in enumerate(steps) if s.kind == StepKind.PREVIEW or s.field not in given
        )
        fs.revising = steps[fs.form.position].kind != StepKind.PREVIEW
    return show(turn, fs, w)


def submitted_note(
    request: MentorshipRequest, chosen: str | None, feed_failing: bool = False
) -> str:
    """What submitting tells the student: who has been told, truthfully (a request
    addressed to one mentor is theirs alone for a while). Nobody has been told yet when
    this is said: the card goes out in a moment, unless the mentors' channel is known to
    be refusing cards (core.services.feed_status), and then it says so (issue 12)."""
    if request.reserved and chosen is not None:
        return (
            f"Request #{request.id} submitted. {chosen} has been asked personally; "
            "other mentors do not see it for now."
        )
    if feed_failing:
        return (
            f"Request #{request.id} submitted. Mentors cannot be told just yet: their "
            "channel is not working. An admin has been asked to fix it, and mentors will "
            "see your request as soon as it works again."
        )
    return f"Request #{request.id} submitted. Mentors will be told in a moment."


async def submit(turn: Turn, fs: RequestFormState, w: Wording) -> Shown:
    """Send it (or update the edited request). A field refused now (a day that has
    passed meanwhile) is asked again; any other refusal leaves the preview as it was."""
    me, draft = turn.member.id, fs.form.draft
    try:
        if fs.edit_id is not None:
            done = await turn.call(update_request, me, fs.edit_id, draft)
            told: tuple[Part, ...] = (f"Request #{done.id} updated.",)
        else:
            submitted = await turn.call(submit_noting_feed, me, draft)
            done = submitted.request
            chosen = next(
                (c.label for c in fs.mentors if c.value == str(done.preferred_mentor_id)), None
            )
            told = (submitted_note(done, chosen, submitted.feed_failing), Hint.MY)
    except ValidationFailed as failed:
        steps = fs.steps(turn.services.catalogue)
        blamed = [i for i, s in enumerate(steps) if s.field in failed.errors]
        if not blamed:
            return Shown(fs.to_dict(), refusal(failed.user_message), StepKind.PREVIEW)
        fs.form.position = blamed[0]
        return show(turn, fs, w, (failed.errors[steps[blamed[0]].field],))
    except DomainError as refused:
        return Shown(fs.to_dict(), refusal(refused.user_message, refused.hint), StepKind.PREVIEW)
    return Shown(None, Answer(replies=(Reply(told),)))
