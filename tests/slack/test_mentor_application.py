"""Applying to mentor from Slack: the Home tab's "Become a mentor" (or ``/mentorship
become_mentor``) opens a modal built from the shared application form; each refused
answer shows under its own field with the others kept; the application waits for an
admin, who approves it from ``/mentorship admin``."""

from __future__ import annotations

import time
from typing import Any

from tests.slack.harness import ADMIN, BOB, DAVE, ERIN, Answer, SlackHarness
from tests.support.fake_slack import Call, walk_texts

LONG_DOMAIN = "D" * 5000
ANSWERS = {
    "domain": "Data engineering",
    "years_experience": "7",
    "bio": "I build data pipelines and review CVs for data roles.",
    "expertise_tags": "python; sql",
}


async def typed(slack: SlackHarness, user: str, text: str, **kw: Any) -> Answer:
    """``/mentorship <text>`` typed by ``user``."""
    return await slack.post_form(slack.command_fields(user, text), **kw)


def home_buttons(answer: Answer) -> dict[str, dict[str, Any]]:
    published = answer.of("views.publish")
    assert published, [c.method for c in answer.calls]
    return {b["text"]["text"]: b for b in published[-1].buttons()}


def opened_view(answer: Answer) -> dict[str, Any]:
    opened = answer.of("views.open")
    assert len(opened) == 1, [c.method for c in answer.calls]
    return opened[0].view


def dm_with_button(answer: Answer, user: str, label: str) -> tuple[Call, dict[str, Any]]:
    for call in answer.to_user(user):
        for b in call.buttons():
            if b["text"]["text"] == label:
                return call, b
    raise AssertionError(f"no {label!r} button for {user} in {answer.calls}")


async def test_apply_from_the_home_tab_with_inline_errors_then_the_admin_approves(
    slack: SlackHarness,
) -> None:
    slack.person(ADMIN, admin=True)
    buttons = home_buttons(await slack.home(DAVE))
    assert "Become a mentor" in buttons and "Edit availability" not in buttons

    view = opened_view(await slack.press(DAVE, buttons["Become a mentor"]["action_id"]))
    assert view["callback_id"] == "mentor_application"
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs == ["domain", "years_experience", "bio", "expertise_tags"]
    labels = "\n".join(walk_texts(view["blocks"]))
    assert "Your domain" in labels and "Years of experience" in labels

    # a 5,000-character domain and "abc" years: each refused under its own field, the bio
    # and the tags accepted (the modal keeps every value as typed)
    refused = await slack.submit(
        DAVE, view, {**ANSWERS, "domain": LONG_DOMAIN, "years_experience": "abc"}
    )
    assert refused.json["response_action"] == "errors", refused.body
    errors = refused.json["errors"]
    assert set(errors) == {"domain", "years_experience"}
    assert errors["domain"] == "Domain is too long: 5000 characters, at most 100 allowed."
    assert errors["years_experience"] == "Please give the years as a whole number, e.g. 5."
    assert slack.scalar("SELECT count(*) FROM mentor_profiles") == 0

    sent = await slack.submit(DAVE, view, ANSWERS)
    assert sent.status == 200 and sent.body == "", sent.body
    assert sent.text_to(DAVE).startswith("Thank you! An admin will review your application.")
    assert "Home tab → Availability" in sent.text_to(DAVE)
    dave = slack.member(DAVE)
    profile = slack.scalar("SELECT status FROM mentor_profiles WHERE member_id = :m", m=dave.id)
    assert profile == "PENDING"
    assert slack.scalar("SELECT domain FROM mentor_profiles") == "Data engineering"
    tags = slack.scalar("SELECT expertise_tags FROM mentor_profiles")
    assert "python" in str(tags) and "sql" in str(tags) and ";" not in str(tags)
    after = home_buttons(sent)  # the Home tab no longer offers it, and shows availability
    assert "Become a mentor" not in after and "Edit availability" in after

    listed = await typed(slack, ADMIN, "admin")
    assert "1 mentor application(s) waiting" in listed.text_to(ADMIN)
    assert "Data engineering, 7 y; python, sql" in listed.text_to(ADMIN)
    _, approve = dm_with_button(listed, ADMIN, "Approve Dave")
    approved = await slack.press(ADMIN, approve["action_id"], approve["value"])
    assert f"Mentor {dave.id} approved." in approved.text_to(ADMIN)
    assert slack.scalar("SELECT status FROM mentor_profiles") == "APPROVED"
    _, delivered = await slack.deliver()
    assert any("approved as a mentor" in c.text for c in delivered if c.channel == DAVE)
    queue = home_buttons(await slack.home(DAVE))
    assert "Queue" in queue and "Become a mentor" not in queue


async def test_the_slash_command_opens_it_at_once_for_someone_new(slack: SlackHarness) -> None:
    slack.fake.delays["users.info"] = 5.0
    started = time.monotonic()
    answer = await typed(slack, ERIN, "become_mentor", settle=False)
    assert answer.status == 200 and answer.seconds < 3.0
    opened = await slack.fake.wait_for("views.open", timeout=3.0)
    assert time.monotonic() - started < 3.0
    assert opened.view["callback_id"] == "mentor_application"
    await slack.settle()  # registered meanwhile: Apply works
    sent = await slack.submit(ERIN, opened.view, {**ANSWERS, "expertise_tags": ""})
    assert sent.body == "", sent.body
    assert slack.scalar("SELECT status FROM mentor_profiles") == "PENDING"


async def test_it_is_offered_to_anyone_not_approved_or_waiting(slack: SlackHarness) -> None:
    assert "Become a mentor" in home_buttons(await slack.home(ERIN))
    slack.seed_mentor(DAVE, ["python"], approve=False)
    assert "Become a mentor" not in home_buttons(await slack.home(DAVE))
    slack.seed_mentor(BOB, ["python"])
    assert "Become a mentor" not in home_buttons(await slack.home(BOB))
