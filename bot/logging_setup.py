"""Logging that never prints a token: httpx logs request URLs, and the Bot API puts the
token in the URL, so every record passes through a redacting filter."""

from __future__ import annotations

import logging
import os
import re

from pythonjsonlogger.json import JsonFormatter

from bot.log_context import ContextFilter

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


BOLT_BODY = (
    (re.compile(r"(?is)\b(request )?body: .*$"), r"\1body: [not logged]"),
    (re.compile(r"(?s)for the request \(.*\)$"), "for the request [body not logged]"),
    (re.compile(r"(?s)^\s*\{.*\}\s*$"), "[request body not logged]"),
)


def scrub_bolt(message: str) -> str:
    """slack_bolt's messages without the request bodies it quotes (a request that fails
    verification is logged with its whole body at INFO, an unacknowledged one at
    WARNING, an unhandled error's at INFO)."""
    for pattern, replacement in BOLT_BODY:
        message = pattern.sub(replacement, message)
    return message


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
        if record.name.startswith("slack_bolt") and not content_allowed():
            cleaned = scrub_bolt(cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = formatter.formatException(record.exc_info)
        if record.exc_text:  # also one an earlier factory made (each knows its secrets)
            record.exc_text = redact(record.exc_text, known)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, known)
        return record

    logging.setLogRecordFactory(factory)
    logging.getLogger("httpx").setLevel(logging.WARNING)


# Libraries that log what people wrote at DEBUG: PTB logs every update and every Bot API
# call with its text, slack_bolt/slack_sdk every payload, httpcore/aiohttp raw traffic.
CONTENT_LOGGERS = ("telegram", "slack_bolt", "slack_sdk", "httpcore", "aiohttp", "tornado")
LOG_CONTENT_VARIABLE = "MENTORBOT_LOG_CONTENT"


def content_allowed() -> bool:
    """Whether the operator asked for message text in DEBUG logs
    (``MENTORBOT_LOG_CONTENT=true``); never by default."""
    return os.environ.get(LOG_CONTENT_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


class JsonLines(JsonFormatter):
    """One JSON object per line: time, level, logger, event, update and person ids. A
    traceback is the one ``install_redaction`` cleaned (``exc_text``), never a fresh one."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(update_id)s %(person_id)s",
            rename_fields={
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "message": "event",
            },
        )

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and record.exc_text:
            raw, record.exc_info = record.exc_info, None
            try:
                return super().format(record)
            finally:
                record.exc_info = raw
        return super().format(record)


def configure_logging(level: int = logging.INFO, log_format: str = "text") -> None:
    """The runners' logging: one line per record on stderr, plain text or (``json``) one
    JSON object. Below INFO the libraries that log message text stay at INFO unless
    ``MENTORBOT_LOG_CONTENT=true``; at INFO and above nothing logs what a person wrote
    (our own code logs ids, kinds and reasons)."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    if log_format == "json":
        handler.setFormatter(JsonLines())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])  # a no-op where logging is set up
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # every tick
    # slack_bolt logs the whole body of a request that fails verification at INFO; our
    # endpoint checks signatures first and logs such a request without its body
    logging.getLogger("slack_bolt").setLevel(max(level, logging.WARNING))
    if level < logging.INFO and not content_allowed():
        for name in CONTENT_LOGGERS:
            logging.getLogger(name).setLevel(logging.INFO)


def command_word(text: str) -> str:
    """What a log line may say about a typed line: the command's name, never its text."""
    first = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    if first.startswith("/") and first[1:].replace("_", "").isalnum() and len(first) <= 33:
        return first.lower()
    return "(free text)"
