"""SIGTERM and SIGINT: the first asks for a graceful stop, a second exits at once.

A graceful stop (each runner does its part): take no new updates (stop polling, close
the listening socket), let handlers in flight finish, stop the delivery engine so the
send under way finishes and every other leased row goes back at once, then close the
database. All of it within ``MENTORBOT_SHUTDOWN_SECONDS`` (10 s); what is not done by
then is left to the leases.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

logger = logging.getLogger(__name__)
SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_AT_ONCE = 130


class Shutdown:
    def __init__(self) -> None:
        self.requested = asyncio.Event()

    def install(self) -> None:
        """On the running loop (Unix); elsewhere Ctrl-C stays Python's KeyboardInterrupt."""
        loop = asyncio.get_running_loop()
        for found in SIGNALS:
            try:
                loop.add_signal_handler(found, self._signalled, found)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - not Unix
                return

    def uninstall(self) -> None:
        """Back to the default handlers (a process that goes on after this part ends)."""
        loop = asyncio.get_running_loop()
        for found in SIGNALS:
            try:
                loop.remove_signal_handler(found)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - not Unix
                return

    def _signalled(self, found: signal.Signals) -> None:
        if self.requested.is_set():
            logger.warning("%s again: exiting now", found.name)
            os._exit(EXIT_AT_ONCE)
        logger.info("%s: stopping gracefully", found.name)
        self.requested.set()

    async def wait(self) -> None:
        await self.requested.wait()
