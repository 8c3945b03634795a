"""Delivers notifications to the terminal as 'to NAME: …' lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.handlers.console.phrases import PHRASES
from core.delivery.messages import Action, Message
from core.delivery.ports import Address
from core.members import Platform
from core.notifications import Notification


def action_command(action: Action) -> str:
    """How to press a button in the console: the command it stands for."""
    if action.url:
        return action.url
    return " ".join(["/" + action.name.value, *action.args])


def render_message(message: Message) -> str:
    lines = [message.text]
    lines += [f"  [{a.label}] {action_command(a)}" for a in message.actions]
    lines += [f"  (attached {a.filename})" for a in message.attachments]
    return "\n".join(lines)


@dataclass
class ConsoleSender:
    out: Callable[[str], None]
    platform: Platform = Platform.CONSOLE

    async def send(self, address: Address, message: Message, notification: Notification) -> None:
        body = render_message(message.phrased(PHRASES)).replace("\n", "\n    ")
        self.out(f"to {address.chat_id}: {body}")
