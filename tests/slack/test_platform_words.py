"""Slack never tells anyone to send a Telegram command: core's pointers (become a mentor,
see the queue, your limits) are phrased the Slack way (Home tab, the slash command)."""

from __future__ import annotations

from core.services.mentors import apply_as_mentor, decide_mentor
from core.services.requests import submit_request
from tests.slack.harness import ADMIN, ALICE, BOB, CHANNEL, DAVE, SlackHarness, draft

TELEGRAM_WORDS = ("Send /become_mentor", "Send /queue", "/limits", "Send /start")


async def test_a_student_pressing_claim_is_pointed_to_the_slack_mentor_application(
    slack: SlackHarness,
) -> None:
    slack.seed_mentor(BOB, ["python"])
    request = submit_request(slack.ctx, slack.person(ALICE).id, draft())
    slack.person(DAVE)
    before = slack.snapshot()
    refused = await slack.press(DAVE, "a:claim:0", str(request.id), channel=CHANNEL)
    told = refused.text_to(DAVE)
    assert "Only mentors can do that." in told
    assert "Home tab → Become a mentor (or /mentorship become_mentor)" in told
    assert not any(word in told for word in TELEGRAM_WORDS), told
    assert slack.snapshot() == before


async def test_the_approval_message_points_to_the_slack_queue(slack: SlackHarness) -> None:
    dave = slack.person(DAVE)
    apply_as_mentor(
        slack.ctx, dave.id, domain="Frontend", years_experience=4, bio="UIs.", expertise_tags=[]
    )
    decide_mentor(slack.ctx, slack.person(ADMIN, admin=True).id, dave.id, approve=True)
    _, calls = await slack.deliver()
    approved = "\n".join(c.text for c in calls if c.channel == DAVE)
    assert "You are approved as a mentor. Welcome!" in approved
    assert "/mentorship queue" in approved and "Send /queue" not in approved
