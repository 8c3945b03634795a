"""An admin's decisions: mentor applications, assignment, statistics."""

from __future__ import annotations

from bot.conversation.actions.records import settle_buttons
from bot.conversation.replies import Answer, Reply
from bot.conversation.turn import Turn
from bot.conversation.vocabulary import Arg, action
from bot.views import stats_text
from core.delivery.messages import Action, ActionName
from core.hints import Hint
from core.services.admin import admin_stats
from core.services.claims import assign_mentor_once
from core.services.mentors import decide_mentor_once, pending_mentors

APPLICATIONS_SHOWN = 10
DISPUTES_SHOWN = 5  # settle buttons for the oldest few disputed no-shows


async def _decide(turn: Turn, mentor_id: int, approve: bool) -> Answer:
    done = await turn.call(decide_mentor_once, turn.member.id, mentor_id, approve)
    verdict = done.profile.status.value.lower()
    if not done.told:
        note = f"Already {verdict}; nobody was told again."
        return Answer(note=note, changed=frozenset())
    turn.reads.forget_mentors()  # pickers and lists of mentors change
    return Answer(note=f"Mentor {done.profile.member_id} {verdict}.")


@action(ActionName.APPROVE_MENTOR, Arg.ID, who="an admin", usage="MENTOR_ID")
async def approve(turn: Turn, mentor_id: int) -> Answer:
    return await _decide(turn, mentor_id, True)


@action(ActionName.REJECT_MENTOR, Arg.ID, who="an admin", usage="MENTOR_ID")
async def reject(turn: Turn, mentor_id: int) -> Answer:
    return await _decide(turn, mentor_id, False)


@action("admin", who="an admin")
async def admin(turn: Turn) -> Answer:
    """Applications waiting (with Approve / Reject), then the statistics."""
    waiting = await turn.call(pending_mentors, turn.member.id)
    lines = [f"{len(waiting)} mentor application(s) waiting." if waiting else ""]
    buttons: list[Action] = []
    for name, profile in waiting[:APPLICATIONS_SHOWN]:
        lines.append(
            f"  {profile.member_id}: {name}, {profile.domain}, {profile.years_experience} y; "
            f"{', '.join(profile.expertise_tags)}"
        )
        who = (str(profile.member_id),)
        buttons.append(Action(f"Approve {name}", ActionName.APPROVE_MENTOR, who))
        buttons.append(Action(f"Reject {name}", ActionName.REJECT_MENTOR, who))
    if not waiting:
        lines = ["No mentor applications waiting."]
    stats = await turn.call(admin_stats, turn.member.id)
    text = "\n".join(lines) + f"\n\n{stats_text(stats)}\n\n"
    buttons += settle_buttons(stats.disputed_sessions[:DISPUTES_SHOWN])
    return Answer(
        replies=(Reply.of(text, Hint.ASSIGN, actions=tuple(buttons)),), changed=frozenset()
    )


@action("stats", who="an admin")
async def stats(turn: Turn) -> Answer:
    found = await turn.call(admin_stats, turn.member.id)
    settle = settle_buttons(found.disputed_sessions[:DISPUTES_SHOWN])
    return Answer(replies=(Reply.of(stats_text(found), actions=settle),), changed=frozenset())


@action("assign", Arg.ID, Arg.ID, who="an admin", usage="REQUEST_ID MENTOR_ID")
async def assign(turn: Turn, request_id: int, mentor_id: int) -> Answer:
    done = await turn.call(assign_mentor_once, turn.member.id, request_id, mentor_id)
    if not done.told:
        note = f"Already assigned: #{request_id} is that mentor's; nobody was told again."
        return Answer(note=note, changed=frozenset())
    return Answer(note=f"Request #{request_id} is assigned; the mentor and the student are told.")
