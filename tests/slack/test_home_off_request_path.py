"""The Home tab is rebuilt after the request, off its path, once per person per burst.

Issue 14, item 3: a submission or a claim used to rebuild the person's Home (five or six
reads and a ``views.publish``) inside its own listener, so a slow Home held the request,
and under load every request's Home competed with the others' acks.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import pytest

from bot.handlers.slack.home_presence import LOOKING_FOR, presence_key, seen_at
from bot.handlers.slack.home_refresh import HomeRefresher
from tests.slack.harness import ALICE, FORM_VALUES, LISTENER_TASK, TEAM, SlackHarness
from tests.support.fake_slack import Call

SLOW_HOME = 1.5


async def _listeners_done() -> None:
    """Only Bolt's after-ack listeners, not the Home builds."""
    while True:
        running = [
            t
            for t in asyncio.all_tasks()
            if not t.done() and LISTENER_TASK in getattr(t.get_coro(), "__qualname__", "")
        ]
        if not running:
            return
        await asyncio.wait(running, timeout=10)


async def test_a_slow_home_does_not_hold_the_submission(slack: SlackHarness) -> None:
    await slack.home(ALICE)  # she is on her Home: it is rebuilt after her change
    opened = (await slack.command(ALICE)).of("views.open")[0].view
    await slack.settle()
    slack.fake.delays["views.publish"] = SLOW_HOME
    mark = len(slack.fake.calls)
    answer = await slack.post_payload(slack.submission(ALICE, opened, FORM_VALUES), settle=False)
    assert answer.status == 200
    assert json.loads(answer.body)["response_action"] == "update"
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _listeners_done()
    assert loop.time() - started < SLOW_HOME, "the listener waited for the Home tab"
    done = slack.fake.calls[mark:]
    dms = [c for c in done if c.method == "chat.postMessage" and "submitted" in c.text]
    assert dms, "the student is told the request is saved before the Home is rebuilt"
    assert not [c for c in done if c.method == "views.publish"]
    await slack.settle()
    published = [c for c in slack.fake.calls[mark:] if c.method == "views.publish"]
    assert len(published) == 1
    assert FORM_VALUES["title"] in json.dumps(published[0].view), "the Home shows the request"


async def test_changes_during_a_build_make_one_more_build_with_the_last_state() -> None:
    refresher = HomeRefresher(lanes=2)
    gate = asyncio.Event()
    built: list[str] = []
    at_once = 0
    most = 0

    def build(label: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            nonlocal at_once, most
            at_once += 1
            most = max(most, at_once)
            await gate.wait()
            built.append(label)
            at_once -= 1

        return run

    refresher.mark("U1", build("first"))
    await asyncio.sleep(0)  # the first build is under way
    for n in range(10):
        refresher.mark("U1", build(f"change {n}"))
    gate.set()
    await refresher.idle()
    assert built == ["first", "change 9"], "one build per burst, from the last change"
    assert most == 1, "a person's Home is never built twice at once"


async def test_someone_opening_their_home_goes_first() -> None:
    refresher = HomeRefresher(lanes=1)
    order: list[str] = []

    def build(label: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            order.append(label)

        return run

    for user in ("U1", "U2", "U3"):
        refresher.mark(user, build(user))
    refresher.mark("U9", build("U9"), first=True)
    await refresher.idle()
    assert order == ["U9", "U1", "U2", "U3"]


async def test_a_failing_build_is_logged_and_the_others_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refresher = HomeRefresher(lanes=1)
    built: list[str] = []

    async def broken() -> None:
        raise RuntimeError("views.publish exploded")

    async def fine() -> None:
        built.append("U2")

    with caplog.at_level(logging.WARNING):
        refresher.mark("U1", broken)
        refresher.mark("U2", fine)
        await refresher.idle()
    assert built == ["U2"]
    assert "could not rebuild a Home tab" in caplog.text
    refresher.mark("U1", fine)  # the person whose build failed is rebuilt next time
    await refresher.idle()
    assert built == ["U2", "U2"]


async def test_shutdown_drops_waiting_builds() -> None:
    refresher = HomeRefresher(lanes=1)
    started = asyncio.Event()
    built: list[str] = []

    async def slow() -> None:
        started.set()
        await asyncio.sleep(30)

    async def later() -> None:
        built.append("later")

    refresher.mark("U1", slow)
    refresher.mark("U2", later)
    await started.wait()
    refresher.close()
    await asyncio.wait_for(refresher.idle(), 5)
    assert built == [] and refresher.waiting == 0


async def _submit(slack: SlackHarness, user: str, title: str) -> list[Call]:
    opened = (await slack.command(user)).of("views.open")[0].view
    mark = len(slack.fake.calls)
    answer = await slack.submit(user, opened, dict(FORM_VALUES, title=title))
    assert answer.status == 200
    return [c for c in slack.fake.calls[mark:] if c.method == "views.publish"]


async def test_only_someone_lately_on_their_home_has_it_rebuilt_after_a_change(
    slack: SlackHarness,
) -> None:
    assert await _submit(slack, ALICE, "Never opened her Home") == []
    opened = (await slack.home(ALICE)).of("views.publish")
    assert len(opened) == 1 and "Never opened her Home" in json.dumps(opened[0].view)
    # on her Home a minute ago (a modal over it closes back onto it): rebuilt
    slack.clock.set(slack.clock.now() + timedelta(minutes=1))
    rebuilt = await _submit(slack, ALICE, "Asked while on her Home")
    assert len(rebuilt) == 1 and "Asked while on her Home" in json.dumps(rebuilt[0].view)
    # long gone from it: not rebuilt now, but whenever she opens it again
    slack.clock.set(slack.clock.now() + LOOKING_FOR)
    assert await _submit(slack, ALICE, "Asked from a channel later") == []
    later = (await slack.home(ALICE)).of("views.publish")
    assert "Asked from a channel later" in json.dumps(later[0].view)


async def test_a_press_on_the_home_marks_them_there_for_every_process(
    slack: SlackHarness,
) -> None:
    """The mark is a row, read with the request's de-duplication: another process (or
    this one after a restart) knows it too."""
    answer = await slack.press(ALICE, "home:new")
    assert answer.of("views.open"), "the form opens from the Home"
    stored = slack.store.load(presence_key(TEAM, ALICE))
    assert seen_at(stored) == slack.clock.now()
    assert len(await _submit(slack, ALICE, "From the Home's button")) == 1


async def test_a_bad_stored_mark_means_not_looking_and_nothing_breaks(
    slack: SlackHarness,
) -> None:
    slack.store.save(presence_key(TEAM, ALICE), {"at": "yesterday-ish"})
    assert await _submit(slack, ALICE, "After a bad mark") == []
    assert slack.scalar("SELECT count(*) FROM mentorship_requests") == 1
    assert seen_at({"at": "2026-03-02T09:00:00"}) is None  # no zone: not trusted
    assert seen_at({"at": 5}) is None and seen_at(None) is None
