"""/become_mentor on Telegram asks the shared application form: each answer is checked as
it is given (a 5,000-character domain, "abc" years, a bad tag are refused at once, the
answers before them kept), tags typed as ``python; sql`` are two tags, the form survives
a crash (it lives in the person's stored ``user_data``), and the admin approves the
PENDING application with /admin's button."""

from __future__ import annotations

from tests.telegram.harness import ADMIN, DAVE, BotHarness, register

DOMAIN_PROMPT = "Your domain (e.g. Backend engineering)?"
YEARS_PROMPT = "Years of experience (a number)?"


def stored_form(tg: BotHarness) -> dict[str, object] | None:
    data = tg.store.load(f"tg:user:{DAVE.id}") or {}
    found = data.get("mentor_form")
    return found if isinstance(found, dict) else None


async def test_each_answer_is_checked_when_given_and_the_admin_approves(
    tg: BotHarness,
) -> None:
    await register(tg, ADMIN, "UTC")
    await register(tg, DAVE, "Asia/Tokyo")

    assert (await tg.send(DAVE, "/become_mentor")).text.startswith(DOMAIN_PROMPT)
    too_long = await tg.send(DAVE, "D" * 5000)
    assert too_long.text == (
        f"Domain is too long: 5000 characters, at most 100 allowed.\n{DOMAIN_PROMPT}"
    )
    assert (await tg.send(DAVE, "Data engineering")).text == YEARS_PROMPT
    assert (await tg.send(DAVE, "abc")).text == (
        f"Please give the years as a whole number, e.g. 5.\n{YEARS_PROMPT}"
    )
    assert (
        await tg.send(DAVE, "81")
    ).text == f"Years of experience must be 0 to 80.\n{YEARS_PROMPT}"
    assert (await tg.send(DAVE, "7")).text == "A short bio for students?"
    assert stored_form(tg) == {
        "answers": {"domain": "Data engineering", "years_experience": "7"},
        "position": 2,
    }

    await tg.crash()  # the form is the person's stored state: a new process carries on
    await tg.restart_after_crash()
    tags = await tg.send(DAVE, "I build data pipelines.")
    assert tags.text.startswith("Your expertise tags")
    bad = await tg.send(DAVE, "python, c++!!")
    assert bad.text.startswith("Tag 'c++!!' may use only letters, digits and - + # .")
    assert bad.text.endswith("Your expertise tags, comma-separated (e.g. python, system-design)?")
    assert tg.scalar("SELECT count(*) FROM mentor_profiles") == 0

    done = await tg.send(DAVE, "python; sql")
    assert done.text == (
        "Thank you! An admin will review your application. "
        "Send /availability to set your weekly times."
    )
    assert stored_form(tg) is None
    dave_id = tg.member(DAVE).id
    assert tg.scalar("SELECT status FROM mentor_profiles") == "PENDING"
    assert tg.scalar("SELECT domain FROM mentor_profiles") == "Data engineering"
    assert tg.scalar("SELECT years_experience FROM mentor_profiles") == 7

    admin = await tg.send(ADMIN, "/admin")
    assert "Data engineering, 7 y; python, sql" in admin.text
    approved = await tg.press(ADMIN, f"a:approve:{dave_id}")
    assert approved.answer == f"Mentor {dave_id} approved."
    assert tg.scalar("SELECT status FROM mentor_profiles") == "APPROVED"


async def test_back_keeps_the_answers_before_cancel_drops_the_form_an_old_one_goes_on(
    tg: BotHarness,
) -> None:
    await register(tg, DAVE, "Asia/Tokyo")
    await tg.send(DAVE, "/become_mentor")
    await tg.send(DAVE, "Frontend")
    await tg.send(DAVE, "4")
    assert (await tg.send(DAVE, "/back")).text == YEARS_PROMPT
    assert stored_form(tg) == {"answers": {"domain": "Frontend"}, "position": 1}
    assert (await tg.send(DAVE, "5")).text == "A short bio for students?"
    assert (await tg.send(DAVE, "/cancel")).text == "Stopped. Nothing was saved."
    assert stored_form(tg) is None
    assert tg.scalar("SELECT count(*) FROM mentor_profiles") == 0

    # a form half-filled before this version (answers by question name) is not lost
    await tg.send(DAVE, "/become_mentor")
    await tg.crash()
    key = f"tg:user:{DAVE.id}"
    old = {"domain": "Web", "years": "3"}
    tg.store.save(key, {**(tg.store.load(key) or {}), "mentor_form": old})
    await tg.restart_after_crash()
    assert (await tg.send(DAVE, "I build UIs.")).text.startswith("Your expertise tags")
    assert "An admin will review" in (await tg.send(DAVE, "react")).text
    assert tg.scalar("SELECT domain FROM mentor_profiles") == "Web"
    assert tg.scalar("SELECT years_experience FROM mentor_profiles") == 3


async def test_a_request_form_opened_over_it_pauses_it_until_become_mentor(
    tg: BotHarness,
) -> None:
    await register(tg, DAVE, "Asia/Tokyo")
    await tg.send(DAVE, "/become_mentor")
    await tg.send(DAVE, "Frontend")
    opened = await tg.send(DAVE, "/request")
    title = await tg.press(DAVE, opened.button("Career guidance"))
    assert "short title" in title.text
    # the request form's answers, not the application's
    assert "Describe it" in (await tg.send(DAVE, "Moving from QA to backend")).text
    assert stored_form(tg) == {"answers": {"domain": "Frontend"}, "position": 1, "paused": True}

    resumed = await tg.send(DAVE, "/become_mentor")
    assert "Your request is saved as a draft" in resumed.text
    assert f"You have a mentor application in progress; let's go on.\n{YEARS_PROMPT}" in (
        resumed.text
    )
    assert (await tg.send(DAVE, "4")).text == "A short bio for students?"


async def test_applying_right_after_start_leaves_the_time_zone_question(tg: BotHarness) -> None:
    welcome = await tg.send(DAVE, "/start")
    assert "Which time zone" in welcome.text
    await tg.send(DAVE, "/become_mentor")
    assert (await tg.send(DAVE, "Frontend")).text == YEARS_PROMPT
    assert stored_form(tg) == {"answers": {"domain": "Frontend"}, "position": 1}
