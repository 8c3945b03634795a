"""A mentor applies in a conversation, the admin approves with a button, the mentor sets
availability, sees the queue, gets a request assigned; commands for everyone."""

from __future__ import annotations

from tests.telegram.harness import (
    ADMIN,
    ALICE,
    DAVE,
    GROUP,
    BotHarness,
    register,
    submit_request,
)


async def test_become_mentor_admin_approves_availability_queue_and_assign(
    tg: BotHarness,
) -> None:
    await register(tg, ADMIN, "UTC")
    await register(tg, DAVE, "Asia/Tokyo")
    await register(tg, ALICE, "America/Los_Angeles")

    asked = await tg.send(DAVE, "/become_mentor")
    assert "Your domain" in asked.text
    assert "Years of experience" in (await tg.send(DAVE, "Frontend <web> & mobile")).text
    assert "whole number" in (await tg.send(DAVE, "many")).text
    assert "short bio" in (await tg.send(DAVE, "4")).text
    assert "expertise tags" in (await tg.send(DAVE, "I build UIs.")).text
    done = await tg.send(DAVE, "javascript, frontend")
    assert "An admin will review" in done.text

    not_yet = await tg.send(DAVE, "/queue")
    assert "not approved yet" in not_yet.text

    _, delivered = await tg.deliver()
    application = delivered.to(ADMIN.id)
    assert len(application) == 1 and "Dave applied to be a mentor" in application[0].text
    dave_id = tg.member(DAVE).id
    assert application[0].callback_data == [f"a:approve:{dave_id}", f"a:reject:{dave_id}"]

    admin_view = await tg.send(ADMIN, "/admin")
    assert "1 mentor application(s) waiting" in admin_view.text
    assert f"a:approve:{dave_id}" in admin_view.buttons()
    approved = await tg.press(ADMIN, f"a:approve:{dave_id}")
    assert approved.answer == f"Mentor {dave_id} approved."
    _, delivered = await tg.deliver()
    assert "You are approved as a mentor" in delivered.text_to(DAVE.id)

    windows = await tg.send(DAVE, "/availability add Mon 18:00-20:00")
    assert "Mon 18:00-20:00" in windows.text and "(Asia/Tokyo)" in windows.text
    bad = await tg.send(DAVE, "/availability add Funday 18:00-20:00")
    assert "Unknown day" in bad.text
    removed = await tg.press(DAVE, windows.buttons()[0])
    assert removed.answer == "Removed Monday 18:00-20:00."
    assert tg.scalar("SELECT count(*) FROM availability_windows") == 0
    for day in ("Tue", "Wed", "Thu"):
        await tg.send(DAVE, f"/availability add {day} 09:00-18:00")

    request_id = await submit_request(tg, ALICE, title="Help me with React hooks")
    queue = await tg.send(DAVE, "/queue")
    assert "Help me with React hooks" in queue.text
    assert queue.buttons() == [f"a:claim:{request_id}"]

    mentors = await tg.send(ALICE, "/mentors")
    assert "Dave" in mentors.text and "no ratings yet" in mentors.text
    limits = await tg.send(ALICE, "/limits")
    assert limits.text.startswith("Your limits:")

    usage = await tg.send(ADMIN, "/assign 1")
    assert "Usage: /assign" in usage.text
    assigned = await tg.send(ADMIN, f"/assign {request_id} {dave_id}")
    assert f"Request #{request_id} is assigned" in assigned.text
    _, delivered = await tg.deliver()
    told = delivered.to(DAVE.id)
    assert told and f"a:slots:{request_id}" in told[0].callback_data
    assert "Good news: Dave will mentor you" in delivered.text_to(ALICE.id)
    slots = await tg.press(DAVE, f"a:slots:{request_id}")
    assert "Pick a time (Asia/Tokyo)" in slots.text and slots.buttons()

    mine = await tg.send(ALICE, "/my")
    assert "Help me with React hooks" in mine.text
    assert f"a:cancel:{request_id}" in mine.buttons()
    asked = await tg.press(ALICE, f"a:cancel:{request_id}")  # first: why?
    assert "Why are you cancelling?" in asked.text and "/skip" in asked.text, asked.text
    assert tg.scalar("SELECT status FROM mentorship_requests") != "CANCELLED"  # not yet
    cancelled = await tg.send(ALICE, "/skip")  # no reason
    assert cancelled.text == f"Request #{request_id} cancelled.", cancelled.text
    assert tg.scalar("SELECT status FROM mentorship_requests") == "CANCELLED"


async def test_help_unknown_commands_and_chatter(tg: BotHarness) -> None:
    await register(tg, ALICE, "America/Los_Angeles")
    helped = await tg.send(ALICE, "/help")
    assert "/request" in helped.text and "/claim" not in helped.text
    unknown = await tg.send(ALICE, "/frobnicate")
    assert "I do not know that command" in unknown.text
    chatter = await tg.send(ALICE, "hello there")
    assert "Send /help" in chatter.text
    nothing = await tg.send(ALICE, "/my")
    assert "no requests or sessions yet" in nothing.text
    tg.fake.add_group(GROUP)  # chatter in the mentors' group is not answered
    assert (await tg.send(ALICE, "hello everyone", GROUP)).calls == []
