"""'Request <name>' under /mentors: the /request form opens with that mentor chosen.

Bob (python) and Carol (data science) are approved mentors; Alice is a student. The form
keeps its mentor step, showing the chosen mentor (Back works through it as through any
step); the submitted request names the mentor, who is told personally.
"""

from __future__ import annotations

from sqlalchemy import text

from tests.telegram.harness import (
    ALICE,
    BOB,
    CAROL,
    GROUP,
    BotHarness,
    Exchange,
    day_button,
    register,
)

SUSPEND = "UPDATE mentor_profiles SET status = 'SUSPENDED' WHERE member_id = :id"


async def _people(tg: BotHarness) -> None:
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    tg.seed_mentor(CAROL, "America/New_York", ["data-science"])
    await register(tg, ALICE, "America/Los_Angeles")
    await tg.deliver()  # the mentors' "you are approved"


def execute(tg: BotHarness, statement: str, **params: object) -> None:
    with tg.db.begin() as connection:
        connection.execute(text(statement), params)


async def _walk_to_the_mentor_step(tg: BotHarness, first: Exchange) -> Exchange:
    """From the form's first step to its mentor step, with a tag no mentor has."""
    step = await tg.press(ALICE, first.button("Career guidance"))
    step = await tg.send(ALICE, "Negotiating my first senior offer")
    step = await tg.send(ALICE, "Two offers on the table; how do I compare them?")
    step = await tg.press(ALICE, step.button("30 min"))
    step = await tg.press(ALICE, step.button("Normal"))
    step = await tg.press(ALICE, day_button(step, "2026-03-04"))
    step = await tg.press(ALICE, day_button(step, "2026-03-10"))
    step = await tg.press(ALICE, step.button("Done"))  # her hours: the default ones
    return await tg.send(ALICE, "negotiation")  # a typed tag ends the step


async def test_a_student_requests_a_mentor_from_the_list(tg: BotHarness) -> None:
    await _people(tg)
    listed = await tg.send(ALICE, "/mentors")
    assert "Bob, Backend, 7 y" in listed.text and "Carol, Backend, 7 y" in listed.text
    bob_id = tg.member(BOB).id
    assert listed.button("Request Bob") == f"a:ask:{bob_id}"
    assert listed.button("Request Carol") == f"a:ask:{tg.member(CAROL).id}"

    first = await tg.press(ALICE, f"a:ask:{bob_id}")
    assert not first.alert
    assert first.text.startswith("A request for Bob: they are told personally")
    assert "What kind of session do you need?" in first.text

    mentor_step = await _walk_to_the_mentor_step(tg, first)
    assert "particular mentor? (optional) Chosen: Bob; tap to keep or change." in mentor_step.text
    # Back leaves the choice as it was
    tags_step = await tg.press(ALICE, "f:back")
    assert "Tags help the right mentor find you" in tags_step.text
    mentor_step = await tg.press(ALICE, tags_step.button("Done"))
    assert "Chosen: Bob" in mentor_step.text
    assert mentor_step.button("No preference") and mentor_step.button("Carol")

    question = await tg.press(ALICE, mentor_step.button("Bob"))
    assert "If Bob does not take it in time (or declines it), may any other mentor" in (
        question.text
    )
    preview = await tg.press(ALICE, question.button("Yes, open it to every mentor"))
    assert "Here is your request (preferred mentor: Bob). Submit it?" in preview.text
    assert "Other mentors may take it: yes" in preview.text
    done = await tg.press(ALICE, preview.button("Submit"))
    assert "submitted" in done.text
    request_id = tg.scalar("SELECT id FROM mentorship_requests")
    assert tg.scalar("SELECT preferred_mentor_id FROM mentorship_requests") == bob_id
    assert tg.scalar("SELECT open_to_others FROM mentorship_requests") in (True, 1)

    _, delivered = await tg.deliver()
    [for_bob] = delivered.to(BOB.id)  # one personal message, though his tags do not match
    assert for_bob.text.startswith("Alice asked for you as their mentor.")
    assert "Negotiating my first senior offer" in for_bob.text
    assert for_bob.callback_data == [f"a:claim:{request_id}", f"a:decline:{request_id}"]
    assert delivered.to(CAROL.id) == []

    won = await tg.press(BOB, f"a:claim:{request_id}")
    assert won.answer.startswith(f"You claimed #{request_id}")
    _, told = await tg.deliver()
    assert "Good news: Bob will mentor you" in told.text_to(ALICE.id)


async def test_choosing_no_preference_in_the_form_drops_the_mentor(tg: BotHarness) -> None:
    await _people(tg)
    first = await tg.press(ALICE, f"a:ask:{tg.member(BOB).id}", forged=True)
    mentor_step = await _walk_to_the_mentor_step(tg, first)
    preview = await tg.press(ALICE, mentor_step.button("No preference"))
    assert "Here is your request. Submit it?" in preview.text
    await tg.press(ALICE, preview.button("Submit"))
    assert tg.scalar("SELECT preferred_mentor_id FROM mentorship_requests") is None
    _, delivered = await tg.deliver()
    assert delivered.to(BOB.id) == []


async def test_no_form_for_oneself_a_suspended_an_unknown_or_a_forged_mentor(
    tg: BotHarness,
) -> None:
    await _people(tg)
    bob_id, carol_id = tg.member(BOB).id, tg.member(CAROL).id

    # a mentor is not offered a button for themselves; a press of one is refused
    own = await tg.send(BOB, "/mentors")
    assert "Bob, Backend" in own.text
    assert [d for d in own.buttons() if d.startswith("a:ask:")] == [f"a:ask:{carol_id}"]
    refused = await tg.press(BOB, f"a:ask:{bob_id}", forged=True)
    assert refused.alert and refused.answer == "You cannot mentor yourself."
    assert refused.replies == []
    after = await tg.send(BOB, "Some title for a form")  # no form is waiting for it
    assert "Describe it" not in after.text

    # Alice is mid-form when she presses an old button of a mentor suspended since
    listed = await tg.send(ALICE, "/mentors")
    started = await tg.send(ALICE, "/request")
    await tg.press(ALICE, started.button("Mock interview"))
    execute(tg, SUSPEND, id=carol_id)
    suspended = await tg.press(ALICE, listed.button("Request Carol"))
    assert suspended.alert and suspended.answer == "That mentor is not available."
    assert suspended.replies == []
    kept = await tg.send(ALICE, "Backend interview at a bank")  # her form goes on
    assert "Describe it" in kept.text
    assert "Request Carol" not in " ".join(
        b["text"] for c in (await tg.send(ALICE, "/mentors")).replies for b in c.buttons
    )

    unknown = await tg.press(ALICE, "a:ask:999999", forged=True)
    assert unknown.alert and unknown.answer == "That mentor is not available."
    for forged in ("a:ask:bob", "a:ask:1234567890123456789", f"a:ask:{bob_id}:x"):
        stale = await tg.press(ALICE, forged, forged=True)
        assert stale.alert and stale.answer.startswith("This button no longer works"), forged
    assert tg.scalar("SELECT count(*) FROM mentorship_requests") == 0
