"""A mentors' channel or group that refuses the bot (issue 12, "unreachable recipients").

Before, one ``channel_not_found`` marked a request card SKIPPED after a single attempt,
with no retry, no word to anyone and no log line, while the student had been told
"Mentors have been told." Now:

- a send to a shared chat that refuses the bot (the senders raise ``ChatProblem``) is an
  ordinary failure: the card is retried with backoff, and its ``last_error`` starts with
  :data:`FEED_PROBLEM` so that anyone can ask whether the feed is known to be failing;
- the admins get ONE direct message per problem (chat and reason) a day, saying what is
  wrong and how to fix it, not one per card; cards given up on such a problem do not
  each add a "could not be delivered" notice on top;
- every failed send is logged at WARNING with the platform, the kind and the reason:
  never the text, which may quote a person.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from core.delivery.messages import Message
from core.delivery.ports import Address
from core.members import Platform
from core.notifications import Audience, Kind, Notification, to_audience

if TYPE_CHECKING:
    from core.delivery.texts import Facts

logger = logging.getLogger(__name__)

# the start of a card's last_error while the feed refuses it
FEED_PROBLEM = "feed unreachable: "

_SETTING = {
    Platform.SLACK: "MENTORBOT_SLACK_MENTORS_CHANNEL",
    Platform.TELEGRAM: "MENTORBOT_TELEGRAM_MENTORS_CHAT_ID",
}

_WHAT = {
    "channel_not_found": "the channel does not exist or the app cannot see it",
    "not_in_channel": "the app is not a member of the channel",
    "is_archived": "the channel is archived",
    "no_permission": "the app is not allowed to post there",
    "chat_not_found": "the group does not exist or the bot cannot see it",
    "bot_removed": "the bot was removed from the group",
    "no_rights": "the bot has no right to post in the group",
    "chat_migrated": "the group was upgraded to a supergroup and has a new id",
}

_FIX = {
    "channel_not_found": "check that {setting} holds the channel's id (C…) and invite the app "
    "to the channel (/invite @app)",
    "not_in_channel": "invite the app to the channel (/invite @app)",
    "is_archived": "unarchive the channel, or point {setting} to another channel and invite "
    "the app there",
    "no_permission": "let the app post in the channel (channel settings: posting permissions) "
    "and check its scopes include chat:write",
    "chat_not_found": "check that {setting} holds the group's id (a negative number) and add "
    "the bot to the group",
    "bot_removed": "add the bot to the group again",
    "no_rights": "give the bot the right to send messages (group settings: permissions)",
    "chat_migrated": "put the supergroup's new id in {setting}",
}


def problem_reason(error: str | None) -> str | None:
    """The feed problem a card's ``last_error`` records, if it records one."""
    if error and error.startswith(FEED_PROBLEM):
        return error[len(FEED_PROBLEM) :]
    return None


def log_failed_send(address: Address, notification: Notification, reason: str) -> None:
    """One WARNING per failed send: platform, kind, reason and ids, never content."""
    logger.warning(
        "send failed: platform=%s kind=%s notification=%s chat=%s reason=%s",
        address.platform.value,
        notification.kind.value,
        notification.id,
        "group" if address.is_group else "dm",
        reason[:200],
    )


def feed_problem_notice(address: Address, reason: str, now: datetime) -> Notification:
    """The admins' direct message about one problem: one a day per chat and reason,
    however many cards meet it (the dedup key names the problem, not the card)."""
    return to_audience(
        Kind.FEED_PROBLEM,
        Audience.ADMINS,
        now,
        f"{address.platform.value}:{address.chat_id}:{reason}:{now.date().isoformat()}",
        platform=address.platform.value,
        chat=address.chat_id,
        reason=reason,
    )


def feed_problem_text(f: Facts) -> Message:
    p = f.notification.payload
    reason = str(p.get("reason") or "")
    platform = Platform(str(p.get("platform") or Platform.SLACK.value))
    setting = _SETTING.get(platform, "the mentors' chat setting")
    where = "channel" if platform == Platform.SLACK else "group"
    what = _WHAT.get(reason, f"the platform answered {reason!r}")
    fix = _FIX.get(reason, "check {setting} and that the bot may post there").format(
        setting=setting
    )
    return Message(
        f"Request cards cannot be posted to the mentors' {where} {p.get('chat')} "
        f"on {platform.value.capitalize()}: {what}. To fix it, {fix}. "
        "The cards are being retried and will go out once it works; students are told "
        "mentors will see their requests as soon as it is fixed."
    )
