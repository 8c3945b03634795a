"""After the session, in Slack, end to end over HTTP on SQLite and PostgreSQL: reminders
as DMs (the delivery engine's tick with a moved clock), the did-it-happen buttons, the 1-5
rating then the feedback modal, the mentor's notes and real duration modal, and what each
person sees afterwards (App Home). A second click never has a second effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.services.claims import claim_request
from core.services.outcomes import record_outcome
from core.services.requests import submit_request
from core.services.sessions import available_slots, schedule_session
from core.sessions import Outcome
from core.timefmt import local_time
from tests.slack.harness import ADMIN, ALICE, BOB, START, ZONES, Answer, SlackHarness, draft
from tests.support.fake_slack import Call, walk_texts
from tests.support.slack_mrkdwn import shown

TITLE = "Moving from QA to backend"


@dataclass
class Booked:
    session_id: int
    request_id: int
    starts: datetime
    ends: datetime
    link: str


async def _booked(slack: SlackHarness) -> Booked:
    """Alice's request, claimed by Bob and booked more than a day ahead (so both reminders
    are due later); every notification up to the booking is already delivered."""
    slack.person(ADMIN, admin=True)
    bob = slack.seed_mentor(BOB, ["python"]).id
    alice = slack.person(ALICE).id
    request = submit_request(slack.ctx, alice, draft(TITLE))
    claim_request(slack.ctx, bob, request.id)
    slots = available_slots(slack.ctx, bob, request.id)
    start = next(s for s in slots if s - START > timedelta(hours=30))
    session = schedule_session(slack.ctx, bob, request.id, start)
    await slack.deliver()
    return Booked(
        session.id, request.id, session.scheduled_at, session.ends_at, session.meeting_link or ""
    )


async def _over(slack: SlackHarness, booked: Booked) -> list[Call]:
    """The clock just after the session's end, and one delivery tick."""
    slack.clock.set(booked.ends + timedelta(minutes=1))
    _, calls = await slack.deliver()
    return calls


def _dms(calls: list[Call], user: str) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage" and c.channel == user]


def _dm_with(calls: list[Call], user: str, words: str) -> Call:
    found = [c for c in _dms(calls, user) if words in c.text]
    assert len(found) == 1, (words, [c.text for c in _dms(calls, user)])
    return found[0]


def _button(call: Call, label: str) -> dict[str, Any]:
    for b in call.buttons():
        if b["text"]["text"] == label:
            return b
    raise AssertionError(f"no {label!r} button in {[b['text']['text'] for b in call.buttons()]}")


async def _press(slack: SlackHarness, user: str, pressed: dict[str, Any]) -> Answer:
    """Press a button of a DM, as the person it was sent to sees it."""
    return await slack.press(user, pressed["action_id"], pressed.get("value", ""))


def _session(slack: SlackHarness, booked: Booked) -> dict[str, Any]:
    with slack.db.connect() as connection:
        from sqlalchemy import text

        row = connection.execute(
            text(
                "SELECT status, session_rating, session_feedback, mentor_notes, "
                "session_duration_minutes, no_show_by FROM mentorship_sessions WHERE id = :i"
            ),
            {"i": booked.session_id},
        ).one()
    return dict(row._mapping)


def _home_text(answer: Answer) -> str:
    published = answer.of("views.publish")
    assert len(published) == 1, [c.method for c in answer.calls]
    return "\n".join(walk_texts(published[0].view.get("blocks") or []))


async def test_reminders_arrive_as_dms_once_each_in_each_persons_zone(
    slack: SlackHarness,
) -> None:
    booked = await _booked(slack)
    # one minute after each is due: the text states the real time left
    for hours, words in ((24, "starts in 24 hours"), (1, "starts in 59 minutes")):
        slack.clock.set(booked.starts - timedelta(hours=hours) + timedelta(minutes=1))
        _, calls = await slack.deliver()
        for user in (ALICE, BOB):
            reminder = _dm_with(calls, user, words)
            assert f'Reminder: "{TITLE}"' in reminder.text
            assert local_time(booked.starts, ZONES[user]) in reminder.text, reminder.text
            join = _button(reminder, "Join")
            assert join["url"] == booked.link and booked.link.startswith("https://")
        _, again = await slack.deliver()
        assert not [c for c in again if "Reminder" in c.text], "a reminder was sent twice"


async def test_did_it_happen_buttons_first_answer_wins(slack: SlackHarness) -> None:
    booked = await _booked(slack)
    calls = await _over(slack, booked)
    asked = {user: _dm_with(calls, user, "happen?") for user in (ALICE, BOB)}
    for user, prompt in asked.items():
        assert f'Did your session "{TITLE}" on {local_time(booked.starts, ZONES[user])}' in (
            prompt.text
        )
        labels = [b["text"]["text"] for b in prompt.buttons()]
        # each side sees only what it may report: never "I did not come"
        other = "The mentor didn't come" if user == ALICE else "The student didn't come"
        assert labels == ["Yes, it happened", other, "We rescheduled"]

    # a forged press of the answer she cannot give is still refused plainly
    before = slack.snapshot()
    value = f"{booked.session_id}:student_no_show"
    refused = await _press(slack, ALICE, {"action_id": "a:outcome:9", "value": value})
    assert "cannot report that outcome" in refused.text_to(ALICE)
    assert slack.snapshot() == before

    done = await _press(slack, BOB, _button(asked[BOB], "Yes, it happened"))
    assert "Recorded: completed. Thank you!" in done.text_to(BOB)
    assert _session(slack, booked)["status"] == "COMPLETED"
    assert (
        slack.scalar("SELECT status FROM mentorship_requests WHERE id = :i", i=booked.request_id)
        == "COMPLETED"
    )

    # the same press again, and Alice's contradicting answer: no second effect
    before = slack.snapshot()
    again = await _press(slack, BOB, _button(asked[BOB], "Yes, it happened"))
    assert "Recorded: completed" in again.text_to(BOB)
    late = await _press(slack, ALICE, _button(asked[ALICE], "The mentor didn't come"))
    assert "Already recorded as completed." in late.text_to(ALICE)
    assert slack.snapshot() == before

    _, after = await slack.deliver()
    assert len(_dms(after, ALICE)) == 1 and "How was" in _dms(after, ALICE)[0].text
    assert len(_dms(after, BOB)) == 1 and "Add notes" in [
        b["text"]["text"] for b in _dms(after, BOB)[0].buttons()
    ]


async def test_mentor_no_show_is_recorded_for_both_and_nobody_is_asked_to_rate(
    slack: SlackHarness,
) -> None:
    booked = await _booked(slack)
    calls = await _over(slack, booked)
    alice_prompt = _dm_with(calls, ALICE, "happen?")
    bob_prompt = _dm_with(calls, BOB, "happen?")

    told = await _press(slack, ALICE, _button(alice_prompt, "The mentor didn't come"))
    assert "Recorded: the mentor did not come." in told.text_to(ALICE)
    state = _session(slack, booked)
    assert (state["status"], state["no_show_by"]) == ("NO_SHOW", "mentor")
    refunded = slack.scalar(
        "SELECT quota_refunded FROM mentorship_requests WHERE id = :i", i=booked.request_id
    )
    assert refunded in (True, 1)  # a mentor who did not come costs her nothing

    before = slack.snapshot()
    late = await _press(slack, BOB, _button(bob_prompt, "Yes, it happened"))
    assert "Already recorded: the mentor did not show up." in late.text_to(BOB)
    assert slack.snapshot() == before

    _, after = await slack.deliver()
    recorded = {user: _dms(after, user) for user in (ALICE, BOB)}
    for user, dms in recorded.items():
        said = (
            f'Recorded: the mentor did not come to "{TITLE}" on '
            f"{local_time(booked.starts, ZONES[user])}."
        )
        # the one reported absent may dispute it; the reporter only reads it
        if user == BOB:
            said += "\nIf it did happen, say so within 48 hours and an admin will settle it."
        assert [c.text for c in dms] == [said]
    assert not recorded[ALICE][0].buttons()  # no rating, no notes prompt
    assert [b["text"]["text"] for b in recorded[BOB][0].buttons()] == ["It did happen"]

    disputed = await _press(slack, BOB, _button(recorded[BOB][0], "It did happen"))
    assert "Noted: you say it happened." in disputed.text_to(BOB)
    assert _session(slack, booked)["status"] == "NO_SHOW"  # stands until an admin settles
    before = slack.snapshot()
    twice = await _press(slack, BOB, _button(recorded[BOB][0], "It did happen"))
    assert "You already said it happened" in twice.text_to(BOB)
    assert slack.snapshot() == before


async def test_rating_buttons_then_feedback_modal_and_the_average_shown(
    slack: SlackHarness,
) -> None:
    booked = await _booked(slack)
    await _over(slack, booked)
    record_outcome(slack.ctx, slack.member(BOB).id, booked.session_id, Outcome.COMPLETED)
    _, calls = await slack.deliver()
    prompt = _dm_with(calls, ALICE, "How was")
    assert prompt.text == f'How was "{TITLE}" with Bob?'
    assert [b["text"]["text"] for b in prompt.buttons()] == ["1", "2", "3", "4", "5"]

    rated = await _press(slack, ALICE, _button(prompt, "4"))
    opened = rated.of("views.open")
    assert len(opened) == 1 and opened[0].view["callback_id"] == "feedback_form"
    assert _session(slack, booked)["session_rating"] == 4

    # a second star: refused plainly, no second modal, the first rating stays
    again = await _press(slack, ALICE, _button(prompt, "5"))
    assert "already been rated" in again.text_to(ALICE)
    assert not again.of("views.open")
    assert _session(slack, booked)["session_rating"] == 4

    modal = opened[0].view
    blank = await slack.submit(ALICE, modal, {"feedback": "   \n  "})
    assert blank.json.get("response_action") == "errors"
    assert blank.json["errors"] == {"feedback": "The feedback cannot be empty."}
    assert _session(slack, booked)["session_feedback"] is None

    sent = await slack.submit(ALICE, modal, {"feedback": "Clear & practical, thank you!"})
    assert sent.status == 200 and sent.body == ""  # the modal closes
    assert "Thank you! Your mentor will see your feedback." in sent.text_to(ALICE)
    assert _session(slack, booked)["session_feedback"] == "Clear & practical, thank you!"

    twice = await slack.submit(ALICE, modal, {"feedback": "Changed my mind"})
    assert "already saved" in twice.text_to(ALICE)
    assert _session(slack, booked)["session_feedback"] == "Clear & practical, thank you!"

    # what people see: Bob's average in everyone's Home, the admin's statistics
    assert "Bob, Backend, 7 y, 4.0/5 (1)" in _home_text(await slack.home(ALICE))
    assert "Average rating: 4.00/5 from 1" in _home_text(await slack.home(ADMIN))

    # rated: the gentle reminder a day later is not sent
    slack.clock.set(slack.clock.now() + timedelta(hours=25))
    _, later = await slack.deliver()
    assert not [c for c in _dms(later, ALICE) if "How was" in c.text]


async def test_mentor_notes_and_real_duration_modal(slack: SlackHarness) -> None:
    booked = await _booked(slack)
    await _over(slack, booked)
    record_outcome(slack.ctx, slack.member(BOB).id, booked.session_id, Outcome.COMPLETED)
    _, calls = await slack.deliver()
    prompt = _dm_with(calls, BOB, "Add the real duration and private notes")
    add = _button(prompt, "Add notes")

    # the student pressing the mentor's button: a plain refusal, no modal
    nosy = await _press(slack, ALICE, add)
    assert "Only the mentor of this session and admins can read its notes." in nosy.text_to(ALICE)
    assert not nosy.of("views.open")

    first = await _press(slack, BOB, add)
    assert f"Your notes on session {booked.session_id}" in first.text_to(BOB)
    assert "none yet." in first.text_to(BOB)
    opened = first.of("views.open")
    assert len(opened) == 1
    modal = opened[0].view
    assert modal["callback_id"] == "notes_form"
    fields = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert fields["duration_minutes"]["initial_value"] == "45"  # the booked length
    assert "initial_value" not in fields["mentor_notes"]

    saved = await slack.submit(
        BOB, modal, {"duration_minutes": "50", "mentor_notes": "Talked about REST & <APIs>."}
    )
    assert saved.status == 200 and saved.body == ""
    assert "Notes saved." in saved.text_to(BOB)
    state = _session(slack, booked)
    assert state["mentor_notes"] == "Talked about REST & <APIs>."
    assert state["session_duration_minutes"] == 50

    # pressed again: the earlier note is shown, the modal starts empty for a new entry
    # (the duration keeps what was saved); saving it empty changes nothing
    again = await _press(slack, BOB, add)
    assert "Talked about REST & <APIs>." in shown(again.text_to(BOB))  # as Bob reads it
    reopened = again.of("views.open")[0].view
    fields = {b["block_id"]: b["element"] for b in reopened["blocks"] if b["type"] == "input"}
    assert fields["duration_minutes"]["initial_value"] == "50"
    assert "initial_value" not in fields["mentor_notes"]
    before = slack.snapshot()
    await slack.submit(BOB, reopened, {})
    assert _session(slack, booked) == state
    assert slack.snapshot()["notifications"] == before["notifications"]

    # a second note is a new entry: the first one is kept, never replaced
    await slack.submit(BOB, reopened, {"mentor_notes": "Next: pagination."})
    state = _session(slack, booked)
    assert state["mentor_notes"] == "Talked about REST & <APIs>.\n\nNext: pagination."
    both = shown((await _press(slack, BOB, add)).text_to(BOB))
    assert "Talked about REST & <APIs>." in both and "Next: pagination." in both

    # the student submitting the notes form (forged): told plainly, nothing changes
    forged = await slack.submit(ALICE, reopened, {"mentor_notes": "mine now"})
    assert "Only the mentor of this session can write its notes." in forged.text_to(ALICE)
    assert _session(slack, booked) == state

    # written: no further reminder to write them
    slack.clock.set(slack.clock.now() + timedelta(days=2))
    _, later = await slack.deliver()
    assert not [c for c in _dms(later, BOB) if "Add notes" in str(c.buttons())]


async def test_cancel_asks_why_in_a_modal_and_the_student_is_told(slack: SlackHarness) -> None:
    booked = await _booked(slack)
    cancel = {"action_id": "a:cancel_session:1", "value": str(booked.session_id)}
    stranger = await _press(slack, "UMALLORY", cancel)
    assert not stranger.of("views.open")  # refused, not asked why
    asked = (await _press(slack, BOB, cancel)).of("views.open")
    assert len(asked) == 1 and asked[0].view["callback_id"] == "reason_form"
    assert _session(slack, booked)["status"] == "SCHEDULED"  # nothing yet

    modal = asked[0].view
    long = await slack.submit(BOB, modal, {"reason": "x" * 501})
    assert long.json.get("response_action") == "errors" and "500" in long.json["errors"]["reason"]
    assert _session(slack, booked)["status"] == "SCHEDULED"

    done = await slack.submit(BOB, modal, {"reason": "I caught the flu"})
    assert done.status == 200 and done.body == ""
    assert "Session cancelled" in done.text_to(BOB)
    assert _session(slack, booked)["status"] == "CANCELLED"
    _, calls = await slack.deliver()
    assert any("Reason: I caught the flu" in c.text for c in _dms(calls, ALICE))

    again = await slack.submit(BOB, modal, {"reason": "again"})  # an old modal: no 2nd effect
    assert not [c for c in again.calls if "Reason: again" in c.text]
