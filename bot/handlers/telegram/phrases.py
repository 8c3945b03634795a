"""How Telegram says where to go next (core.hints): its own slash commands."""

from __future__ import annotations

from core.hints import Hint, Phrasebook

PHRASES: Phrasebook = {
    Hint.START: "Send /start first.",
    Hint.HELP: "Send /help for what you can do.",
    Hint.MY: "Send /my to see them.",
    Hint.REQUEST: "Send /request to ask for a session.",
    Hint.LIMITS: "See /limits for what is left.",
    Hint.BECOME_MENTOR: "Send /become_mentor to apply.",
    Hint.QUEUE: "Send /queue to see open requests.",
    Hint.AVAILABILITY: "Send /availability to set your weekly times.",
    Hint.ADD_WINDOW: "Add one: /availability add Mon 18:00-20:00",
    Hint.ASSIGN: "Assign a mentor: /assign REQUEST_ID MENTOR_ID",
}
