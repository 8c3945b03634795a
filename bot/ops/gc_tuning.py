"""The garbage collector set for a long-running bot process.

CPython frees nearly everything a request allocates by reference counting; the cyclic
collector exists for the rest, and runs on allocation counts. With its defaults it ran
every 700 allocations, and every full collection walked everything the process had
built at start-up (modules, the ORM's metadata, compiled statements, the apps), objects
that live as long as the process. Under a burst a full collection held the event loop
for about 70 ms, every request in flight waiting behind it (issue 14: it was the Slack
claim answers' p99).

So, once the process is built: what exists then is frozen (``gc.freeze``: kept out of
every later collection, never freed, as it never would be anyway), and collections
come less often. Garbage cycles still go, a little later.
"""

from __future__ import annotations

import gc

# Allocations (less deallocations) between young collections; the defaults are
# (700, 10, 10). Each young collection then walks more objects, but far fewer times.
THRESHOLDS = (20_000, 20, 20)


def tune_gc_for_serving() -> None:
    """Call once the process has built what it serves with (its runtime and apps)."""
    gc.collect()  # the start-up's own garbage is freed, not frozen with the rest
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
