"""A sender that keeps what it was asked to send: for tests, demos and benchmarks.

It can also append each send as a JSON line to a file (``O_APPEND`` writes of one line
are atomic), so several worker processes can be checked for lost or doubled messages.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field

from core.delivery.messages import Message
from core.delivery.ports import Address
from core.members import Platform
from core.notifications import Notification


@dataclass
class Sent:
    address: Address
    message: Message
    notification: Notification


@dataclass
class RecordingSender:
    platform: Platform = Platform.CONSOLE
    sent: list[Sent] = field(default_factory=list)
    log_path: str | None = None
    delay: float = 0.0  # seconds per send, to make batches take time in tests

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append(Sent(address, message, notification))
        if self.log_path:
            line = json.dumps(
                {
                    "id": notification.id,
                    "key": notification.dedup_key,
                    "kind": notification.kind.value,
                    "to": address.key,
                    "pid": os.getpid(),
                }
            )
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
