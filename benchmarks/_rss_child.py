"""The memory figure of ``benchmarks.hot_path``, in a process of its own.

    python -m benchmarks._rss_child URL COUNT

Starts the Telegram bot the way ``mentorbot telegram`` does up to the point it would
poll (``build_runtime``, ``telegram_application``, ``Application.initialize``, which has
``DatabasePersistence.get_user_data`` load every person's ``user_data`` row; the Bot API is
the in-process stub), over a database whose ``conversation_state`` holds COUNT people each
with a half-filled request form. Prints one JSON line: the process RSS after the imports,
after start-up (every form held), its peak, and how many forms it holds. Only Telegram's
modules are imported, as in the running bot (no Slack).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # as a script, too

from pydantic import SecretStr

from benchmarks import telegram_throughput as tg
from benchmarks._common import START
from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.conversation.forms.request_state import RequestFormState
from core.clock import MovableClock
from core.policy import Policy


def status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of this process, in MB (2**20 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def hold(url: str) -> dict[str, Any]:
    gc.collect()
    imported = status_mb("VmRSS")
    settings = Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings' own
        _env_file=None, database_url=url, telegram_token=SecretStr(tg.TOKEN), admins=[]
    )
    runtime = build_runtime(settings, clock=MovableClock(START), migrate=False, policy=Policy())
    application = runtime.telegram_application()
    tg.use_stub(application)
    await application.initialize()
    try:
        forms = sum(
            1
            for data in application.user_data.values()
            if RequestFormState.from_dict(data.get("form")) is not None
        )
        gc.collect()
        return {
            "imported_mb": imported,
            "rss_mb": status_mb("VmRSS"),
            "peak_mb": status_mb("VmHWM"),
            "people": len(application.user_data),
            "forms": forms,
        }
    finally:
        await application.shutdown()
        runtime.engine.dispose()


def main() -> None:
    url, count = sys.argv[1], int(sys.argv[2])
    found = asyncio.run(hold(url))
    if found["forms"] != count:
        raise SystemExit(f"rss: {found['forms']} forms held, expected {count}")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
