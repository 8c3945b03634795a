"""Telegram specifics of issue 10, over real HTTP to the fake Bot API, on SQLite and
PostgreSQL: edits are never answers, forms and personal commands only in private (a group
gets a deep link), non-text messages get a plain word, channel posts are ignored, and
/cancel and /back outside a form say there is nothing to do.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.handlers.telegram.deep_links import deep_link, parse_payload, payload
from tests.support.fake_telegram import User
from tests.telegram.harness import (
    ALICE,
    BOB,
    DAVE,
    ERIN,
    GROUP,
    BotHarness,
    Exchange,
    day_button,
    register,
)

LINK = "https://t.me/mentor_bot?start="  # the fake Bot API's getMe answers @mentor_bot
EDIT_IGNORED = "I saw you edited a message; edits are not used."
TYPE_PLEASE = "Please type your answer"
CHANNEL_ID = -1009876543210
CHANNEL: dict[str, Any] = {"id": CHANNEL_ID, "type": "channel", "title": "Announcements"}
STICKER = {
    "file_id": "st1",
    "file_unique_id": "stu1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}
PHOTO = [{"file_id": "ph1", "file_unique_id": "phu1", "width": 90, "height": 90}]
VOICE = {"file_id": "vo1", "file_unique_id": "vou1", "duration": 2}


async def edit(tg: BotHarness, user: User, original: Exchange, text: str) -> Exchange:
    """The person edits the message ``original`` sent: Telegram's ``edited_message``."""
    update = tg.fake.message_update(user, "(placeholder)")  # a fresh update id
    message = dict(original.update["message"], text=text)
    message["edit_date"] = message["date"] + 30
    del update["message"]
    update["edited_message"] = message
    return await tg.deliver_update(update, message["chat"]["id"])


async def send_media(tg: BotHarness, user: User, kind: str, media: Any) -> Exchange:
    """A sticker, photo or voice message (no text) in the person's private chat."""
    update = tg.fake.message_update(user, "(placeholder)")
    del update["message"]["text"]
    update["message"][kind] = media
    return await tg.deliver_update(update, user.id)


async def post_in_channel(tg: BotHarness, *, edited: bool) -> Exchange:
    """A channel post (no sender, a channel chat) reaching the bot, as a channel admin
    who added the bot would cause."""
    update = tg.fake.message_update(ALICE, "(placeholder)")
    post = {"message_id": 7, "date": update["message"]["date"], "chat": CHANNEL}
    post |= {"sender_chat": CHANNEL, "text": "/start big news"}
    del update["message"]
    update["edited_channel_post" if edited else "channel_post"] = post
    return await tg.deliver_update(update, CHANNEL_ID)


# ---------------------------------------------------------------- 1. edits


async def test_an_edited_answer_is_not_used_and_later_answers_do_not_shift(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Career guidance"))
    title = await tg.send(ALICE, "Moving from QA to backend")
    assert "Describe it" in title.text

    edited = await edit(tg, ALICE, title, "Moving from QA to data science")
    assert EDIT_IGNORED in edited.text
    assert "Please send the answer again as a new message." in edited.text
    assert "How long" not in edited.text  # the edit did not answer the description

    duration = await tg.send(ALICE, "I test APIs all day; how do I start writing them?")
    assert "How long" in duration.text
    step = await tg.press(ALICE, duration.button("45 min"))
    step = await tg.press(ALICE, step.button("High"))
    step = await tg.press(ALICE, day_button(step, "2026-03-03"))
    step = await tg.press(ALICE, day_button(step, "2026-03-06"))
    step = await tg.press(ALICE, step.button("Done"))  # her hours: the default ones
    preview = await tg.send(ALICE, "python")
    assert "Title: Moving from QA to backend" in preview.text, preview.text
    assert "I test APIs all day" in preview.text and "Duration: 45 min" in preview.text


async def test_an_edit_is_not_a_mentor_application_answer_nor_an_awaited_one(
    tg: BotHarness,
) -> None:
    await register(tg, DAVE, "Asia/Tokyo")
    await tg.send(DAVE, "/become_mentor")
    domain = await tg.send(DAVE, "Frontend")
    assert "Years of experience" in domain.text
    edited = await edit(tg, DAVE, domain, "Backend")
    assert EDIT_IGNORED in edited.text and "whole number" not in edited.text
    assert "short bio" in (await tg.send(DAVE, "4")).text
    assert "expertise tags" in (await tg.send(DAVE, "I build UIs.")).text
    assert "An admin will review" in (await tg.send(DAVE, "javascript")).text
    assert tg.scalar("SELECT domain FROM mentor_profiles") == "Frontend"

    # the time zone awaited after /start: an edit does not set it
    welcome = await tg.send(ERIN, "/start")
    assert "Which time zone" in welcome.text
    typed = await tg.send(ERIN, "Mars/Olympus")
    assert "time zone" in typed.text.lower()
    edited = await edit(tg, ERIN, typed, "Asia/Tokyo")
    assert EDIT_IGNORED in edited.text
    assert tg.member(ERIN).timezone == "UTC"
    assert "Asia/Kolkata" in (await tg.send(ERIN, "Asia/Kolkata")).text


# ---------------------------------------------------------------- 2. private chats only


async def test_forms_and_personal_commands_in_a_group_point_to_the_private_chat(
    tg: BotHarness,
) -> None:
    tg.fake.add_group(GROUP)
    await register(tg, ALICE, "America/Los_Angeles")

    pointed = await tg.send(ALICE, "/request", GROUP)
    assert pointed.text_to(GROUP) == (
        f"Alice, please send /request in our private chat: {LINK}request"
    )
    assert "What kind of session" not in pointed.text_to(GROUP)
    # the group's chatter never becomes an answer, whatever was said before
    assert (await tg.send(ALICE, "Moving from QA to backend", GROUP)).calls == []

    opened = await tg.send(ALICE, "/start request")
    assert opened.text.startswith("What kind of session do you need?")
    title = await tg.press(ALICE, opened.button("Career guidance"))
    assert "short title" in title.text
    assert (await tg.send(ALICE, "lunch anyone?", GROUP)).calls == []
    assert "Describe it" in (await tg.send(ALICE, "Moving from QA to backend")).text
    await tg.send(ALICE, "/cancel")

    for command in ("become_mentor", "my", "limits", "availability", "timezone"):
        reply = await tg.send(ALICE, f"/{command}", GROUP)
        assert f"{LINK}{command}" in reply.text_to(GROUP), (command, reply.calls)
        assert len(reply.calls) == 1  # the pointer, nothing else
    assert "Your domain" in (await tg.send(ALICE, "/start become_mentor")).text
    await tg.send(ALICE, "/cancel")
    assert "You have no requests or sessions yet" in (await tg.send(ALICE, "/start my")).text
    zone = await tg.send(ALICE, "/start timezone")
    assert "Your time zone is America/Los_Angeles" in zone.text
    # anything else after /start (a time zone, an over-long or unknown payload) is ignored
    for argument in ("Europe/Berlin", "x" * 65, "no-such-thing", "ask-notanumber"):
        again = await tg.send(ALICE, f"/start {argument}")
        assert again.text.startswith("Welcome back, Alice!"), (argument, again.text)
    assert tg.member(ALICE).timezone == "America/Los_Angeles"


async def test_a_pending_answer_is_never_taken_from_the_group(tg: BotHarness) -> None:
    tg.fake.add_group(GROUP)
    welcome = await tg.send(ERIN, "/start")
    assert "Which time zone" in welcome.text
    assert (await tg.send(ERIN, "Asia/Tokyo", GROUP)).calls == []
    assert tg.member(ERIN).timezone == "UTC"
    assert "Time zone set to Asia/Kolkata" in (await tg.send(ERIN, "Asia/Kolkata")).text


async def test_a_request_button_pressed_in_a_group_opens_the_private_chat(
    tg: BotHarness,
) -> None:
    tg.fake.add_group(GROUP)
    bob = tg.seed_mentor(BOB, "Europe/Berlin", ["python"])
    await register(tg, ALICE, "America/Los_Angeles")
    listed = await tg.send(ALICE, "/mentors", GROUP)  # a public list: fine in a group
    assert "Bob" in listed.text_to(GROUP)

    pressed = await tg.press(ALICE, f"a:ask:{bob.id}", GROUP)
    assert pressed.answers[0].params.get("url") == f"{LINK}ask-{bob.id}"
    assert pressed.to(GROUP) == []  # no form in the group

    opened = await tg.send(ALICE, f"/start ask-{bob.id}")
    assert opened.text.startswith("A request for Bob: they are told personally")
    assert "What kind of session do you need?" in opened.text


def test_deep_links_follow_telegrams_payload_rule() -> None:
    assert deep_link("mentor_bot", "slots-12") == "https://t.me/mentor_bot?start=slots-12"
    assert deep_link("@mentor_bot", "") == "https://t.me/mentor_bot"
    assert payload("slots", 12) == "slots-12" and payload("request") == "request"
    for bad in ("x" * 65, "a b", "slots:12", "ü"):
        with pytest.raises(ValueError):
            deep_link("mentor_bot", bad)
    assert parse_payload(["slots-12"]) == ("slots", "12")
    assert parse_payload(["my"]) == ("my", "")
    assert parse_payload(["Europe/Berlin"]) is None
    assert parse_payload(["my", "extra"]) is None and parse_payload([]) is None


# ---------------------------------------------------------------- 3. non-text messages


async def test_stickers_photos_and_voice_get_a_plain_answer(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    outside = await send_media(tg, ALICE, "photo", PHOTO)
    assert outside.text == "I did not understand that. Send /help for what I can do."

    first = await tg.send(ALICE, "/request")
    await tg.press(ALICE, first.button("Career guidance"))
    sticker = await send_media(tg, ALICE, "sticker", STICKER)
    assert "Please type your answer (or press Back / Cancel)." in sticker.text
    assert "short title" in sticker.text  # the same step, asked again
    assert "Describe it" in (await tg.send(ALICE, "Moving from QA to backend")).text
    await tg.send(ALICE, "/cancel")

    await register(tg, DAVE, "Asia/Tokyo")
    await tg.send(DAVE, "/become_mentor")
    voice = await send_media(tg, DAVE, "voice", VOICE)
    assert TYPE_PLEASE in voice.text and "Your domain" in voice.text
    assert "Years of experience" in (await tg.send(DAVE, "Frontend")).text

    await tg.send(ERIN, "/start")  # the time zone is awaited
    awaited = await send_media(tg, ERIN, "sticker", STICKER)
    assert TYPE_PLEASE in awaited.text
    assert tg.member(ERIN).timezone == "UTC"


# ---------------------------------------------------------------- 4. channel posts


@pytest.mark.parametrize("edited", [False, True], ids=["post", "edited-post"])
async def test_channel_posts_are_ignored(
    tg: BotHarness, edited: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        posted = await post_in_channel(tg, edited=edited)
    assert posted.calls == []  # no reply, no apology to the channel
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


# ---------------------------------------------------------------- 5. /cancel, /back


async def test_cancel_and_back_outside_a_form_say_there_is_nothing_to_do(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    assert (await tg.send(ALICE, "/cancel")).text == "There is nothing to cancel."
    assert (await tg.send(ALICE, "/back")).text == "There is nothing to go back to."

    first = await tg.send(ALICE, "/request")  # inside a form both still do their work
    title = await tg.press(ALICE, first.button("Career guidance"))
    assert "short title" in title.text
    assert "What kind of session" in (await tg.send(ALICE, "/back")).text
    assert (await tg.send(ALICE, "/cancel")).text == "Stopped. Nothing was saved."
    assert (await tg.send(ALICE, "/cancel")).text == "There is nothing to cancel."

    await register(tg, DAVE, "Asia/Tokyo")  # the mentor application goes back too
    await tg.send(DAVE, "/become_mentor")
    await tg.send(DAVE, "Frontend")
    assert "Your domain" in (await tg.send(DAVE, "/back")).text
    assert "Years of experience" in (await tg.send(DAVE, "Backend")).text
