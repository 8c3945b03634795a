"""The memory figure of ``benchmarks.hot_path``, in a process of its own.

    python -m benchmarks._rss_child URL COUNT

Starts the Telegram bot the way ``mentorbot telegram`` does up to the point it would
poll (``build_runtime``, ``telegram_application``, ``Application.initialize``; the Bot
API is the in-process stub), over a database whose ``conversation_state`` holds COUNT
people each with a half-filled request form. Then every one of them sends an update (an
edited message, which the bot answers without moving the form): each person's form is
read into the process, handled and written back. Prints one JSON line: the process RSS
after the imports, after every person was served, its peak, how many people it still
holds in memory and how many forms are stored. Only Telegram's modules are imported, as
in the running bot (no Slack).
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
from sqlalchemy import text

from benchmarks import telegram_throughput as tg
from benchmarks._common import START
from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.telegram.persistence import PREFIX
from bot.ops.gc_tuning import tune_gc_for_serving
from core.clock import MovableClock
from core.policy import Policy


def status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` of this process, in MB (2**20 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


FIRST_UPDATE = 10_000_000


def edited(update_id: int, user_id: int) -> dict[str, Any]:
    """An edited private message: read the person's state, answer, write nothing new."""
    chat = {"id": user_id, "type": "private", "first_name": f"U{user_id}"}
    return {
        "update_id": update_id,
        "edited_message": {
            "message_id": 1,
            "date": int(START.timestamp()),
            "edit_date": int(START.timestamp()) + 5,
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": f"U{user_id}"},
            "text": "an edit",
        },
    }


async def hold(url: str, count: int) -> dict[str, Any]:
    gc.collect()
    imported = status_mb("VmRSS")
    settings = Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings' own
        _env_file=None, database_url=url, telegram_token=SecretStr(tg.TOKEN), admins=[]
    )
    runtime = build_runtime(settings, clock=MovableClock(START), migrate=False, policy=Policy())
    application = runtime.telegram_application()
    tune_gc_for_serving()  # as the runner does
    stub = tg.use_stub(application)
    await application.initialize()
    try:
        # update ids past those that filled the first form (a seen id is not handled)
        updates = [edited(FIRST_UPDATE + i, tg.STUDENT_BASE + i) for i in range(count)]
        for start in range(0, count, 1000):  # in waves, as a burst of people would come
            await tg.drive(application, updates[start : start + 1000])
        gc.collect()
        rss, peak = status_mb("VmRSS"), status_mb("VmHWM")
        with runtime.engine.connect() as connection:  # counted in SQL: nothing loaded here
            forms = connection.execute(
                text(
                    "SELECT count(*) FROM conversation_state"
                    " WHERE key LIKE :prefix AND value -> 'form' IS NOT NULL"
                ),
                {"prefix": f"{PREFIX}:user:%"},
            ).scalar_one()
        return {
            "imported_mb": imported,
            "rss_mb": rss,
            "peak_mb": peak,
            "served": stub.calls.get("sendMessage", 0),
            "resident": len(application.user_data),
            "forms": forms,
        }
    finally:
        await application.shutdown()
        runtime.engine.dispose()


def main() -> None:
    url, count = sys.argv[1], int(sys.argv[2])
    found = asyncio.run(hold(url, count))
    if found["forms"] != count or found["served"] < count:
        raise SystemExit(
            f"rss: {found['forms']} forms stored and {found['served']} people answered,"
            f" expected {count} of each"
        )
    print(json.dumps(found))


if __name__ == "__main__":
    main()
