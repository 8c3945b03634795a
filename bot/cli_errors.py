"""What a ``mentorbot`` command prints when it cannot start or fails: one line.

A 150-line traceback hides the one fact an operator needs (the database is down, the
URL is malformed, the token was rejected) and may quote a secret: PTB's ``InvalidToken``
repeats the token. Each known failure becomes one line that says what to fix; anything
else becomes its class and first line, redacted. ``mentorbot --debug …`` re-raises
instead, for the full traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config_check import ConfigurationError, variable
from bot.logging_setup import redact

CONFIG_EXIT = 2  # a setting must change
FAILED_EXIT = 1  # something outside the configuration (a server down, a failed command)


@dataclass(frozen=True)
class Failure:
    lines: tuple[str, ...]
    exit_code: int


def describe(error: BaseException, database_url: str | None = None) -> Failure:
    """The lines to print for ``error`` and the exit status."""
    if isinstance(error, ConfigurationError):
        return Failure(tuple(error.problems), CONFIG_EXIT)
    found = _telegram(error) or _slack(error) or _database(error, database_url)
    if found is not None:
        return found
    return Failure(
        (f"mentorbot failed: {type(error).__name__}: {_first_line(error)}",), FAILED_EXIT
    )


def _telegram(error: BaseException) -> Failure | None:
    try:
        from telegram.error import InvalidToken
    except ImportError:  # pragma: no cover - the dependency is always installed
        return None
    if isinstance(error, InvalidToken):  # its message repeats the token: never shown
        return Failure(
            (f"{variable('telegram_token')} was rejected by Telegram; check it with @BotFather.",),
            CONFIG_EXIT,
        )
    return None


def _slack(error: BaseException) -> Failure | None:
    try:
        from slack_sdk.errors import SlackApiError
    except ImportError:  # pragma: no cover
        return None
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error", "")) if error.response is not None else ""
        if code in ("invalid_auth", "not_authed", "account_inactive", "token_revoked"):
            return Failure(
                (f"{variable('slack_bot_token')} was rejected by Slack ({code}).",), CONFIG_EXIT
            )
    return None


def _database(error: BaseException, database_url: str | None) -> Failure | None:
    from alembic.util.exc import CommandError
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

    where = _safe(database_url)
    if isinstance(error, (ArgumentError, NoSuchModuleError)):
        return Failure((f"DATABASE_URL is not a usable database URL ({where}).",), CONFIG_EXIT)
    if isinstance(error, CommandError):
        return Failure(
            (
                f"the database at {where} needs migrating and could not be: "
                f"{_first_line(error)}; run `mentorbot db upgrade` with this version.",
            ),
            FAILED_EXIT,
        )
    if isinstance(error, DBAPIError):
        reason = _first_line(error.orig) if error.orig is not None else _first_line(error)
        if _missing_table(reason):
            return Failure(
                (f"the database at {where} is not migrated: run `mentorbot db upgrade`.",),
                FAILED_EXIT,
            )
        if isinstance(error, OperationalError):
            return Failure(
                (f"cannot use the database at {where}: {reason}",),
                FAILED_EXIT,
            )
        return Failure((f"database error at {where}: {reason}",), FAILED_EXIT)
    return None


def _missing_table(reason: str) -> bool:
    lowered = reason.lower()
    return "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered)


def _safe(url: str | None) -> str:
    if not url:
        return "the configured URL"
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL: show only its scheme, it may hold a password
        return url.split(":", 1)[0] + ":…" if ":" in url else "a malformed URL"


def _first_line(error: object) -> str:
    text = str(error).strip()
    line = text.splitlines()[0] if text else "(no message)"
    return redact(line)[:300]
