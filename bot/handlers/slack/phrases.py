"""How Slack says where to go next (core.hints): the Home tab and the slash command's
sub-commands, named with the command this workspace installed."""

from __future__ import annotations

from core.hints import Hint, Phrasebook


def phrases(command: str) -> Phrasebook:
    return {
        Hint.START: "Open the app's Home tab first.",
        Hint.HELP: "Open the app's Home tab for what you can do.",
        Hint.MY: "The app's Home tab lists them.",
        Hint.REQUEST: f"Send {command} or press Request a session on the Home tab to ask for one.",
        Hint.LIMITS: f"Send {command} limits or see the Home tab for what is left.",
        Hint.BECOME_MENTOR: f"Home tab → Become a mentor (or {command} become_mentor) to apply.",
        Hint.QUEUE: f"Send {command} queue or open the Home tab to see open requests.",
        Hint.AVAILABILITY: "Home tab → Availability sets your weekly times.",
        Hint.ADD_WINDOW: (
            f"Add one: {command} availability add Mon 18:00-20:00, or Home tab → Availability."
        ),
        Hint.ASSIGN: f"Assign a mentor: {command} assign REQUEST_ID MENTOR_ID",
    }
