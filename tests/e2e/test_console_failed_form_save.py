"""A failed form save in the console (issue 12, "after a failed save, form answers shift").

Before the fix the console said "nothing was changed, try again" but had kept the answer
in memory: retyping the title stored it as the description, the description as the
domain, and so on. Now a failed save leaves the person at the step they saw, the message
says so, and the retyped answer lands in its own field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

from db.frontend_state import FrontEndStore
from tests.e2e.helpers import CAREER_GUIDANCE, Chat


def _fail_next_save(chat: Chat) -> None:
    store = chat.session.store
    assert isinstance(store, FrontEndStore)
    real = store.apply_batch

    def once(*args: Any, **kwargs: Any) -> Any:
        store.apply_batch = real  # type: ignore[method-assign]
        raise OperationalError("UPDATE conversation_state", {}, Exception("connection lost"))

    store.apply_batch = once  # type: ignore[method-assign]


def test_a_failed_save_keeps_the_step_and_the_retyped_answer_lands_right(chat: Chat) -> None:
    chat.send("/as alice")
    asked = chat.sends("/request", CAREER_GUIDANCE)
    _fail_next_save(chat)
    failed = chat.send("Moving from QA to backend")
    assert "nothing was changed" in failed, failed
    assert failed.rstrip().endswith(asked.rstrip().splitlines()[-1]), failed  # asked again
    assert "Describe it" in chat.send("Moving from QA to backend")  # retyped: the title
    assert chat.send("Where do I start?").startswith("How long should the session be?")
    preview = chat.sends("3", "3", "tomorrow", "+5", "", "python", "1")
    assert "Title: Moving from QA to backend" in preview, preview
    assert "Description: Where do I start?" in preview, preview
