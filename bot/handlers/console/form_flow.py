"""The request form in the console: the one form runner
(``bot.conversation.forms.request_form``) shown as text with a numbered menu.

A menu is answered by its number or by typing the value; an empty line keeps an answer
given before; /back and /cancel work at every step. The form's state is stored under
``form_key`` after every answer, so a restart resumes it (``resume_form`` on ``/as``);
a command typed mid-form pauses it as a draft (``Pending.interrupted``) and /request
resumes it. Nothing here decides what a step asks or what an answer means.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Coroutine
from typing import Any

from bot.conversation.forms import request_form as runner
from bot.conversation.forms.request_form import Pressed, Shown, Typed, Wording
from bot.conversation.replies import Answer, Reply, plain
from bot.conversation.turn import Turn
from bot.handlers.console.phrases import PHRASES
from bot.handlers.console.session import ConsoleSession, Pending, form_key
from core.delivery.messages import Action, ActionName
from core.errors import TemporaryFailure
from core.forms import StepKind
from core.requests import RequestDraft

logger = logging.getLogger(__name__)
WORDING = Wording(
    how={
        StepKind.CHOICE: " (a number)",
        StepKind.DATE: " (e.g. {today}, tomorrow, +3)",
        StepKind.TAGS: " (numbers or words, comma-separated; - for none)",
        StepKind.HOURS: " (numbers or windows, comma-separated; an empty line keeps those ticked)",
    }
)
MENUS = {  # the buttons numbered at each kind of step (the rest are typed commands)
    StepKind.CHOICE: (ActionName.FORM_CHOOSE,),
    StepKind.TAGS: (ActionName.FORM_TAG,),
    StepKind.HOURS: (ActionName.FORM_TAG,),
    StepKind.PREVIEW: (
        ActionName.FORM_FIELD,
        ActionName.FORM_SUBMIT,
        ActionName.FORM_EDIT,
        ActionName.FORM_CANCEL,
    ),
}
NAVIGATION = "  /back to go back, /cancel to stop"
KEEPS = "; an empty line keeps the current answer"
QUIET_AFTER = frozenset({"request", "edit", "ask"})  # they open or resume a form at once


def _run(s: ConsoleSession, work: Coroutine[Any, Any, Shown]) -> Shown:
    return s.loop.run_until_complete(work)


def _turn(s: ConsoleSession) -> Turn:
    return Turn(s.require_me(), s.ctx, s.reads)


def _state(s: ConsoleSession) -> dict[str, Any] | None:
    """The form in progress: the one waiting for an answer, else the stored one."""
    pending = s.pending.get(s.require_me().id)
    for key in ("form", "paused_form"):
        if pending is not None and isinstance(pending.data.get(key), dict):
            return copy.deepcopy(dict(pending.data[key]))
    stored = s.store.load(form_key(s.require_me().id)) if s.store is not None else None
    return stored if runner.load(stored) is not None else None


def start_form(
    s: ConsoleSession, draft: RequestDraft | None = None, edit_id: int | None = None
) -> None:
    """/request (a form in progress resumes), or a form filled from ``draft``."""
    shown = _run(s, runner.begin(_turn(s), _state(s), WORDING, draft=draft, edit_id=edit_id))
    _show(s, shown)


def resume_form(s: ConsoleSession) -> None:
    """Someone comes back (also after a restart): their form goes on, or, paused, waits."""
    stored = _state(s)
    if stored is None:
        return
    if runner.is_paused(stored):
        _wait(s, stored)
        _say(s, runner.paused_note(), None)
        return
    _show(s, _run(s, runner.begin(_turn(s), stored, WORDING)))


def back(s: ConsoleSession) -> bool:
    state = _state(s)
    if state is None:
        return False
    _show(s, _run(s, runner.handle(_turn(s), state, Pressed(ActionName.FORM_BACK), WORDING)))
    return True


def cancel(s: ConsoleSession) -> bool:
    """/cancel: the form in progress (or paused) is dropped; False when there is none."""
    if _state(s) is None:
        return False
    _show(s, runner.cancel())
    return True


def _show(s: ConsoleSession, shown: Shown, saw: dict[str, Any] | None = None) -> None:
    """Keep the new state (stored, and waiting for the next line) and print the step.

    The state is stored before anything changes in memory: if the store fails, the
    person is still at the step they saw (``saw``, asked again, saying nothing was
    changed), so a retyped answer lands in its own field. (Issue 12: the console said
    "nothing was changed" but had kept the answer, and the retyped answers shifted.)
    """
    me = s.require_me().id
    try:
        if shown.state is None:
            if s.store is not None:
                s.store.delete(form_key(me))
        elif s.store is not None:
            s.store.save(form_key(me), shown.state)
    except Exception as exc:
        logger.warning("form state not saved (%s): the step is asked again", type(exc).__name__)
        if saw is None:
            raise TemporaryFailure() from exc
        again = _run(
            s, runner.again(_turn(s), copy.deepcopy(saw), TemporaryFailure.user_message, WORDING)
        )
        _say(s, again.answer, again.kind)
        return
    if shown.state is None:
        if s.pending.get(me) is not None and _is_form(s.pending[me]):
            s.pending.pop(me)
    else:
        before = s.pending.get(me)
        menu: list[Action] = list(before.data.get("form_menu", [])) if before else []
        keep = before.data.get("form_keep") if before else None
        kind = shown.kind
        if shown.answer.replies:  # the step shown now (a refusal alone leaves the last)
            actions = shown.answer.replies[-1].actions
            menu = [a for a in actions if a.name in MENUS.get(kind or StepKind.TEXT, ())]
            keep = next((a for a in actions if a.name == ActionName.FORM_KEEP), None)
        state = shown.state
        data = {"form": state, "form_kind": kind, "form_menu": menu, "form_keep": keep}
        s.ask(
            Pending(
                lambda line: _on_line(s, line),
                data,
                accepts_blank=True,
                interrupted=lambda command: _paused(s, state, command),
            )
        )
    _say(s, shown.answer, shown.kind)


def _is_form(pending: Pending) -> bool:
    return "form" in pending.data or "paused_form" in pending.data


def _say(s: ConsoleSession, answer: Answer, kind: StepKind | None) -> None:
    note = plain(answer.note_parts(), PHRASES, str)
    if note:
        s.say(note)
    for reply in answer.replies:
        s.say(_text(reply, kind))


def _text(reply: Reply, kind: StepKind | None) -> str:
    lines = [plain(reply.parts, PHRASES, str)]
    menu = [a for a in reply.actions if a.name in MENUS.get(kind or StepKind.TEXT, ())]
    lines += [f"  {i}. {a.label}" for i, a in enumerate(menu, 1)]
    if kind not in (None, StepKind.PREVIEW) and reply.actions:
        keeps = any(a.name == ActionName.FORM_KEEP for a in reply.actions)
        lines.append(NAVIGATION + (KEEPS if keeps else ""))
    return "\n".join(lines)


def _on_line(s: ConsoleSession, line: str) -> None:
    pending = s.pending[s.require_me().id]
    state, kind = pending.data["form"], pending.data["form_kind"]
    menu: list[Action] = pending.data["form_menu"]
    keep: Action | None = pending.data["form_keep"]
    text = line.strip()
    given: Typed | Pressed = Typed(line)
    if not text and keep is not None:
        given = Pressed(keep.name, keep.args)
    elif kind in (StepKind.CHOICE, StepKind.PREVIEW) and text.isdigit():
        if not 1 <= int(text) <= len(menu):
            _out_of_menu(s, state, kind, menu)
            return
        chosen = menu[int(text) - 1]
        given = Pressed(chosen.name, chosen.args)
    elif kind == StepKind.TAGS:
        given = _tags(text, menu, str(state["answers"]["position"]))
    elif kind == StepKind.HOURS:
        given = _hours(text, menu, str(state["answers"]["position"]))
    shown = _run(s, runner.handle(_turn(s), copy.deepcopy(state), given, WORDING))
    _show(s, shown, saw=state)


def _out_of_menu(s: ConsoleSession, state: dict[str, Any], kind: Any, menu: list[Action]) -> None:
    if kind == StepKind.PREVIEW:  # the answer is short: the preview is not shown again
        named = [f"{i} ({a.label.lower()})" for i, a in enumerate(menu, 1)]
        s.say(f"Please answer {', '.join(named[:-1])} or {named[-1]}.")
        return
    lead = f"Please answer with a number from 1 to {len(menu)}."
    _show(s, _run(s, runner.again(_turn(s), state, lead, WORDING)))


def _tags(text: str, menu: list[Action], step: str) -> Pressed:
    """A typed list replaces the tags; a number names a suggested one."""
    words = [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]
    named = {str(i): a.label.removeprefix("✓ ") for i, a in enumerate(menu, 1)}
    tags = ",".join(named.get(w, w) for w in words if w != "-") or "-"
    return Pressed(ActionName.FORM_TAGS_DONE, (step, tags))


def _hours(text: str, menu: list[Action], step: str) -> Pressed:
    """Numbers name the periods, anything else is a window ("18-21"); an empty line
    takes the periods ticked (all three at first: the default)."""
    if not text:
        return Pressed(ActionName.FORM_TAGS_DONE, (step,))
    named = {str(i): a.label.removeprefix("✓ ") for i, a in enumerate(menu, 1)}
    words = [w.strip() for w in text.replace(";", ",").split(",") if w.strip()]
    return Pressed(ActionName.FORM_TAGS_DONE, (step, ",".join(named.get(w, w) for w in words)))


def _paused(s: ConsoleSession, form: dict[str, Any], command: str) -> None:
    """A command instead of an answer: the form is kept as a draft and waits."""
    state, said = runner.pause(form)
    if state is None:
        return
    if s.store is not None:
        s.store.save(form_key(s.require_me().id), state)
    _wait(s, state)
    if said is not None and command not in QUIET_AFTER:
        _say(s, said, None)


def _wait(s: ConsoleSession, state: dict[str, Any]) -> None:
    """While paused, a line is not an answer (and a menu shown later replaces this)."""
    data = {"paused_form": state}
    s.ask(Pending(lambda line: _say(s, runner.paused_note(), None), data))
