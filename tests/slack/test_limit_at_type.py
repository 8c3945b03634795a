"""The request modal says a limit is reached as soon as the type is picked, as Telegram
and the console do at that step: nobody fills in the rest of the form for nothing."""

from __future__ import annotations

from typing import Any

from core.services.requests import submit_request
from tests.slack.harness import ALICE, SlackHarness, state_of
from tests.unit.fakes import a_draft


def _walk(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(str(b.get("text", {}).get("text", "")) for b in blocks)


async def test_picking_a_type_at_its_limit_warns_under_the_type(slack: SlackHarness) -> None:
    alice = slack.person(ALICE).id
    for n in range(3):
        submit_request(slack.ctx, alice, a_draft(session_type="MOCK_INTERVIEW", title=f"Mock {n}"))
    opened = (await slack.command(ALICE)).of("views.open")
    assert len(opened) == 1
    form = dict(opened[0].view, id="V9", hash="h9")

    async def pick(kind: str) -> dict[str, Any]:
        view = dict(form, state={"values": state_of(form, {"session_type": kind})})
        updated = (await slack.press(ALICE, "form:type", kind, view=view)).of("views.update")
        assert len(updated) == 1
        return dict(updated[0].view)

    full = await pick("MOCK_INTERVIEW")
    blocks = full["blocks"]
    assert "limit (3 of 3 used)" in _walk(blocks), _walk(blocks)
    where = [b.get("block_id") for b in blocks].index("session_type")
    assert "limit" in _walk([blocks[where + 1]])  # right under the type
    fine = await pick("career-guidance")  # another group is fine: no warning
    assert "limit" not in _walk(fine["blocks"])
