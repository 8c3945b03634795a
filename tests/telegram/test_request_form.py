"""A student's first contact and the /request form, over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from tests.telegram.harness import (
    ALICE,
    ERIN,
    GROUP,
    BotHarness,
    day_button,
    fill_request,
    register,
)


async def test_start_registers_and_asks_the_time_zone_once(tg: BotHarness) -> None:
    welcome = await tg.send(ALICE, "/start")
    assert "Which time zone are you in?" in welcome.text
    assert "tz:America/Los_Angeles" in welcome.buttons()
    assert len(welcome.replies) == 1 and welcome.replies[0].params.get("parse_mode") is None

    chosen = await tg.press(ALICE, "tz:America/Los_Angeles")
    assert chosen.answer == "Time zone: America/Los_Angeles" and not chosen.alert
    assert "Time zone set to America/Los_Angeles" in chosen.text
    assert tg.member(ALICE).timezone == "America/Los_Angeles"

    again = await tg.send(ALICE, "/start")  # a returning member is not asked again
    assert "Welcome back, Alice" in again.text and again.buttons() == []
    assert tg.scalar("SELECT count(*) FROM member_identities WHERE platform = 'telegram'") == 1

    # any IANA name can be typed instead of pressing a button
    await tg.send(ERIN, "/start")
    wrong = await tg.send(ERIN, "Mars/Olympus_Mons")
    assert "time zone" in wrong.text.lower() and tg.member(ERIN).timezone == "UTC"
    typed = await tg.send(ERIN, "Asia/Kolkata")
    assert "Time zone set to Asia/Kolkata" in typed.text
    assert tg.member(ERIN).timezone == "Asia/Kolkata"

    commands = tg.fake.method_calls("setMyCommands")
    assert commands == []  # the runner registers them in post_init, not build_application


async def test_full_request_form_with_buttons_back_calendar_tags_and_submit(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    first = await tg.send(ALICE, "/request")
    assert first.text.startswith("What kind of session do you need?")
    assert {"f:back", "f:cancel"} <= set(first.buttons())  # Back and Cancel on every step

    title = await tg.press(ALICE, first.button("Mock interview"))
    assert "short title" in title.text
    too_short = await tg.send(ALICE, "Hi")
    assert "title" in too_short.text.lower() and "short title" in too_short.text
    description = await tg.send(ALICE, "Backend interview at a bank")
    assert "Describe it" in description.text

    # Back returns to the title, the typed answer is kept and can be replaced
    back = await tg.press(ALICE, "f:back", ALICE.id)
    assert "short title" in back.text
    await tg.send(ALICE, "Backend interview at a fintech")
    await tg.send(ALICE, "Two rounds: system design and Python.")
    # a mock interview asks its extra fields as free text
    domain = tg.fake.last_bot_message(ALICE.id)
    assert domain is not None and "Domain" in domain.text
    await tg.send(ALICE, "backend")
    await tg.send(ALICE, "Three years of QA automation")
    duration = await tg.send(ALICE, "Senior backend engineer")
    assert "How long" in duration.text

    # an old step's button (its message is still in the chat) is not applied to this step
    stale_type = tg.fake.find_button_message(ALICE.id, first.button("Resume review"))
    assert stale_type is not None
    stale = await tg.press(ALICE, first.button("Resume review"))
    assert "earlier step" in stale.text and "How long" in stale.text

    urgency = await tg.press(ALICE, duration.button("60 min"))
    assert "How urgent" in urgency.text
    typed_instead = await tg.send(ALICE, "very")
    assert "Please tap one of the buttons" in typed_instead.text
    calendar = await tg.press(ALICE, urgency.button("Normal"))
    assert "From which day" in calendar.text
    # today in Los Angeles is 2 March 2026 (08:00 UTC): no day before it can be pressed
    assert any(d.endswith(":day:2026-03-02") for d in calendar.buttons())
    assert not any(d.endswith(":day:2026-03-01") for d in calendar.buttons())
    labels = [b["text"] for c in calendar.replies for b in c.buttons]
    assert "March 2026" in labels and "·1" in labels  # the 1st is shown, not pressable
    assert not any("Prev" in label for label in labels)  # no month in the past

    april = await tg.press(ALICE, next(d for d in calendar.buttons() if ":month:" in d))
    assert any("April 2026" in b["text"] for c in april.replies for b in c.buttons)
    assert any(d.endswith(":day:2026-04-01") for d in april.buttons())
    noop = await tg.press(ALICE, next(d for d in april.buttons() if d.endswith(":noop")))
    assert noop.answer == "" and noop.replies == []  # a header or blank cell: just answered
    until = await tg.press(ALICE, day_button(april, "2026-04-02"))
    assert "Until which day" in until.text
    # until before from is refused with the core's message, the calendar shown again
    before = await tg.send(ALICE, "2026-04-01")
    assert "Until which day" in before.text and "until" in before.text.lower()
    hours = await tg.press(ALICE, day_button(before, "2026-04-10"))
    assert "Which hours of the day suit you" in hours.text
    # all three periods are ticked at first (the default); a tap unticks mornings
    ticked = [b["text"] for c in hours.replies for b in c.buttons]
    assert {"✓ Mornings 07-12", "✓ Afternoons 12-17", "✓ Evenings 17-22"} <= set(ticked)
    unticked = await tg.press(ALICE, hours.button("Mornings"))
    shown = [b["text"] for c in unticked.replies for b in c.buttons]
    assert "Mornings 07-12" in shown and "✓ Evenings 17-22" in shown, shown
    tags = await tg.press(ALICE, unticked.button("Done"))
    assert "Tags help" in tags.text

    picked = await tg.press(ALICE, tags.button("python"))
    assert any(b["text"] == "✓ python" for c in picked.replies for b in c.buttons)
    preview = await tg.send(ALICE, "fintech, system-design")  # typed tags join the picked
    assert "Submit it?" in preview.text
    for expected in (
        "Type: Mock interview",
        "Title: Backend interview at a fintech",
        "Duration: 60 min",
        "Urgency: normal",
        "Available: 2026-04-02 to 2026-04-10",
        "Hours: afternoons, evenings (12:00-22:00) (your time)",
        "Tags: python, fintech, system-design",
        "Target role: Senior backend engineer",
    ):
        assert expected in preview.text, preview.text

    submitted = await tg.press(ALICE, preview.button("Submit"))
    assert "Request #1 submitted" in submitted.text
    row = tg.scalar(
        "SELECT session_type || '|' || title || '|' || duration_minutes || '|' || urgency "
        "FROM mentorship_requests"
    )
    assert row == "MOCK_INTERVIEW|Backend interview at a fintech|60|normal"
    assert tg.scalar("SELECT student_hours FROM mentorship_requests") == "12:00-22:00"
    assert tg.store.load(f"tg:user:{ALICE.id}") == {}  # the finished form is not kept

    # the preview's Submit pressed again: the form is over, a plain answer and no new row
    again = await tg.press(ALICE, preview.button("Submit"))
    assert again.alert and "no longer works" in again.answer
    assert tg.scalar("SELECT count(*) FROM mentorship_requests") == 1

    # delivery posts the card to the mentors' group with a Claim button
    _, delivered = await tg.deliver()
    card = delivered.to(GROUP)
    assert len(card) == 1 and card[0].callback_data == ["a:claim:1"]
    assert "Backend interview at a fintech" in card[0].text


async def test_cancel_button_and_command_leave_nothing(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    first = await tg.send(ALICE, "/request")
    title = await tg.press(ALICE, first.button("Resume review"))
    await tg.send(ALICE, "Check my CV")
    cancelled = await tg.press(ALICE, "f:cancel", ALICE.id)
    assert cancelled.answer == "" and "Stopped. Nothing was saved." in cancelled.text
    # the old form's buttons now get a plain answer, not an error
    late = await tg.press(ALICE, title.buttons()[0])
    assert late.alert and "no longer works" in late.answer

    preview = await fill_request(tg, ALICE)
    stopped = await tg.send(ALICE, "/cancel")
    assert "Stopped. Nothing was saved." in stopped.text
    late_submit = await tg.press(ALICE, preview.button("Submit"))
    assert "no longer works" in late_submit.answer
    assert tg.scalar("SELECT count(*) FROM mentorship_requests") == 0
    with tg.db.connect() as connection:
        kept = connection.execute(
            text("SELECT count(*) FROM conversation_state WHERE key LIKE 'tg:conv:%'")
        ).scalar()
    assert kept == 0


async def test_preview_edit_of_the_type_asks_its_new_questions_then_the_preview(
    tg: BotHarness,
) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    preview = await fill_request(tg, ALICE, title="First title here")
    picker = await tg.press(ALICE, preview.button("Edit"))
    kind = await tg.press(ALICE, picker.button("Session type"))
    assert "What kind of session" in kind.text and "Current answer: Career" in kind.text
    same = await tg.press(ALICE, kind.button("Keep:"))
    assert "Submit it?" in same.text  # nothing else asked: the type did not change
    assert "Title: First title here" in same.text and "Tags: python" in same.text
    old = await tg.press(ALICE, picker.button("Title"))  # the picker is gone: an old button
    assert old.alert or "earlier step" in old.text, old.text
    done = await tg.press(ALICE, same.button("Submit"))
    assert "submitted" in done.text
    assert tg.scalar("SELECT title FROM mentorship_requests") == "First title here"
