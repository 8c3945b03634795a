"""The slash command's sub-commands: ``/mentorship queue``, ``/mentorship assign 12 7``…

Each is an action of the shared vocabulary typed with its arguments, pressed through the
one dispatcher and rendered like a button press (``presses.render``): a note where it was
typed, lists and their buttons by DM. Who may do what is the vocabulary's business; here
Slack only names its sub-commands and lists them for ``help``.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.dispatcher import press
from bot.conversation.vocabulary import VOCABULARY
from bot.handlers.slack.common import deps, member_of, tell, turn_for
from bot.handlers.slack.presses import render
from core.delivery.messages import ActionName

# typed word → (the vocabulary's action, what it is for)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "my": ("my", "your requests and sessions"),
    "limits": ("limits", "what you can still ask for"),
    "mentors": ("mentors", "the mentors and their ratings; ask one for a session"),
    "timezone": ("timezone", "your time zone, or set it (e.g. Europe/Berlin)"),
    "queue": ("queue", "open requests you can claim (mentors)"),
    "claim": (ActionName.CLAIM.value, "take an open request (mentors)"),
    "release": (ActionName.RELEASE.value, "give a claimed request back (mentors)"),
    "decline": (ActionName.DECLINE.value, "turn down a request addressed to you (mentors)"),
    "availability": ("availability", "your weekly windows (mentors)"),
    "admin": ("admin", "applications waiting and statistics (admins)"),
    "approve": (ActionName.APPROVE_MENTOR.value, "approve a mentor application (admins)"),
    "reject": (ActionName.REJECT_MENTOR.value, "reject a mentor application (admins)"),
    "assign": ("assign", "hand a request to a mentor (admins)"),
    "stats": ("stats", "the numbers (admins)"),
}
SHOWN_OF_UNKNOWN = 30  # characters of an unknown sub-command repeated back


def help_text(command: str) -> str:
    lines = [
        f"What you can do with {command}:",
        f"{command} (or {command} request) - ask for a mentorship session",
        f"{command} become_mentor - apply to mentor",
    ]
    for word, (name, what) in SUBCOMMANDS.items():
        lines.append(f"{command} {word} {VOCABULARY[name].usage}".rstrip() + f" - {what}")
    lines.append(f"{command} help - this list")
    return "\n".join(lines)


async def run(
    context: AsyncBoltContext,
    client: AsyncWebClient,
    body: dict[str, Any],
    word: str,
    words: list[str],
) -> None:
    """``word`` with its arguments ``words``; ``help`` or an unknown word gets the list."""
    command = deps(context).command
    found = SUBCOMMANDS.get(word)
    if found is None:
        unknown = "" if word == "help" else f"I do not know {command} {word[:SHOWN_OF_UNKNOWN]}. "
        await tell(client, body, unknown + help_text(command))
        return
    member = await member_of(context)
    turn = turn_for(context, member)
    result = await press(turn, found[0], words, typed_as=f"{command} {word}")
    await render(context, client, body, member, result)
