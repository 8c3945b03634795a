"""Requests still waiting for their answer go before work done after an answer.

Under a burst (a cohort told "book now"), the event loop and the GIL are shared by the
requests still to be answered and the saves, cards and DMs of those already answered.
Slack wants every answer within 3 seconds; a save may take a moment longer. So work done
after an answer (a service call, a Home rebuild) first lets the requests not yet
answered go ahead, waiting at most ``MAX_WAIT`` so that it is never starved (issue 14:
submissions were answered after p99 0.5 s while others' saves ran). A request is
unanswered from the first middleware (``common.once``) until its listener acks; one
that never acks (no listener, an error) stops counting after ``SLACK_WAITS``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

MAX_WAIT = 0.25  # seconds: under sustained load, after-answer work still moves
SLACK_WAITS = 3.0  # seconds: past this, Slack has given up on the answer anyway


class AckFirst:
    def __init__(self, max_wait: float = MAX_WAIT) -> None:
        self.max_wait = max_wait
        self._unanswered: dict[int, float] = {}  # request token -> when it came in
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def unanswered(self) -> int:
        cutoff = time.monotonic() - SLACK_WAITS
        for token in [t for t, at in self._unanswered.items() if at < cutoff]:
            del self._unanswered[token]
        return len(self._unanswered)

    def entered(self, token: int) -> None:
        self._unanswered[token] = time.monotonic()

    def answered(self, token: int) -> None:
        """Its answer is out (or none is coming): waiting work may go once no request
        is left unanswered."""
        self._unanswered.pop(token, None)
        if self.unanswered == 0:
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    async def turn(self) -> None:
        """Wait until no request is unanswered, or ``max_wait``, whichever comes first."""
        if self.unanswered == 0:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter, self.max_wait)


class AnsweringAck:
    """Bolt's ``ack`` for one request, telling ``AckFirst`` when it has been called
    (Bolt reads and sets ``response`` on it, as on its own)."""

    def __init__(self, inner: Any, acks: AckFirst, token: int) -> None:
        self._inner, self._acks, self._token = inner, acks, token

    @property
    def response(self) -> Any:
        return self._inner.response

    @response.setter
    def response(self, value: Any) -> None:
        self._inner.response = value
        if value is not None:
            self._acks.answered(self._token)

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await self._inner(*args, **kwargs)
        finally:
            self._acks.answered(self._token)


# In a request's context: a future that ``TimelyDispatch`` answers Slack on, as soon as
# it is resolved, without waiting for the listener (``answer_at_once``).
ANSWER_NOW = "answer_now"


def answers_nothing(body: dict[str, Any]) -> bool:
    """A press, a slash command or an event: Slack shows nothing of their answer (an
    empty 200; a press's result comes by the Web API), so the answer need not wait for
    the work. A form's answer carries its errors or next view, and waits."""
    kind = body.get("type")
    return kind in ("block_actions", "event_callback") or (kind is None and "command" in body)


def answer_at_once(context: Any) -> bool:
    """Have this request answered now (its signature has been checked by then: Bolt's
    own middleware runs first). False where no ``TimelyDispatch`` runs it."""
    now = context.get(ANSWER_NOW)
    if not isinstance(now, asyncio.Future) or now.done():
        return False
    now.set_result(None)
    return True
