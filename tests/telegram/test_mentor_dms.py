"""A new request by DM to the mentors whose tags it shares, claimed from that DM.

Alice (student) asks for help tagged python. Bob and Frank mentor python, Carol data
science; the mentors' group gets its card as before, and Bob and Frank also get the card
in their private chat with the bot, with the same Claim button.
"""

from __future__ import annotations

import re
from datetime import timedelta

from core.policy import Policy
from tests.support.fake_telegram import FakeTelegram, User
from tests.telegram.harness import (
    ALICE,
    BOB,
    CAROL,
    GROUP,
    BotHarness,
    register,
    submit_request,
)

FRANK = User(3004, "Frank")  # approved mentor, python too


def claim_buttons(tg: BotHarness, chat_id: int) -> list[str]:
    """The Claim buttons in a chat, newest message last."""
    return [
        d
        for (chat, _), m in sorted(tg.fake.messages.items())
        if chat == chat_id
        for d in m.callback_data
        if d.startswith("a:claim:")
    ]


async def _people(tg: BotHarness) -> None:
    tg.fake.add_group(GROUP)
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    tg.seed_mentor(FRANK, "Europe/Berlin", ["Python", "go"])
    tg.seed_mentor(CAROL, "America/New_York", ["data-science"])
    await register(tg, ALICE, "America/Los_Angeles")
    await tg.deliver()  # the mentors' "you are approved"


async def test_matching_mentors_get_the_card_by_dm_and_claim_from_it(tg: BotHarness) -> None:
    await _people(tg)
    request_id = await submit_request(
        tg, ALICE, title="Async Python in production", tags=("python",)
    )

    _, delivered = await tg.deliver()

    assert claim_buttons(tg, GROUP) == [f"a:claim:{request_id}"]  # the group card, as before
    for mentor in (BOB, FRANK):
        [dm] = delivered.to(mentor.id)
        assert dm.text.startswith(
            "New mentorship request matching your expertise (your tags: python)"
        ), dm.text
        assert "Async Python in production" in dm.text and "Student: Alice" in dm.text
        assert dm.callback_data == [f"a:claim:{request_id}"]
    assert delivered.to(CAROL.id) == []  # data science: the group only

    won = await tg.press(BOB, f"a:claim:{request_id}", BOB.id)
    assert won.answer.startswith(f"You claimed #{request_id}") and not won.alert
    assert "Pick a time (Europe/Berlin)" in won.text  # the slots, in Bob's chat

    lost = await tg.press(FRANK, f"a:claim:{request_id}", FRANK.id)
    assert lost.alert and lost.answer == "Already claimed by Bob."
    assert lost.to(FRANK.id) == []

    _, told = await tg.deliver()
    assert 'Good news: Bob will mentor you on "Async Python in production"' in told.text_to(
        ALICE.id
    )
    [edit] = [c for c in told.to(GROUP) if c.method == "editMessageText"]
    assert "Status: claimed by Bob" in edit.text and edit.buttons == []
    claimed_by = tg.scalar(
        "SELECT claimed_by FROM mentorship_requests WHERE id = :id", id=request_id
    )
    assert claimed_by == tg.member(BOB).id


async def test_dms_not_yet_sent_when_someone_claims_never_go_out(tg: BotHarness) -> None:
    await _people(tg)
    request_id = await submit_request(tg, ALICE, tags=("python",))

    # Carol claims from /queue before the delivery tick has sent anything
    queue = await tg.send(CAROL, "/queue")
    await tg.press(CAROL, queue.button(f"Claim #{request_id}"))
    _, delivered = await tg.deliver()

    assert delivered.to(BOB.id) == [] and delivered.to(FRANK.id) == []
    assert "Good news: Carol will mentor you" in delivered.text_to(ALICE.id)
    skipped = tg.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'request_matched' "
        "AND status IN ('CANCELLED', 'SKIPPED')"
    )
    assert skipped == 2


async def test_the_operator_can_keep_requests_to_the_group(
    database_url: str, fake: FakeTelegram
) -> None:
    tg = BotHarness(database_url, fake, policy=Policy(dm_matching_mentors=False))
    await tg.start()
    try:
        await _people(tg)
        request_id = await submit_request(tg, ALICE, tags=("python",))
        _, delivered = await tg.deliver()
        assert claim_buttons(tg, GROUP) == [f"a:claim:{request_id}"]
        assert delivered.to(BOB.id) == [] and delivered.to(FRANK.id) == []
    finally:
        await tg.stop()
        tg.close_database()


async def test_an_expired_request_posted_again_reaches_the_matching_mentors_again(
    tg: BotHarness,
) -> None:
    await _people(tg)
    request_id = await submit_request(tg, ALICE, tags=("python",))
    await tg.deliver()
    tg.clock.advance(timedelta(days=7, minutes=1))
    _, expired = await tg.deliver()
    assert f"a:repost:{request_id}" in expired.buttons(ALICE.id)
    # no new message to Bob (re-announcements are for the group); his DM card is redrawn
    assert [c.method for c in expired.to(BOB.id)] == ["editMessageText"]
    assert "Status: expired" in expired.text_to(BOB.id) and expired.buttons(BOB.id) == []

    again = await tg.press(ALICE, f"a:repost:{request_id}")
    match = re.search(r"Posted again as #(\d+)", again.answer)
    assert match, again.answer
    _, delivered = await tg.deliver()

    for mentor in (BOB, FRANK):
        assert [c.callback_data for c in delivered.to(mentor.id)] == [[f"a:claim:{match[1]}"]]
    assert delivered.to(CAROL.id) == []


async def test_dm_cards_are_redrawn_when_the_request_is_claimed(tg: BotHarness) -> None:
    """Frank's DM card loses its Claim button once Bob has the request, like the group's."""
    await _people(tg)
    request_id = await submit_request(tg, ALICE, title="Typing a big codebase", tags=("python",))
    await tg.deliver()
    assert claim_buttons(tg, FRANK.id) == [f"a:claim:{request_id}"]

    await tg.press(BOB, f"a:claim:{request_id}", GROUP)
    _, redrawn = await tg.deliver()

    edits = {c.params["chat_id"]: c for c in redrawn.calls if c.method == "editMessageText"}
    assert set(edits) >= {GROUP, FRANK.id, BOB.id}
    for edit in edits.values():
        assert "Status: claimed by Bob" in edit.text and edit.buttons == []
    assert claim_buttons(tg, FRANK.id) == [] and claim_buttons(tg, GROUP) == []
    assert CAROL.id not in edits  # Carol never had a DM card
