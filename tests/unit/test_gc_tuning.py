"""The serving processes' collector (``bot.ops.gc_tuning``): start-up objects are kept
out of collections, and garbage cycles made while serving are still freed, so a
long-running bot does not grow. Run in a child process: freezing is for the whole
process, and the test run's own must stay as it is."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import gc, weakref
    from bot.ops.gc_tuning import THRESHOLDS, tune_gc_for_serving

    class Node:
        pass

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        return weakref.ref(a)

    before = cycle()  # garbage left over from start-up: freed, not frozen
    tune_gc_for_serving()
    assert before() is None, "start-up garbage was frozen"
    assert gc.get_freeze_count() > 1000, gc.get_freeze_count()
    assert gc.get_threshold() == THRESHOLDS, gc.get_threshold()
    # serving: many short-lived cycles; the collector still frees them on its own
    refs = [cycle() for _ in range(50_000)]
    alive = sum(1 for r in refs if r() is not None)
    assert alive < 25_000, f"{alive} of 50000 garbage cycles never freed"
    print("ok", gc.get_freeze_count(), alive)
    """
)


def test_startup_objects_are_frozen_and_later_cycles_are_still_freed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")
