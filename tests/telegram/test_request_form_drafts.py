"""Lost typing on Telegram (issue 11), over real HTTP, on SQLite and PostgreSQL: Edit on the
preview keeps every answer, a command typed mid-form pauses the form as a draft that
/request resumes, and the usage limit is refused as soon as the session type is chosen."""

from __future__ import annotations

from core.services.requests import submit_request
from tests.telegram.harness import ALICE, BotHarness, Exchange, fill_request, register
from tests.unit.fakes import a_draft

DRAFT = "Your request is saved as a draft; asking for a session again goes on from the same step."


def labels(step: Exchange) -> list[str]:
    return [b["text"] for c in step.replies for b in c.buttons]


async def test_edit_on_the_preview_changes_one_answer_and_keeps_every_other(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    preview = await fill_request(tg, ALICE, title="First title here")
    picker = await tg.press(ALICE, preview.button("Edit"))
    assert picker.text == "Which answer do you want to change? The others are kept."
    assert labels(picker)[:3] == ["Session type", "Title", "Description"]
    title = await tg.press(ALICE, picker.button("Title"))
    assert "Current answer: First title here" in title.text
    step = await tg.send(ALICE, "A better title")  # straight back to the preview
    assert "Submit it?" in step.text, step.text
    for kept in (
        "Title: A better title",
        "Description: I test APIs all day; how do I start writing them?",
        "Duration: 45 min",
        "Urgency: high",
        "Available: 2026-03-03 to 2026-03-06",
        "Tags: python",
    ):
        assert kept in step.text, step.text
    done = await tg.press(ALICE, step.button("Submit"))
    assert "Request #1 submitted" in done.text
    assert tg.scalar("SELECT title FROM mentorship_requests") == "A better title"


async def test_a_command_mid_form_pauses_it_and_request_resumes_it(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Career guidance"))
    await tg.send(ALICE, "Moving from QA to backend")

    listed = await tg.send(ALICE, "/my")  # the form waits; the command does its work
    assert DRAFT in listed.text and "Send /request" in listed.text
    assert "You have no requests or sessions yet" in listed.text
    stored = tg.store.load(f"tg:user:{ALICE.id}")
    assert stored is not None and stored["form"]["paused"] is True
    typed = await tg.send(ALICE, "I test APIs all day")  # not taken as the description
    assert DRAFT in typed.text and "How long" not in typed.text
    assert DRAFT not in (await tg.send(ALICE, "/limits")).text  # said once

    resumed = await tg.send(ALICE, "/request")
    assert resumed.text.startswith(
        "You have a request form in progress: resuming at the description.\nDescribe it"
    )
    step = await tg.send(ALICE, "I test APIs all day; how do I start writing them?")
    step = await tg.press(ALICE, step.button("45 min"))
    assert "How urgent" in step.text
    # a paused form is dropped by /cancel; /request then starts afresh
    await tg.send(ALICE, "/help")
    assert (await tg.send(ALICE, "/cancel")).text == "Stopped. Nothing was saved."
    again = await tg.send(ALICE, "/request")
    assert again.text.startswith("What kind of session do you need?")
    assert tg.scalar("SELECT count(*) FROM mentorship_requests") == 0


async def test_the_limit_is_refused_as_soon_as_the_type_is_chosen(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    alice = tg.member(ALICE).id
    for n in range(3):
        submit_request(tg.ctx, alice, a_draft(session_type="MOCK_INTERVIEW", title=f"Mock {n}"))
    first = await tg.send(ALICE, "/request")
    refused = await tg.press(ALICE, first.button("Mock interview"))
    assert refused.text.startswith("You have reached the Interview prep limit (3 of 3 used)."), (
        refused.text
    )
    assert "See /limits for what is left.\nWhat kind of session do you need?" in refused.text
    title = await tg.press(ALICE, refused.button("Career guidance"))
    assert "short title" in title.text
