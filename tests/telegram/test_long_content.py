"""A long request is never cut silently: the preview arrives whole, over several messages
if it must, with "Submit it?" and its buttons under the last one; the card in the mentors'
group too; an edit in place (one message only) says that it was shortened. Lengths are
counted as Telegram counts them, in UTF-16 code units (an emoji is 2)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.fake_telegram import TEXT_LIMIT, Call, utf16_units
from tests.telegram.harness import (
    ALICE,
    BOB,
    GROUP,
    BotHarness,
    Exchange,
    fill_request,
    register,
)

LINE = "Paragraph {0:02}: we ship a monolith & want services. Where do I start, {0}?"
DESCRIPTION = "\n".join(LINE.format(i) for i in range(40))[:3000].strip()  # the maximum
ORGANIZATION = "Acme Research & Development Laboratories " * 4
LETTER = ("Dear referee, she led our data team for three years & shipped well. " * 40)[:2000]
ROCKETS = "🚀" * 1995  # 1,995 characters (the form allows 3,000) but 3,990 UTF-16 units


def words(text: str) -> str:
    return " ".join(text.split())


def sent_to(exchange: Exchange, chat_id: int) -> list[Call]:
    return [c for c in exchange.to(chat_id) if c.method == "sendMessage" and c.ok]


def assert_whole_preview(step: Exchange, *parts: str) -> None:
    """Every piece within the limit, together the whole preview, buttons on the last."""
    messages = sent_to(step, ALICE.id)
    preview = [m for m in messages if m.text.startswith("Type:")]
    assert preview, messages
    pieces = messages[messages.index(preview[0]) :]
    assert len(pieces) >= 2, "a preview over the limit takes several messages"
    assert all(utf16_units(m.text) <= TEXT_LIMIT for m in pieces)
    whole = words("\n".join(m.text for m in pieces))  # only whitespace is lost at a cut
    for part in (*parts, "Duration: ", "Urgency: ", "Available: ", "Tags: "):
        assert words(part) in whole, part
    assert pieces[-1].text.endswith("Submit it?")
    assert [m.callback_data for m in pieces[:-1]] == [[]] * (len(pieces) - 1)
    assert any(d.endswith(":submit") for d in pieces[-1].callback_data)
    assert not any(m.text.endswith("…") for m in pieces)


async def fill_personal_reference(tg: BotHarness) -> Exchange:
    step = await tg.send(ALICE, "/request")
    await tg.press(ALICE, step.button("Personal reference"))
    await tg.send(ALICE, "Reference for my promotion to staff engineer")
    await tg.send(ALICE, DESCRIPTION)
    await tg.send(ALICE, ORGANIZATION)
    step = await tg.send(ALICE, LETTER)
    step = await tg.press(ALICE, step.button("30 min"))
    step = await tg.press(ALICE, step.button("Low"))
    await tg.send(ALICE, "tomorrow")
    step = await tg.send(ALICE, "+5")
    step = await tg.press(ALICE, step.button("Done"))  # her hours: the default ones
    step = await tg.press(ALICE, step.button("Done"))  # no tags
    if "particular mentor" in step.text:
        step = await tg.press(ALICE, step.button("No preference"))
    return step


async def test_a_long_preview_comes_whole_with_submit_and_its_buttons_last(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    step = await fill_personal_reference(tg)
    assert_whole_preview(step, DESCRIPTION, ORGANIZATION.strip(), LETTER, "Duration: 30 min")
    submit = [d for d in sent_to(step, ALICE.id)[-1].callback_data if d.endswith(":submit")]
    done = await tg.press(ALICE, submit[0])
    assert "submitted" in done.text
    assert not tg.fake.violations


async def test_emoji_count_twice_toward_the_limit(tg: BotHarness) -> None:
    """Under 4,096 characters but over 4,096 UTF-16 units: Telegram would refuse it whole."""
    await register(tg, ALICE, "America/Los_Angeles")
    step = await fill_request(tg, ALICE, description=ROCKETS, urgency="High")
    assert_whole_preview(step, ROCKETS, "Urgency: high", "2026-03-03 to 2026-03-06")
    assert not tg.fake.violations


async def test_the_long_card_in_the_group_keeps_claim_and_its_edit_says_it_was_shortened(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    step = await fill_personal_reference(tg)
    submit = [d for d in sent_to(step, ALICE.id)[-1].callback_data if d.endswith(":submit")]
    await tg.press(ALICE, submit[0])
    tg.fake.add_group(GROUP)
    _, delivered = await tg.deliver()
    card = sent_to(delivered, GROUP)
    assert len(card) >= 2 and all(utf16_units(m.text) <= TEXT_LIMIT for m in card)
    whole = words("\n".join(m.text for m in card))
    assert words(DESCRIPTION) in whole and words(LETTER) in whole and "Available " in whole
    claim = card[-1].callback_data
    assert [m.callback_data for m in card[:-1]] == [[]] * (len(card) - 1)
    assert claim and claim[0].startswith("a:claim:")

    await tg.press(BOB, claim[0], GROUP)
    _, delivered = await tg.deliver()
    edits = [c for c in delivered.to(GROUP) if c.method == "editMessageText" and c.ok]
    assert edits, delivered.calls
    edit = edits[0]
    assert edit.params["message_id"] == card[-1].result["message_id"]  # the one with Claim
    assert utf16_units(edit.text) <= TEXT_LIMIT
    assert "… (shortened; full text in /my)\n" in edit.text
    assert edit.text.endswith("Status: claimed by Bob")  # the news survives the shortening
    assert not edit.callback_data  # no Claim left on a claimed request
    assert not tg.fake.violations


async def test_a_card_refused_halfway_is_finished_on_retry_without_repeating_a_piece(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    step = await fill_personal_reference(tg)
    submit = [d for d in sent_to(step, ALICE.id)[-1].callback_data if d.endswith(":submit")]
    await tg.press(ALICE, submit[0])
    tg.fake.add_group(GROUP)
    tg.fake.per_chat_limit = (1, 1.0)  # the second piece gets a 429 (retry after 1 s)
    _, first = await tg.deliver()
    assert [c.status for c in first.to(GROUP)][:2] == [200, 429]
    tg.fake.per_chat_limit = None
    tg.clock.advance(timedelta(seconds=2))
    _, retry = await tg.deliver()
    pieces = [c for c in tg.fake.calls_to(GROUP) if c.ok]
    assert len(pieces) >= 2 and len(retry.to(GROUP)) == len(pieces) - 1
    assert len({c.text for c in pieces}) == len(pieces)  # no piece went out twice
    assert pieces[-1].callback_data and not any(c.callback_data for c in pieces[:-1])
    assert not tg.fake.violations
