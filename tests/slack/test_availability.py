"""A mentor's weekly availability in Slack: the modal lists each window with a Remove
button; adding keeps the modal open with the new list; a removal is authorized again from
the database, and a stale or forged button is answered plainly without changing anything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.slack.harness import ALICE, BOB, CAROL, STRANGER, Answer, SlackHarness
from tests.support.fake_slack import walk_texts

NOT_THERE = "That availability window no longer exists."


def _windows(slack: SlackHarness, user: str) -> list[tuple[int, str, str]]:
    """(weekday, from, until) of the user's windows as stored."""
    with slack.db.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT weekday, start_time, end_time FROM availability_windows "
                "WHERE mentor_id = :m ORDER BY weekday, start_time"
            ),
            {"m": slack.member(user).id},
        ).all()
    return [(int(w), str(start)[:5], str(end)[:5]) for w, start, end in rows]


def _removes(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The Remove button of each window, by the window's text as shown."""
    out = {}
    for block in view["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "button":
            assert accessory["text"]["text"] == "Remove"
            out[block["text"]["text"]] = accessory
    return out


async def _open(slack: SlackHarness, user: str) -> dict[str, Any]:
    answer = await slack.press(user, "home:availability", "")
    opened = answer.of("views.open")
    assert len(opened) == 1, [c.method for c in answer.calls]
    view = dict(opened[0].view)
    view["id"] = "VAVAIL"
    return view


async def _remove(
    slack: SlackHarness, user: str, button: dict[str, Any], view: dict[str, Any]
) -> Answer:
    return await slack.press(user, button["action_id"], button["value"], view=view)


def _shown(answer: Answer, method: str) -> str:
    calls = answer.of(method)
    assert len(calls) == 1, [c.method for c in answer.calls]
    return "\n".join(walk_texts(calls[0].view.get("blocks") or []))


async def test_mentor_removes_a_window_from_the_modal(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])  # 08:00-20:00 every day, Europe/Berlin
    view = await _open(slack, BOB)
    texts = "\n".join(walk_texts(view["blocks"]))
    assert "Your weekly windows (Europe/Berlin):" in texts
    removes = _removes(view)
    assert list(removes)[:2] == ["Monday 08:00-20:00", "Tuesday 08:00-20:00"]
    assert len(removes) == 7

    monday = removes["Monday 08:00-20:00"]
    removed = await _remove(slack, BOB, monday, view)
    assert removed.status == 200
    updated = removed.of("views.update")
    assert len(updated) == 1 and updated[0].args["view_id"] == "VAVAIL"
    shown = updated[0].view
    assert "Removed Monday 08:00-20:00." in "\n".join(walk_texts(shown["blocks"]))
    assert "Monday 08:00-20:00" not in _removes(shown)
    assert len(_removes(shown)) == 6
    assert [w[0] for w in _windows(slack, BOB)] == [1, 2, 3, 4, 5, 6]
    home = _shown(removed, "views.publish")  # his Home lists what is left
    assert "Monday" not in home and "Tuesday 08:00-20:00" in home

    # the same button again (a double click, or an old modal): said plainly, nothing else
    before = slack.snapshot()
    again = await _remove(slack, BOB, monday, view)
    assert NOT_THERE in again.text_to(BOB)
    assert not again.of("views.update")
    assert slack.snapshot() == before


async def test_someone_elses_window_or_a_forged_value_is_refused(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"])
    slack.seed_mentor(CAROL, ["python"])
    slack.person(ALICE)
    bobs = _removes(await _open(slack, BOB))["Friday 08:00-20:00"]
    before = slack.snapshot()
    for user in (CAROL, ALICE, STRANGER):  # another mentor, a student, someone unknown
        tried = await slack.press(user, bobs["action_id"], bobs["value"])
        assert NOT_THERE in tried.text_to(user), tried.text_to(user)
        assert not tried.of("views.update")
    for value in ("", "abc", "1:2", "-3", "99999999999999999999999"):
        forged = await slack.press(CAROL, bobs["action_id"], value)
        assert forged.status == 200
        told = forged.text_to(CAROL)
        assert "no longer" in told and "Traceback" not in told, told
    assert slack.snapshot() == before


async def test_adding_keeps_the_modal_open_with_the_new_list(slack: SlackHarness) -> None:
    slack.seed_mentor(BOB, ["python"], approve=False)  # an applicant may set windows too
    view = await _open(slack, BOB)
    assert "No weekly windows yet" in "\n".join(walk_texts(view["blocks"]))
    assert _removes(view) == {}

    added = await slack.submit(BOB, view, {"weekday": "Tuesday", "start": "18:00", "end": "20:00"})
    assert added.json["response_action"] == "update"
    shown = added.json["view"]
    assert "Added Tuesday 18:00-20:00." in "\n".join(walk_texts(shown["blocks"]))
    assert list(_removes(shown)) == ["Tuesday 18:00-20:00"]
    assert _windows(slack, BOB) == [(1, "18:00", "20:00")]

    overlap = await slack.submit(
        BOB, shown, {"weekday": "Tuesday", "start": "19:00", "end": "21:00"}
    )
    assert overlap.json["response_action"] == "errors"
    assert "overlaps your window Tuesday 18:00-20:00" in overlap.json["errors"]["start"]
    assert len(_windows(slack, BOB)) == 1

    backwards = await slack.submit(
        BOB, shown, {"weekday": "Friday", "start": "10:00", "end": "09:00"}
    )
    assert backwards.json["response_action"] == "errors"
    assert "end after it starts" in backwards.json["errors"]["end"]
    assert len(_windows(slack, BOB)) == 1
