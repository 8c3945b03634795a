"""Expected failures, each carrying a message that is safe to show in a chat.

Front-ends catch :class:`DomainError` and show ``user_message``; anything else is a bug
and goes to the platform's global error handler.
"""

from __future__ import annotations

from core.hints import Hint


class DomainError(Exception):
    """``hint`` points where to go next; each front-end phrases it (see core.hints)."""

    user_message: str = "That could not be done."
    hint: Hint | None = None

    def __init__(self, user_message: str | None = None, hint: Hint | None = None) -> None:
        if user_message is not None:
            self.user_message = user_message
        if hint is not None:
            self.hint = hint
        super().__init__(self.user_message)


class ValidationFailed(DomainError):
    """One or more form fields are wrong; ``errors`` maps field name to message.

    Keeping all the errors (not just the first) lets Slack show each under its own field.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))


class NotFound(DomainError):
    user_message = "That item no longer exists."


class NotAllowed(DomainError):
    user_message = "You are not allowed to do that."


class InvalidTransition(DomainError):
    user_message = "That is no longer possible: the request has moved on."


class AlreadyClaimed(DomainError):
    def __init__(self, claimer_name: str | None) -> None:
        self.claimer_name = claimer_name
        who = claimer_name or "another mentor"
        super().__init__(f"Already claimed by {who}.")


class LimitReached(DomainError):
    def __init__(self, limit_label: str, limit: int, counted: int, what_counts: str) -> None:
        self.limit_label = limit_label
        self.limit = limit
        self.counted = counted
        super().__init__(
            f"You have reached the {limit_label} limit ({counted} of {limit} used). {what_counts}",
            Hint.LIMITS,
        )


class AlreadyDone(DomainError):
    """A repeated press (a button shown for a state that has since moved on): nothing
    changed and nobody was told; the message says what is already so."""

    user_message = "That is already done; nothing changed."


class SlotUnavailable(DomainError):
    user_message = "That time is no longer free. Please pick another slot."


class AlreadyRated(DomainError):
    user_message = "This session has already been rated. Thank you!"


class TemporaryFailure(DomainError):
    """The storage failed in a way that retrying may fix; nothing was changed."""

    user_message = "The service is busy right now and nothing was changed. Please try again."
