"""``mentorbot`` started as an operator starts it: a process of its own, with only the
settings a test gives (none inherited from the shell running the tests)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli_env(**settings: str) -> dict[str, str]:
    """This process's environment without any ``MENTORBOT_*`` or ``DATABASE_URL``, plus
    ``settings``; health and metrics off unless a test asks for a port."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MENTORBOT_") and key != "DATABASE_URL"
    }
    env.update(MENTORBOT_METRICS_PORT="0", PYTHONPATH=str(REPO))
    env.update(settings)
    return env


async def spawn_cli(
    *args: str, env: dict[str, str], cwd: Path, merge_stderr: bool = True
) -> asyncio.subprocess.Process:
    """``mentorbot ARGS…`` with stdout piped (and stderr with it, or apart)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; main()",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
    )


async def until(check: Callable[[], object], timeout: float = 30.0, what: str = "") -> None:
    """Poll ``check`` until it is true (a process's effect seen from outside)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what or check}"
        await asyncio.sleep(0.05)
