"""One person's request form in progress, as the plain JSON each front-end stores.

A front-end keeps this dict wherever it keeps a person's state (Telegram's ``user_data``,
the console's ``FrontEndStore`` row) and hands it back on the next input: one read and
one write per update, and a restart resumes where the person was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.catalogue import Catalogue
from core.forms import Choice, RequestForm, Step, StepKind, form_steps

FORM_NAME = "request"


@dataclass
class RequestFormState:
    form: RequestForm
    mentors: list[Choice] = field(default_factory=list)  # offered at the mentor step
    # Fields with an answer given (or brought by an edited request): their steps show it
    # and offer to keep it. None: an older stored form, worked out from its position.
    answered: set[str] | None = None
    edit_id: int | None = None  # the request being edited (None: a new one)
    month: str | None = None  # first day of the month the date picker shows
    tags: list[str] | None = None  # picked so far at the tags step (None: the answer's)
    paused: bool = False  # a command came in between: answers wait for a resume
    revising: bool = False  # one answer picked from the preview: back there once given
    picking: bool = False  # the preview's field picker is out: its buttons work once

    def steps(self, catalogue: Catalogue) -> list[Step]:
        return form_steps(self.form.draft, catalogue, self.mentors)

    def step(self, catalogue: Catalogue) -> Step:
        steps = self.steps(catalogue)
        return steps[min(self.form.position, len(steps) - 1)]

    def given(self, catalogue: Catalogue) -> set[str]:
        """The fields answered so far (an older form: those before its position)."""
        if self.answered is None:
            before = self.steps(catalogue)[: self.form.position]
            self.answered = {s.field for s in before if s.kind != StepKind.PREVIEW}
        return self.answered

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": FORM_NAME,
            "answers": self.form.to_dict(),
            "mentors": [[c.value, c.label] for c in self.mentors],
            "answered": None if self.answered is None else sorted(self.answered),
            "edit_id": self.edit_id,
            "month": self.month,
            "tags": self.tags,
            "paused": self.paused,
            "revising": self.revising,
            "picking": self.picking,
        }

    @classmethod
    def from_dict(cls, data: object) -> RequestFormState | None:
        """The stored form, or None for anything else (nothing, another form, a garbled
        row: the person then simply has no form open). The console's older shape
        (``{"form": {...}, "mentors": ..., "edit_id": ...}``) is carried over."""
        if not isinstance(data, Mapping):
            return None
        kind = data.get("form")
        inner = data.get("answers") if kind == FORM_NAME else kind
        if not isinstance(inner, Mapping):
            return None
        try:
            form = RequestForm.from_dict(dict(inner))
            answered = data.get("answered")
            edit_id = data.get("edit_id")
            return cls(
                form,
                _choices(data.get("mentors") or []),
                None if answered is None else {str(a) for a in answered},
                int(edit_id) if edit_id else None,
                _text(data.get("month")),
                None if data.get("tags") is None else [str(t) for t in data["tags"]],
                bool(data.get("paused", False)),
                bool(data.get("revising", False)),
                bool(data.get("picking", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _choices(pairs: Iterable[Any]) -> list[Choice]:
    return [Choice(str(value), str(label)) for value, label in pairs]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
