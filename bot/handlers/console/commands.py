"""Every console command, registered by importing its module (``ConsoleSession`` does)."""

from bot.handlers.console import (
    followups,
    mentor_commands,
    people_commands,
    presses,
    student_commands,
)

__all__ = ["followups", "mentor_commands", "people_commands", "presses", "student_commands"]
