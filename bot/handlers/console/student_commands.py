"""The request form's own commands: /request, /back, and /cancel (which, with an id, is
the Cancel button of a request card and presses the shared action)."""

from __future__ import annotations

from bot.handlers.console import form_flow
from bot.handlers.console.presses import STOPPED, press_typed
from bot.handlers.console.session import ConsoleSession, command
from core.delivery.messages import ActionName


@command("request")
def request(s: ConsoleSession, args: list[str], rest: str) -> None:
    s.require_me()
    form_flow.start_form(s)


@command("back")
def back(s: ConsoleSession, args: list[str], rest: str) -> None:
    if not form_flow.back(s):
        s.say("There is nothing to go back to.")


@command("cancel")
def cancel(s: ConsoleSession, args: list[str], rest: str) -> None:
    me = s.require_me()
    if args and args[0].lstrip("#").isdigit():  # the button in notifications: /cancel ID
        press_typed(s, ActionName.CANCEL_REQUEST.value, args, "/cancel")
        return
    if form_flow.cancel(s):  # a request form (open or paused as a draft) says it itself
        return
    waiting = s.drop_pending(me.id)
    if waiting is not None:
        s.say(str(waiting.data.get(STOPPED, "Stopped. Nothing was saved.")))
    else:
        s.say("There is nothing to cancel. To withdraw a request: /cancel_request ID")
