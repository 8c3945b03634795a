"""Typed commands pressed through the shared vocabulary, and its answers printed.

The console decides nothing about what an action does, who may do it or what it says
(``bot.conversation``): ``/claim 3`` presses ``claim`` with ``["3"]``. This module only
renders the neutral answer as text: the note (what a toast or an ephemeral note says
elsewhere: here a typed command is the button press), each reply, and its buttons as a
numbered menu; typing a number presses that button. An expected input becomes the next
question (feedback, notes) or the request form with its draft.
"""

from __future__ import annotations

from bot.conversation import reasons
from bot.conversation.replies import Answer, Expect, Input, Part, Reply, plain
from bot.conversation.vocabulary import VOCABULARY
from bot.handlers.console import form_flow
from bot.handlers.console.answers import SAVERS
from bot.handlers.console.phrases import PHRASES
from bot.handlers.console.session import COMMANDS, ConsoleSession, Handler, Pending
from core.delivery.messages import Action, ActionName
from core.errors import ValidationFailed
from core.requests import RequestDraft

# The console's own name for an action, where it is not the action's name. "/cancel"
# alone stops a form (student_commands); "/rate" and "/notes" also take the text at once.
ALIASES = {"cancel_request": ActionName.CANCEL_REQUEST.value}
HANDLED_ELSEWHERE = frozenset({"cancel", "rate", "notes"})
MENU_HINT = "  (reply with its number)"
SKIP_HINT = " Type it, or /skip."
REASON_HINT = " Type it, /skip to go ahead without one, or /cancel to stop."
SKIP = "on_skip"  # a pending question's own meaning of /skip
STOPPED = "stopped"  # what /cancel says when it drops the question
STOPPED_REASON = "Stopped: nothing was cancelled or released."


def text_of(parts: tuple[Part, ...]) -> str:
    """Plain text: a terminal shows user text as it is."""
    return plain(parts, PHRASES, str)


def cleaned(words: list[str]) -> list[str]:
    """'#3' (as copied from a card) is 3."""
    return [w[1:] if w[:1] == "#" and w[1:].isdigit() else w for w in words]


def press_typed(s: ConsoleSession, name: str, words: list[str], typed_as: str) -> None:
    """``/typed_as words…`` presses the action ``name`` and prints its answer."""
    show(s, s.press(name, cleaned(words), typed_as))


def typed(name: str) -> Handler:
    def handler(s: ConsoleSession, args: list[str], rest: str) -> None:
        press_typed(s, ALIASES.get(name, name), args, f"/{name}")

    return handler


def show(s: ConsoleSession, answer: Answer) -> None:
    note = text_of(answer.note_parts())
    if note:  # a typed command is the console's button press: this is its toast
        s.say(note)
    menu: list[Action] = []
    for reply in answer.replies:
        s.say(_reply_text(reply, menu))
    if menu:
        s.say(MENU_HINT)
        s.drop_pending(s.require_me().id)
        s.ask(Pending(lambda line: _pick(s, menu, line), {"menu": True}))
    elif not answer.refused:  # the menu answered is done; a refused pick may be retried
        _drop_menu(s)
    if answer.expect is not None:
        _expect(s, answer.expect)


def _reply_text(reply: Reply, menu: list[Action]) -> str:
    """The reply, its buttons numbered on from ``menu`` (which they are added to)."""
    lines = [text_of(reply.parts)]
    for action in reply.actions:
        if action.url:
            lines.append(f"  [{action.label}] {action.url}")
        else:
            menu.append(action)
            lines.append(f"  {len(menu)}. {action.label}")
    lines += [f"  (attached {a.filename})" for a in reply.attachments]
    return "\n".join(line for line in lines if line)


def _pick(s: ConsoleSession, menu: list[Action], line: str) -> None:
    text = line.strip()
    if not (text.isdigit() and 1 <= int(text) <= len(menu)):
        raise ValidationFailed({"choice": f"Reply with a number from 1 to {len(menu)}."})
    chosen = menu[int(text) - 1]
    show(s, s.press(chosen.name.value, list(chosen.args)))


def _drop_menu(s: ConsoleSession) -> None:
    """A menu that was answered goes; a form or a question waiting stays."""
    me = s.require_me()
    waiting = s.pending.get(me.id)
    if waiting is not None and "menu" in waiting.data:
        s.drop_pending(me.id)


def _expect(s: ConsoleSession, expect: Expect) -> None:
    if expect.input == Input.REASON and expect.ref is not None:
        _ask_reason(s, str(expect.values.get("action", "")), expect.ref, expect.prompt)
        return
    if expect.input == Input.REQUEST_FORM:
        draft = expect.values.get("draft")
        found = draft if isinstance(draft, RequestDraft) else None
        form_flow.start_form(s, found, edit_id=expect.ref)
        return
    save = SAVERS.get(expect.input)
    ref = expect.ref
    if save is None or ref is None:
        return
    s.say(expect.prompt + (SKIP_HINT if expect.input == Input.FEEDBACK else ""))
    s.ask(Pending(lambda line: save(s, ref, line)))


def _ask_reason(s: ConsoleSession, name: str, ref: int, prompt: str) -> None:
    """The next line is the reason; /skip goes ahead without one, /cancel stops."""

    def give(line: str) -> None:
        me = s.require_me()
        s.drop_pending(me.id)
        show(s, s.press(name, [str(ref), line.strip() or reasons.NO_REASON]))

    s.say(prompt + REASON_HINT)
    s.ask(Pending(give, {SKIP: lambda: give(reasons.NO_REASON), STOPPED: STOPPED_REASON}))


for _name in [*ALIASES, *VOCABULARY]:
    if _name not in HANDLED_ELSEWHERE:
        COMMANDS[_name] = typed(_name)
