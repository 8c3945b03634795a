"""'Request <name>' under the App Home's mentors: the form opens with that mentor chosen."""

from __future__ import annotations

from typing import Any

from tests.slack.harness import ALICE, BOB, CAROL, DAVE, FORM_VALUES, SlackHarness

FORM = FORM_VALUES | {"urgency": "normal", "tags_new": ""}


def ask_buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Request buttons of a Home view, by their label."""
    return {
        e["text"]["text"]: e
        for b in view["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("home:ask:")
    }


def chosen_mentor(view: dict[str, Any]) -> str | None:
    for block in view["blocks"]:
        element = block.get("element") or {}
        if block.get("block_id") == "preferred_mentor_id" and element.get("initial_option"):
            return str(element["initial_option"]["value"])
    return None


async def test_request_a_mentor_from_home_then_submit(slack: SlackHarness) -> None:
    bob = slack.seed_mentor(BOB, ["python"])
    slack.seed_mentor(CAROL, ["data-science"])
    slack.person(ALICE)
    home = await slack.home(ALICE)
    [published] = home.of("views.publish")
    buttons = ask_buttons(published.view)
    assert set(buttons) == {"Request Bob", "Request Carol"}, set(buttons)

    ask = buttons["Request Bob"]
    opened = await slack.press(ALICE, ask["action_id"], ask["value"])
    [modal] = opened.of("views.open")
    assert chosen_mentor(modal.view) == str(bob.id)

    done = await slack.submit(ALICE, modal.view, FORM | {"preferred_mentor_id": str(bob.id)})
    assert done.status == 200 and done.form_saved, done.body
    assert slack.scalar("SELECT preferred_mentor_id FROM mentorship_requests") == bob.id


async def test_refused_presses_open_no_form(slack: SlackHarness) -> None:
    bob = slack.seed_mentor(BOB, ["python"])
    dave = slack.seed_mentor(DAVE, ["python"], approve=False)
    alice = slack.person(ALICE)
    before = slack.snapshot()
    for user, value, expected in (
        (BOB, str(bob.id), "yourself"),  # one's own button (forged: Home hides it)
        (ALICE, str(dave.id), "not"),  # not an approved mentor
        (ALICE, str(alice.id), "not"),  # a student
        (ALICE, "99999", "not"),  # nobody
        (ALICE, "1:2", "no longer works"),  # garbled
        (ALICE, "", "no longer works"),
    ):
        answer = await slack.press(user, "home:ask:0", value)
        assert answer.status == 200
        assert not answer.of("views.open"), (user, value)
        told = " ".join(c.text for c in answer.calls if c.method.startswith("chat.post"))
        assert expected in told.lower(), (user, value, told)
    assert slack.snapshot() == before
