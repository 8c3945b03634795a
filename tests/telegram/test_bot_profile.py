"""The bot's profile set at start (issue 13, item 6): a command menu per scope (private
chats, each admin's chat, the mentors' group), the two descriptions, all of it written
only when Telegram's copy differs, checked on the calls the fake Bot API records."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from pathlib import Path

from telegram import Bot

from bot.config import Settings
from bot.config_check import settings_problems
from bot.handlers.telegram import bot_profile
from bot.handlers.telegram.chat_rules import PERSONAL_COMMANDS
from bot.handlers.telegram.commands import BOT_COMMANDS
from tests.support.cli_process import cli_env, spawn_cli
from tests.support.fake_telegram import FakeTelegram
from tests.telegram.harness import ADMIN, BOB, GROUP, TOKEN

REPO = Path(__file__).resolve().parents[2]
WRITES = frozenset(
    {"setMyCommands", "deleteMyCommands", "setMyDescription", "setMyShortDescription"}
)
PRIVATE = ("all_private_chats", None)
DEFAULT = ("default", None)


async def _start(tmp_path: Path, fake: FakeTelegram, **extra: str) -> asyncio.subprocess.Process:
    env = cli_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}",
        MENTORBOT_TELEGRAM_TOKEN=TOKEN,
        MENTORBOT_TELEGRAM_API_URL=fake.url,
        MENTORBOT_TELEGRAM_MENTORS_CHAT_ID=str(GROUP),
        MENTORBOT_ADMINS=f'["telegram:{ADMIN.id}", "telegram:{BOB.id}", "console:admin"]',
        MENTORBOT_TICK_SECONDS="0.5",
    )
    env.update(extra)
    return await spawn_cli("telegram", env=env, cwd=tmp_path)


async def _until(check: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _run_once(tmp_path: Path, fake: FakeTelegram, **extra: str) -> list[str]:
    """Start the runner, wait until it polls (the profile is set before), stop it; the
    methods it called that write."""
    mark = len(fake.calls)
    process = await _start(tmp_path, fake, **extra)
    try:
        await _until(lambda: fake.method_calls("getUpdates", since=mark))
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, output.decode()
    assert b"Traceback" not in output, output.decode()
    return [c.method for c in fake.calls[mark:] if c.method in WRITES]


async def test_start_sets_three_scopes_and_descriptions_then_only_changes(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    # an older version's one list for everyone, admin commands included, in the default scope
    fake.scoped_commands[DEFAULT] = [{"command": n, "description": d} for n, d in BOT_COMMANDS]

    first = await _run_once(tmp_path, fake)

    private = fake.commands_for(*PRIVATE)
    admin = fake.commands_for("chat", ADMIN.id)
    group = fake.commands_for("chat", GROUP)
    everyone = {"start", "request", "my", "limits", "mentors", "become_mentor", "help"}
    assert everyone <= set(private)
    assert not {"admin", "approve", "assign", "stats"} & set(private)  # no admin commands
    assert set(private) < set(admin)  # an admin's menu: everyone's and the admin commands
    assert {"admin", "approve", "reject", "assign", "stats"} <= set(admin)
    assert fake.commands_for("chat", BOB.id) == admin  # each admin named in the setting
    assert {"claim", "help"} <= set(group)
    assert not set(group) & set(PERSONAL_COMMANDS)  # nothing that only points elsewhere
    assert DEFAULT not in fake.scoped_commands  # the old list for everyone is gone
    assert len(fake.scoped_commands) == 4  # private chats, two admins, the group
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert fake.description == settings.telegram_description
    assert fake.short_description == settings.telegram_short_description
    assert sorted(first) == sorted(
        ["deleteMyCommands"] + ["setMyCommands"] * 4 + ["setMyDescription", "setMyShortDescription"]
    )

    # a restart with nothing changed reads and writes nothing
    mark = len(fake.calls)
    assert await _run_once(tmp_path, fake) == []
    reads = {c.method for c in fake.calls[mark:]}
    assert {"getMyCommands", "getMyDescription", "getMyShortDescription"} <= reads

    # an admin removed from the setting and a new description: only those two change
    changed = await _run_once(
        tmp_path,
        fake,
        MENTORBOT_ADMINS=f'["telegram:{ADMIN.id}"]',
        MENTORBOT_TELEGRAM_DESCRIPTION="Mentorship for the Tuesday club.",
    )
    assert sorted(changed) == ["deleteMyCommands", "setMyDescription"]
    assert ("chat", BOB.id) not in fake.scoped_commands
    assert fake.commands_for("chat", ADMIN.id) == admin
    assert fake.description == "Mentorship for the Tuesday club."


async def test_a_refused_scope_is_logged_and_the_others_are_still_set(
    fake: FakeTelegram,
) -> None:
    """An admin who never opened the bot: Telegram answers "chat not found"; the start
    goes on, and the other scopes and the descriptions are set."""
    fake.fail("getMyCommands", ADMIN.id, status=400, description="Bad Request: chat not found")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        admins=[f"telegram:{ADMIN.id}", f"telegram:{BOB.id}"],
        telegram_mentors_chat_id=str(GROUP),
    )
    async with Bot(TOKEN, base_url=f"{fake.url}/bot") as bot:
        changed = await bot_profile.sync_profile(bot, settings)
        assert f"setMyCommands admin {ADMIN.id}" not in changed
        assert f"setMyCommands admin {BOB.id}" in changed
        assert {"setMyCommands private chats", "setMyDescription"} <= set(changed)
        assert ("chat", ADMIN.id) not in fake.scoped_commands
        # the next start sets what was missing, and only that
        mark = len(fake.calls)
        assert await bot_profile.sync_profile(bot, settings) == [f"setMyCommands admin {ADMIN.id}"]
        assert [c.method for c in fake.calls[mark:] if c.method in WRITES] == ["setMyCommands"]


def test_menus_are_within_the_bot_api_limits_and_built_from_the_vocabulary() -> None:
    private, admin, group = (
        bot_profile.private_menu(),
        bot_profile.admin_menu(),
        bot_profile.group_menu(),
    )
    for menu in (private, admin, group):
        assert bot_profile.menu_problems(menu) == []
    admin_only = bot_profile.admin_only()
    assert {"approve", "reject", "assign", "stats", "admin"} <= admin_only
    assert admin_only <= {name for name, _ in admin}  # every admin-only typed command
    assert not admin_only & {name for name, _ in private}
    assert set(private) <= set(admin)
    # the checker itself refuses what Telegram refuses
    assert bot_profile.menu_problems((("Bad-Name", "x"),))
    assert bot_profile.menu_problems((("ok", ""),))
    assert bot_profile.menu_problems((("ok", "x" * 257),))
    assert bot_profile.menu_problems(tuple((f"c{i}", "x") for i in range(101)))


def test_descriptions_are_checked_against_telegrams_limits() -> None:
    fine = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings_problems(fine) == []
    too_long = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_description="x" * 513,
        telegram_short_description="😀" * 61,  # 122 UTF-16 units
    )
    problems = settings_problems(too_long)
    assert any(p.startswith("MENTORBOT_TELEGRAM_DESCRIPTION: 513") for p in problems)
    assert any(p.startswith("MENTORBOT_TELEGRAM_SHORT_DESCRIPTION: 122") for p in problems)
