"""How the console says where to go next (core.hints): its typed commands."""

from __future__ import annotations

from core.hints import Hint, Phrasebook

PHRASES: Phrasebook = {
    Hint.START: "First say who you are: /as alice",
    Hint.HELP: "/help lists the commands.",
    Hint.MY: "/my lists them.",
    Hint.REQUEST: "Send /request to ask for a session.",
    Hint.LIMITS: "See /limits for what is left.",
    Hint.BECOME_MENTOR: "Send /become_mentor to apply.",
    Hint.QUEUE: "Send /queue to see open requests.",
    Hint.AVAILABILITY: "Send /availability to set your weekly times.",
    Hint.ADD_WINDOW: (
        "Add one: /availability add Mon 18:00-20:00; remove one: /availability remove ID"
    ),
    Hint.ASSIGN: "Also: /assign REQUEST_ID MENTOR_ID, /stats",
}
