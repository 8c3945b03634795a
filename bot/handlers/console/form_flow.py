"""The request form in the console: numbered choices, /back and /cancel at every step."""

from __future__ import annotations

import secrets
from datetime import date

from bot.handlers.console.session import ConsoleSession, Pending, form_key
from core.errors import ValidationFailed
from core.forms import Choice, RequestForm, Step, StepKind, answer, form_steps, preview
from core.requests import RequestDraft
from core.services.context import local_today
from core.services.mentors import list_mentors
from core.services.requests import submit_request, update_request

PREVIEW_CHOICES = ("Submit", "Edit (go through the answers again)", "Cancel")


def start_form(
    s: ConsoleSession, draft: RequestDraft | None = None, edit_id: int | None = None
) -> None:
    me = s.require_me()
    form = RequestForm(draft or RequestDraft(submission_key=secrets.token_hex(8)))
    mentors = [
        Choice(str(m.member_id), m.name) for m in list_mentors(s.ctx) if m.member_id != me.id
    ]
    pending = Pending(
        lambda line: _on_answer(s, line), {"form": form, "mentors": mentors}, accepts_blank=True
    )
    pending.data["edit_id"] = edit_id
    s.ask(pending)
    save_form(s)
    _prompt(s)


def save_form(s: ConsoleSession) -> None:
    """Keep the form in the database after every answer, so a restart resumes it."""
    found = current(s)
    if found is None or s.store is None:
        return
    pending, form, _ = found
    s.store.save(
        form_key(s.require_me().id),
        {
            "form": form.to_dict(),
            "mentors": [[c.value, c.label] for c in pending.data["mentors"]],
            "edit_id": pending.data.get("edit_id"),
        },
    )


def resume_form(s: ConsoleSession) -> None:
    """Someone comes back to a form they had not finished (also after a restart)."""
    if s.store is None:
        return
    stored = s.store.load(form_key(s.require_me().id))
    if stored is None:
        return
    form = RequestForm.from_dict(stored["form"])
    mentors = [Choice(value, label) for value, label in stored.get("mentors", [])]
    pending = Pending(
        lambda line: _on_answer(s, line), {"form": form, "mentors": mentors}, accepts_blank=True
    )
    pending.data["edit_id"] = stored.get("edit_id")
    s.ask(pending)
    s.say("You have an unfinished request form; let's continue (/cancel to drop it).")
    _prompt(s)


def current(s: ConsoleSession) -> tuple[Pending, RequestForm, Step] | None:
    me = s.require_me()
    pending = s.pending.get(me.id)
    if pending is None or "form" not in pending.data:
        return None
    form: RequestForm = pending.data["form"]
    steps = form_steps(form.draft, s.ctx.catalogue, pending.data["mentors"])
    return pending, form, steps[min(form.position, len(steps) - 1)]


def _today(s: ConsoleSession) -> date:
    return local_today(s.require_me(), s.ctx.now())


def _prompt(s: ConsoleSession) -> None:
    found = current(s)
    if found is None:
        return
    _, form, step = found
    if step.kind == StepKind.PREVIEW:
        s.say(preview(form.draft, s.ctx.catalogue))
        s.say(step.prompt + "\n" + _numbered([Choice(c, c) for c in PREVIEW_CHOICES]))
        return
    hint = {
        StepKind.TEXT: "",
        StepKind.DATE: f" (e.g. {_today(s).isoformat()}, tomorrow, +3)",
        StepKind.TAGS: " (numbers or words, comma-separated; - for none)",
        StepKind.CHOICE: " (a number)",
    }[step.kind]
    lines = [step.prompt + hint]
    if step.choices:
        lines.append(_numbered(list(step.choices)))
    lines.append("  /back to go back, /cancel to stop")
    s.say("\n".join(lines))


def _numbered(choices: list[Choice]) -> str:
    return "\n".join(f"  {i}. {c.label}" for i, c in enumerate(choices, 1))


def _pick(step: Step, text: str) -> str:
    value = text.strip()
    if step.kind == StepKind.CHOICE and value.isdigit():
        index = int(value) - 1
        if not 0 <= index < len(step.choices):
            raise ValidationFailed(
                {step.field: f"Please answer with a number from 1 to {len(step.choices)}."}
            )
        return step.choices[index].value
    if step.kind == StepKind.TAGS:
        words = [w.strip() for w in value.replace(";", ",").split(",") if w.strip()]
        picked = [
            step.choices[int(w) - 1].value if w.isdigit() and 0 < int(w) <= len(step.choices) else w
            for w in words
        ]
        return ",".join(picked)
    return text


def _on_answer(s: ConsoleSession, line: str) -> None:
    found = current(s)
    if found is None:
        return
    pending, form, step = found
    if step.kind == StepKind.PREVIEW:
        _on_preview(s, pending, form, line.strip())
        return
    try:
        answer(form, step, _pick(step, line), s.ctx.catalogue, s.ctx.policy, _today(s))
    except ValidationFailed as failed:  # one line saying why, then the same question again
        s.say(failed.user_message)
    save_form(s)
    _prompt(s)


def _on_preview(s: ConsoleSession, pending: Pending, form: RequestForm, choice: str) -> None:
    me = s.require_me()
    if choice in ("1", "submit"):
        edit_id = pending.data.get("edit_id")
        if edit_id:
            request = update_request(s.ctx, me.id, edit_id, form.draft)
            s.say(f"Request #{request.id} updated.")
        else:
            request = submit_request(s.ctx, me.id, form.draft)
            s.say(f"Request #{request.id} submitted. Mentors have been told; /my shows its status.")
        s.drop_pending(me.id)
    elif choice in ("2", "edit"):
        form.position = 0
        save_form(s)
        s.say("Let's go through it again; your answers are kept.")
        _prompt(s)
    elif choice in ("3", "cancel"):
        s.drop_pending(me.id)
        s.say("Request discarded.")
    else:
        s.say("Please answer 1 (submit), 2 (edit) or 3 (cancel).")


def back(s: ConsoleSession) -> bool:
    found = current(s)
    if found is None:
        return False
    _, form, _ = found
    form.position = max(0, form.position - 1)
    save_form(s)
    _prompt(s)
    return True
