"""How long to wait before trying a failed send again.

Exponential backoff with "full jitter" (AWS architecture blog's recommendation, also what
tenacity's ``wait_random_exponential`` does): spreading retries at random keeps a crowd
of failed messages from hitting a recovering platform at the same instant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(minutes=30)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the ``attempts``-th failure (1-based)."""
        # in float seconds: base * 2**n overflows timedelta long before n reaches 64
        exponent = min(max(attempts - 1, 0), 1000)
        seconds = min(self.cap.total_seconds(), self.base.total_seconds() * 2.0**exponent)
        ceiling = timedelta(seconds=seconds)
        fraction = (rng or random).random()
        wait: timedelta = max(timedelta(seconds=1), ceiling * fraction)
        return wait

    def is_last(self, attempts: int) -> bool:
        return attempts >= self.max_attempts
