"""The bot's profile on Telegram, brought up to date at every start: the command menus
and the two descriptions, each written only when Telegram's copy differs, so a restart
(or ten, in a crash loop) spends read calls only and never meets setMyCommands' limits.

Menus, by scope (Telegram shows a person the most specific one that is set):

- every private chat: the commands anyone may use (``BOT_COMMANDS`` without the
  admin-only ones);
- each admin's private chat (``MENTORBOT_ADMINS``' ``telegram:<user id>``; a private
  chat's id is the user's): those and every admin-only typed command of the vocabulary
  (``who="an admin"``);
- the mentors' group (``MENTORBOT_TELEGRAM_MENTORS_CHAT_ID``): only what runs in a group
  (nothing of ``chat_rules.PERSONAL_COMMANDS``, which get a pointer to the private chat);
- the default scope is cleared: an older version put its one list for everyone there.

A chat scope whose chat Telegram does not know (an admin who never opened the bot, a
group the bot is not in) is refused by Telegram: that is logged and the start goes on.
The chats given a menu are remembered (``FrontEndStore``), so a chat that no longer should
have one (an admin removed from the setting) loses it at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.config import Settings
from bot.conversation import actions as _actions  # noqa: F401  (fills the vocabulary)
from bot.conversation.vocabulary import typed_actions
from bot.handlers.telegram.chat_rules import PERSONAL_COMMANDS
from bot.handlers.telegram.commands import BOT_COMMANDS
from core.members import Platform
from core.services.admin_settings import parse_admins
from db.frontend_state import FrontEndStore

logger = logging.getLogger(__name__)

# the Bot API's limits (setMyCommands)
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMAND_DESCRIPTION = 256
MAX_COMMANDS = 100

ADMIN_ONLY = "an admin"  # the vocabulary's ``who`` of an action only admins may use
# what the menu says of a typed command that ``BOT_COMMANDS`` does not list
MENU_DESCRIPTIONS = {
    "approve": "Approve a mentor who applied",
    "reject": "Turn down a mentor's application",
    "assign": "Hand a request to a mentor",
    "stats": "Requests, claims, completion and ratings",
    "settle": "Settle a disputed no-show",
    "claim": "Take an open request",
}
# what runs in the mentors' group: typed where the request cards are, answered there
GROUP_COMMANDS = ("claim", "mentors", "help")
REMEMBERED = "tg:profile:menu_chats"  # FrontEndStore key: the chats given a menu

Menu = tuple[tuple[str, str], ...]  # (command, description), in menu order


def _described(name: str) -> tuple[str, str]:
    """A typed command of the vocabulary, with its arguments in the description."""
    found = typed_actions()[name]
    what = MENU_DESCRIPTIONS.get(name, name.replace("_", " ").capitalize())
    usage = f"/{name} {found.usage}".strip() if found.usage else ""
    return name, f"{what}: {usage}" if usage else what


def admin_only() -> frozenset[str]:
    """The typed commands only admins may use (their actions' ``who``)."""
    return frozenset(c for c, d in typed_actions().items() if d.who == ADMIN_ONLY)


def private_menu() -> Menu:
    """Everyone's private chat: the menu as it always was, less the admin commands."""
    hidden = admin_only()
    return tuple((n, d) for n, d in BOT_COMMANDS if n not in hidden)


def admin_menu() -> Menu:
    """An admin's private chat: the private menu and every admin-only typed command, the
    ones ``BOT_COMMANDS`` lacks right after its /admin."""
    listed = {n for n, _ in BOT_COMMANDS}
    extra = tuple(_described(n) for n in typed_actions() if n in admin_only() - listed)
    menu: list[tuple[str, str]] = []
    for entry in BOT_COMMANDS:
        menu.append(entry)
        if entry[0] == "admin":
            menu.extend(extra)
    return tuple(menu)


def group_menu() -> Menu:
    """The mentors' group: no personal command (those only point to the private chat)."""
    listed = dict(BOT_COMMANDS)
    return tuple(
        (n, listed[n]) if n in listed else _described(n)
        for n in GROUP_COMMANDS
        if n not in PERSONAL_COMMANDS
    )


def menu_problems(menu: Menu) -> list[str]:
    """What the Bot API would refuse in ``menu`` (names, descriptions, count)."""
    problems = (
        [f"{len(menu)} commands (at most {MAX_COMMANDS})"] if len(menu) > MAX_COMMANDS else []
    )
    for name, description in menu:
        if not COMMAND_NAME.fullmatch(name):
            problems.append(f"/{name}: a name is 1-32 of a-z 0-9 _")
        if not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
            problems.append(f"/{name}: a description is 1-{MAX_COMMAND_DESCRIPTION} characters")
    if len({name for name, _ in menu}) != len(menu):
        problems.append("a command is listed twice")
    return problems


@dataclass(frozen=True)
class Scoped:
    label: str  # for the log: "private chats", "admin 123", "mentors' group"
    scope: BotCommandScope
    menu: Menu
    chat: str | None = None  # a chat scope's chat id, as remembered


def chat_id(raw: str) -> int | str:
    """A chat id as the setting has it: a number, or an ``@channel`` name."""
    return int(raw) if re.fullmatch(r"-?\d+", raw.strip()) else raw.strip()


def admin_chats(settings: Settings) -> list[int]:
    """The private chats of the Telegram admins the setting names (a user id is its
    private chat's id), in order."""
    identities = parse_admins(settings.admins).identities
    ids = {i.external_id for i in identities if i.platform is Platform.TELEGRAM}
    return sorted(int(i) for i in ids if i.isdigit())


def wanted_menus(settings: Settings) -> list[Scoped]:
    """Every scope this bot sets, with its menu (an empty menu: cleared)."""
    menus = [
        Scoped("default scope", BotCommandScopeDefault(), ()),
        Scoped("private chats", BotCommandScopeAllPrivateChats(), private_menu()),
    ]
    admin = admin_menu()
    menus += [
        Scoped(f"admin {user}", BotCommandScopeChat(user), admin, str(user))
        for user in admin_chats(settings)
    ]
    group = settings.telegram_mentors_chat_id
    if group and group.strip():
        found = chat_id(group)
        menus.append(Scoped("mentors' group", BotCommandScopeChat(found), group_menu(), str(found)))
    return menus


async def sync_profile(
    bot: Bot, settings: Settings, store: FrontEndStore | None = None
) -> list[str]:
    """Bring the menus and descriptions up to date; what was written, e.g.
    ``["setMyCommands private chats", "setMyDescription"]`` (empty when nothing differed).
    A refusal or a network error is logged and skipped: the bot runs without it."""
    changed: list[str] = []
    wanted = wanted_menus(settings)
    remembered = await _remembered(store)
    current = {s.chat for s in wanted if s.chat is not None}
    for chat in sorted(remembered - current):  # no longer an admin, or another group
        wanted.append(Scoped(f"chat {chat}", BotCommandScopeChat(chat_id(chat)), (), chat))
    set_chats: set[str] = set()
    for scoped in wanted:
        problems = menu_problems(scoped.menu)
        if problems:  # a bug here, not the operator's: the tests keep it from happening
            logger.error("command menu for %s not set: %s", scoped.label, "; ".join(problems))
            continue
        try:
            written = await _sync_menu(bot, scoped)
        except TelegramError as error:
            logger.warning("could not set the command menu for %s: %s", scoped.label, error)
            if scoped.chat in remembered:
                set_chats.add(scoped.chat)  # try again next start
            continue
        if written:
            changed.append(f"{written} {scoped.label}")
        if scoped.chat is not None and scoped.menu:
            set_chats.add(scoped.chat)
    if store is not None and set_chats != remembered:
        await asyncio.to_thread(store.save, REMEMBERED, {"chats": sorted(set_chats)})
    changed += await _sync_descriptions(bot, settings)
    if changed:
        logger.info("Telegram profile updated: %s", ", ".join(changed))
    return changed


async def _remembered(store: FrontEndStore | None) -> set[str]:
    if store is None:
        return set()
    found = await asyncio.to_thread(store.load, REMEMBERED)
    chats = (found or {}).get("chats", [])
    return {str(c) for c in chats} if isinstance(chats, list) else set()


async def _sync_menu(bot: Bot, scoped: Scoped) -> str | None:
    """The method called when Telegram's menu for the scope differs, else None."""
    have = await bot.get_my_commands(scope=scoped.scope)
    if tuple((c.command, c.description) for c in have) == scoped.menu:
        return None
    if not scoped.menu:
        await bot.delete_my_commands(scope=scoped.scope)
        return "deleteMyCommands"
    await bot.set_my_commands(_commands(scoped.menu), scope=scoped.scope)
    return "setMyCommands"


def _commands(menu: Iterable[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in menu]


async def _sync_descriptions(bot: Bot, settings: Settings) -> list[str]:
    changed = []
    try:
        if (await bot.get_my_description()).description != settings.telegram_description:
            await bot.set_my_description(settings.telegram_description)
            changed.append("setMyDescription")
        short = settings.telegram_short_description
        if (await bot.get_my_short_description()).short_description != short:
            await bot.set_my_short_description(short)
            changed.append("setMyShortDescription")
    except TelegramError as error:
        logger.warning("could not set the bot's description: %s", error)
    return changed
