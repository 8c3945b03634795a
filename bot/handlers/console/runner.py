"""Running the console: interactively, or from a script (file or piped standard input)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.bootstrap import build_runtime
from bot.config import Settings
from bot.handlers.console.demo import CAST, seed_demo
from bot.handlers.console.session import ConsoleSession
from core.clock import MovableClock


def run_console(lines: Iterable[str] | None, demo: bool, echo: bool) -> int:
    settings = Settings()
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    clock = MovableClock(start)
    app = build_runtime(settings, clock=clock)
    muted = [False]

    def out(text: str) -> None:
        if not muted[0]:
            print(text, flush=True)

    session = ConsoleSession(app.ctx, clock, out, app.admins, app.store)
    try:
        # The cast is created on an empty database (--demo or not); its own setup messages
        # (applications, approvals) are delivered silently so the transcript starts clean.
        with app.one_start_at_a_time():  # two consoles on a fresh database: one cast
            seeded = seed_demo(app.ctx)
        if seeded:
            muted[0] = True
            session.run_due_work()
            muted[0] = False
        elif demo:
            print("The demo people already exist in this database.")
        print(CAST)
        if lines is None:
            _interactive(session)
        else:
            for line in lines:
                if echo:
                    who = session.me.display_name.lower() if session.me else ""
                    print(f"{who}> {line.rstrip()}")
                if line.strip() in ("/quit", "/exit"):
                    break
                session.handle_line(line)
    finally:
        session.close()
        app.close()
    return 0


def _interactive(session: ConsoleSession) -> None:
    print("Type /help for commands, /quit to leave.")
    while True:
        who = session.me.display_name.lower() if session.me else ""
        try:
            line = input(f"{who}> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if line.strip() in ("/quit", "/exit"):
            return
        session.handle_line(line)


def script_lines(path: str | None) -> Iterable[str] | None:
    """Lines from a file, or from standard input when it is not a terminal."""
    if path:
        with open(path, encoding="utf-8") as handle:
            return [line for line in handle.read().splitlines() if not line.startswith("#")]
    if not sys.stdin.isatty():
        return [line for line in sys.stdin.read().splitlines() if not line.startswith("#")]
    return None
