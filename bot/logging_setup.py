"""Logging that never prints a token: httpx logs request URLs, and the Bot API puts the
token in the URL, so every record passes through a redacting filter."""

from __future__ import annotations

import logging
import re

TOKEN_PATTERNS = (
    re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}"),  # Telegram bot tokens
    re.compile(r"xox[abposr]-[A-Za-z0-9-]+"),  # Slack tokens
    re.compile(r"xapp-[A-Za-z0-9-]+"),
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


def install_redaction(*secrets: str) -> None:
    """Redact every log record when it is created, whichever handler later sees it (a
    filter on the root logger would miss records propagated from child loggers).

    The message is cleaned, and so are a logged exception's traceback (``exc_info``: a
    ``SlackApiError`` or an httpx error quotes what the server answered, or the URL
    with the bot token) and ``stack_info``. Those are normally formatted later by the
    handler; here they are formatted and cleaned when the record is made, and a
    formatter then uses the cleaned ``exc_text``."""
    known = tuple(s for s in secrets if s)
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        cleaned = redact(message, known)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(formatter.formatException(record.exc_info), known)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, known)
        return record

    logging.setLogRecordFactory(factory)
    logging.getLogger("httpx").setLevel(logging.WARNING)
