"""Slack's answer (the ack) within a second, whatever the database is doing.

Slack gives 3 seconds, then the trigger id expires and the person sees an error. Before
a listener can ack, the request is de-duplicated and its sender looked up, and some
listeners save before they ack (the availability form shows the updated list in its
answer). Any of these can stall behind a lock or a slow database. So every request is
dispatched as a task and given :data:`ACK_DEADLINE_SECONDS`: if Bolt has not answered
by then, Slack gets a holding answer at once and the task carries on, still exactly once
(the de-duplication row, not the answer, decides that: a Slack retry of the same request
waits on the same row and is then dropped as a repeat).

A press, a slash command or an event is not even given the deadline: Slack shows nothing
of its answer, so it is answered as soon as its signature has been checked (see
``ack_first.answers_nothing``), and its work goes on exactly as a late one's.

What the listener answered late is then applied the way Slack still allows:

- a form (view submission) is answered with a "saving" view; when the work is done, that
  view is replaced (``views.update``) by what the listener answered: the updated modal,
  "done", or the fields it refused and why (also sent as a direct message when the
  modal was closed meanwhile, so a refusal is never lost);
- any other request (a press, a command, an event) is answered empty, and a text the
  listener acked with comes as an ephemeral note or a direct message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from asyncio import FIRST_COMPLETED
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.handlers.slack.ack_first import ANSWER_NOW
from bot.handlers.slack.blocks import fallback_text
from bot.handlers.slack.common import tell
from bot.ops.metrics import note_outcome, process_metrics

logger = logging.getLogger(__name__)
ACK_DEADLINE_SECONDS = 1.0
# In the request's context: set once the listener's answer (its ack) has been shown,
# with the HTTP answer, or late by ``views.update`` (``apply_late``).
ANSWER_SHOWN = "answer_shown"
SHOWN_WAIT_SECONDS = 10.0


async def answer_shown(context: dict[str, Any]) -> None:
    """Wait until this request's answer has been shown, before changing the same view
    again: a late answer ("Saving your request…") sent after the saved note would undo
    it, leaving the form saying it is saving a request already saved (issue 14). No
    wait outside ``TimelyDispatch`` (nothing late there), and never past a bound."""
    shown = context.get(ANSWER_SHOWN)
    if isinstance(shown, asyncio.Event):
        try:
            await asyncio.wait_for(shown.wait(), SHOWN_WAIT_SECONDS)
        except TimeoutError:
            logger.warning("a late Slack answer was not shown in time; going on")


SLOW = (
    "This is taking longer than usual, but it will go through: this window will say when "
    "it is done. You may close it; if it cannot be saved, you will get a message."
)
DONE = "Done. You can close this window."
TITLE_LIMIT = 24


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fallback_text(text)[:3000]}}


def notice_view(view: dict[str, Any], text: str) -> dict[str, Any]:
    """A modal under the form's own title, with only ``text`` and a Close button."""
    title = (view.get("title") or {}).get("text") or "Mentorship"
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": str(title)[:TITLE_LIMIT]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [_section(text)],
    }


def holding_response(body: dict[str, Any]) -> BoltResponse:
    """What Slack gets when the listener is late: a "saving" modal for a form, else 200."""
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        answer = {"response_action": "update", "view": notice_view(view, SLOW)}
        return BoltResponse(
            status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
        )
    return BoltResponse(status=200, body="")


def _answer_of(response: BoltResponse) -> dict[str, Any] | str:
    raw = response.body or ""
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return raw
    return parsed if isinstance(parsed, dict) else raw


def refused_text(errors: dict[str, Any]) -> str:
    reasons = "\n".join(f"• {message}" for message in errors.values() if message)
    return f"That was not saved:\n{reasons or '• it was refused.'}\nPlease open the form again."


async def apply_late(client: AsyncWebClient, body: dict[str, Any], response: BoltResponse) -> None:
    """Show what the listener answered after Slack had been given the holding answer."""
    if response.status != 200:
        return  # the error handler has already told the person (common.SORRY)
    answer = _answer_of(response)
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        text: str | None = None
        final: dict[str, Any]
        if isinstance(answer, dict) and answer.get("response_action") in ("update", "push"):
            final = dict(answer.get("view") or notice_view(view, DONE))
        elif isinstance(answer, dict) and answer.get("response_action") == "errors":
            text = refused_text(dict(answer.get("errors") or {}))
            final = notice_view(view, text)
        else:
            final = notice_view(view, DONE)
        try:
            await client.views_update(view_id=str(view.get("id") or ""), view=final)
        except SlackApiError:  # closed meanwhile: a refusal still reaches them
            if text is not None:
                await tell(client, body, text)
        return
    note = answer.get("text") if isinstance(answer, dict) else answer
    if isinstance(note, str) and note.strip():
        await tell(client, body, note)


class TimelyDispatch:
    """Runs Bolt's dispatch with a deadline; late dispatches finish in the background."""

    def __init__(self, app: AsyncApp, deadline: float = ACK_DEADLINE_SECONDS) -> None:
        self.app = app
        self.deadline = deadline
        self.late: set[asyncio.Task[None]] = set()
        self.late_count = 0  # answers given at the deadline, before the listener's (tests)
        self.at_once_count = 0  # answers given at once (``ANSWER_NOW``), for the tests too

    async def __call__(
        self, request: AsyncBoltRequest, started: float | None = None
    ) -> BoltResponse:
        """Bolt's answer if it comes within the deadline (from ``started``, a monotonic
        time when the request was received), else the holding answer; the holding answer
        at once when the request's first middleware says so (``ANSWER_NOW``)."""
        ack_by = (started if started is not None else time.monotonic()) + self.deadline
        shown = request.context[ANSWER_SHOWN] = asyncio.Event()
        now: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        request.context[ANSWER_NOW] = now  # resolved by ``common.once`` for a press
        dispatch = asyncio.ensure_future(self._measured(request))
        left = ack_by - time.monotonic()
        either: set[asyncio.Future[Any]] = {dispatch, now}
        await asyncio.wait(either, timeout=max(left, 0.05), return_when=FIRST_COMPLETED)
        if dispatch.done():
            shown.set()  # it goes out with this HTTP answer
            return dispatch.result()
        body = request.body
        if now.done():
            self.at_once_count += 1
        else:
            self.late_count += 1
            logger.warning(
                "Slack request not answered within %.1f s; acked, the work goes on",
                self.deadline,
            )
        task = asyncio.ensure_future(self._finish(dispatch, body, shown))
        self.late.add(task)
        task.add_done_callback(self.late.discard)
        return holding_response(body)

    async def _measured(self, request: AsyncBoltRequest) -> BoltResponse:
        """The dispatch, timed and counted for the operator (``bot.ops.metrics``): its
        outcome is "ok", "repeat" (``common.once``), "error" or "failed" (not 200)."""
        with process_metrics().handling("slack"):
            response = await self.app.async_dispatch(request)
            if response.status >= 500:
                note_outcome("failed")
            return response

    async def _finish(
        self, dispatch: asyncio.Future[BoltResponse], body: dict[str, Any], shown: asyncio.Event
    ) -> None:
        try:
            response = await dispatch
            await apply_late(self.app.client, body, response)
        except Exception:  # the person was answered; the log tells the operator
            logger.warning("a late Slack answer could not be shown", exc_info=True)
        finally:
            shown.set()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for late dispatches (at shutdown and in tests)."""
        if self.late:
            await asyncio.wait(set(self.late), timeout=timeout)
