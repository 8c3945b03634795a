"""Secrets never reach a log line: not in the message, not in a logged traceback."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logging_setup import install_redaction

TOKEN = "7012345678:AAH3x9Qk_fakeTokenForTestsOnly-012345"
SECRET = "signing-secret-8f2a"


@pytest.fixture
def captured():
    previous = logging.getLogRecordFactory()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    install_redaction(SECRET)
    try:
        yield logger, stream
    finally:
        logging.setLogRecordFactory(previous)
        logger.removeHandler(handler)


def test_message_traceback_and_stack_are_cleaned(captured):
    logger, stream = captured
    logger.info("GET https://api.telegram.org/bot%s/getMe with %s", TOKEN, SECRET)
    try:
        raise RuntimeError(f"server said: bad request to /bot{TOKEN}/sendMessage ({SECRET})")
    except RuntimeError:
        logger.exception("sending failed")
    logger.warning("where we were", stack_info=True)
    text = stream.getvalue()
    assert TOKEN not in text and SECRET not in text
    assert "sending failed" in text and "RuntimeError: server said" in text  # still useful
    assert text.count("[redacted]") >= 4
