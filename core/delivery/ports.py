"""What the delivery engine needs from a chat platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.delivery.messages import Message
from core.members import Platform
from core.notifications import Notification


@dataclass(frozen=True)
class Address:
    """A chat to send to: a DM, a group or a channel on one platform."""

    platform: Platform
    chat_id: str
    is_group: bool = False

    @property
    def key(self) -> str:
        return f"{self.platform.value}:{self.chat_id}"


class SendError(Exception):
    """A send failed in a way worth retrying later (network, 5xx)."""


class RetryLater(SendError):
    """The platform asked us to slow down (HTTP 429 / RetryAfter)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"rate limited, retry after {seconds:g} s")
        self.seconds = seconds


class Unreachable(SendError):
    """The person blocked the bot or the chat is gone (HTTP 403): retrying will not help."""


class ChatProblem(SendError):
    """A shared chat (the mentors' channel or group) refuses the bot: not found, the bot
    removed, archived, no permission. Unlike a person who blocked the bot, an admin can
    fix it, so the send is retried with backoff and the admins are told (issue 12)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Sender(Protocol):
    platform: Platform

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        """Deliver one message or raise a SendError subclass."""
        ...
