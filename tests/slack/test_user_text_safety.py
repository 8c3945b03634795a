"""What people type is shown on Slack exactly as typed and does nothing else: no ping, no
link, no bold or italics, no quote; in the channel card, the DMs, App Home and every
fallback text. A long text is split into sections at line breaks, never inside ``&amp;``."""

from __future__ import annotations

import re
from typing import Any

from tests.slack.harness import ALICE, BOB, CHANNEL, FORM_VALUES, SlackHarness
from tests.support.fake_slack import Call
from tests.support.slack_mrkdwn import active, mrkdwn_objects, shown

TITLE = "*bold* _it_ <!channel> <@U999> a&b"
DESCRIPTION = "Reviewing `code`?\n> not a quote\n~strike~ @here and @channel & snake_case"
LONG = "ab" + "&" * 1500  # 7,502 characters once escaped: the cuts fall among entities
ENTITY = re.compile(r"&(?:amp|lt|gt);")


async def submit(slack: SlackHarness, **values: Any) -> None:
    opened = (await slack.command(ALICE)).of("views.open")
    answer = await slack.submit(ALICE, opened[0].view, FORM_VALUES | values)
    assert answer.status == 200 and "errors" not in answer.body, answer.body


def texts_of(call: Call) -> list[tuple[str, bool]]:
    """(mrkdwn, verbatim) of the fallback text and of each mrkdwn object."""
    found = [(call.text, False)] if call.text else []
    found += [(o["text"], bool(o.get("verbatim"))) for o in mrkdwn_objects(call.blocks)]
    return found


async def test_a_title_with_markup_and_mentions_is_inert_everywhere(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    await submit(slack, title=TITLE, description=DESCRIPTION)
    _, calls = await slack.deliver()  # the channel card, Bob's DM card
    claim = next(
        b for c in calls if c.channel == CHANNEL for b in c.buttons() if "claim" in b["action_id"]
    )
    await slack.press(BOB, claim["action_id"], claim["value"], channel=CHANNEL)
    await slack.deliver()  # the card edited, "Good news" to Alice
    await slack.home(ALICE)
    await slack.home(BOB)

    places: set[str] = set()
    for call in slack.fake.calls:
        for text, verbatim in texts_of(call):
            if "bold" in shown(text) or "snake" in shown(text):
                assert active(text, verbatim=verbatim) == [], (call.method, text)
                assert TITLE in shown(text) or DESCRIPTION.split("\n")[-1] in shown(text)
                places.add(f"{call.method}:{call.channel or call.user or call.args['user_id']}")
    assert {
        f"chat.postMessage:{CHANNEL}",  # the card
        f"chat.postMessage:{BOB}",  # the DM card
        f"chat.update:{CHANNEL}",  # the card after the claim
        f"chat.postMessage:{ALICE}",  # "Good news: Bob will mentor you on …"
        f"views.publish:{ALICE}",  # App Home
        f"views.publish:{BOB}",
    } <= places, places
    card = next(c for c in slack.fake.named("chat.postMessage") if c.channel == CHANNEL)
    assert DESCRIPTION in shown("\n".join(t for t, _ in texts_of(card)[1:]))


async def test_a_long_text_is_split_into_sections_between_entities(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    await submit(slack, title="Entities at the cut", description=LONG)
    _, calls = await slack.deliver()
    card = next(c for c in calls if c.method == "chat.postMessage" and c.channel == CHANNEL)
    sections = [b["text"]["text"] for b in card.blocks if b["type"] == "section"]
    assert len(sections) >= 3
    for text in sections:
        assert len(text) <= 3000
        assert "&" not in ENTITY.sub("", text), text[:40] + " … " + text[-40:]
        assert not re.match(r"(?:amp|mp|p|lt|gt|t);", text), text[:40]
    # cut at the line break before the description first, then between entities
    assert sections[0].endswith("Entities at the cut") and sections[1].startswith("ab&amp;")
    assert shown("".join(sections[1:])).startswith(LONG)
    assert len(card.text) <= 3000 and card.text.endswith("… (shortened)")
    assert "&" not in ENTITY.sub("", card.text)
