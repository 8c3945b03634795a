"""A request nobody claims: a warning with its three ways out, expiry, and the repost."""

from __future__ import annotations

from tests.e2e.helpers import BEHAVIORAL_PREP, Chat, Form, to


def test_warning_then_expiry_then_repost(chat: Chat) -> None:
    chat.send("/as alice")
    form = Form(kind=BEHAVIORAL_PREP, title="Behavioral round practice", available_until="+20")
    assert chat.submit(form).startswith("Request #1 submitted.")
    assert "Interview prep: 1 of 3 used, 2 left" in chat.send("/limits")

    # Created Mon 2 Mar 08:00 UTC, it expires 7 days later; the warning comes 48 h before.
    reply = chat.send("/clock +5d")
    (warning,) = to("alice", reply)
    assert warning == (
        'to alice: "Behavioral round practice" has not been claimed yet and expires on '
        "Mon 9 Mar 2026, 01:00 (America/Los_Angeles).\n"  # daylight saving began on the 8th
        "      [Extend 7 days] /extend_once 1 1773043200\n"  # once per warning: its expiry
        "      [Edit] /edit 1\n"
        "      [Cancel it] /cancel 1"
    )

    reply = chat.send("/clock +3d")
    (expired,) = to("alice", reply)
    assert expired.startswith(
        'to alice: Nobody could take "Behavioral round practice" within its time, so it has '
        "expired. It no longer counts towards your limits."
    )
    assert "[Post it again] /repost 1" in expired
    assert "Status: expired" in to("mentors", reply)[0]
    assert "#1 expired: Behavioral round practice" in chat.send("/my")
    limits = chat.send("/limits")
    assert "Interview prep: 0 of 3 used, 3 left" in limits
    assert "Active requests at once: 0 of 5 used, 5 left" in limits

    # One tap posts it again, from today, for mentors to see; pressing twice is harmless.
    reply = chat.send("/repost 1")
    assert reply.startswith("Posted again as #2.")
    (feed,) = to("mentors", reply)
    assert feed.startswith("to mentors: New mentorship request\n    #2 Behavioral interview prep")
    assert "Student: Alice. Available 2026-03-10 to 2026-03-29." in feed
    assert chat.send("/repost 1").startswith("Posted again as #2.")
    limits = chat.send("/limits")
    assert "Interview prep: 1 of 3 used, 2 left" in limits  # the repost, not the expired one
    assert "Active requests at once: 1 of 5 used, 4 left" in limits
    mine = chat.send("/my")
    assert "#2 open: Behavioral round practice" in mine
    assert "#1 expired: Behavioral round practice" in mine


def test_extending_after_the_warning_keeps_it_open(chat: Chat) -> None:
    chat.send("/as alice")
    chat.submit(Form(title="Which team should I join?", available_until="+20"))
    assert to("alice", chat.send("/clock +5d"))  # the warning
    assert chat.send("/extend 1") == (
        "Extended until Mon 16 Mar 2026, 01:00 (America/Los_Angeles)."  # 08:00 UTC
    )
    assert to("alice", chat.send("/clock +3d")) == []
    assert "#1 open: Which team should I join?" in chat.send("/my")
