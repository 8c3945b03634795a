"""A half-filled form survives a restart of the console (it lives in the database)."""

from __future__ import annotations

from bot.handlers.console.session import ConsoleSession
from tests.e2e.helpers import Chat


def test_a_half_filled_form_continues_after_the_console_restarts(chat):
    chat.send("/as alice")
    chat.send("/request")
    chat.send("5")  # Career guidance
    chat.send("Moving from QA to backend")

    old = chat.session
    printed: list[Chat] = []
    restarted = ConsoleSession(old.ctx, chat.clock, lambda t: printed[0].out(t), store=old.store)
    again = Chat(restarted, chat.clock)
    printed.append(again)
    try:
        reply = again.send("/as alice")
        assert "You have a request form in progress: resuming at the description." in reply
        assert "Describe it in a few sentences." in reply
        again.send("I test web apps and want to write the services instead.")
        for answer in ("2", "2", "tomorrow", "+5", "", "-", "1"):
            again.send(answer)
        reply = again.send("1")
        assert "Request #1 submitted" in reply
        assert "Moving from QA to backend" in again.send("/my")
        assert "in progress" not in again.send("/as alice")  # nothing left to resume
    finally:
        restarted.close()
