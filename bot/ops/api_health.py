"""Whether each chat platform's API answered this process's last call (for ``/readyz``).

An answer of any kind counts (a refusal, a 429): the platform is reachable. Only a call
that got no answer (a connection refused, a timeout) makes the process not ready until
the next call is answered.
"""

from __future__ import annotations

import threading


class ApiHealth:
    def __init__(self) -> None:
        self._answered: dict[str, bool] = {}
        self._lock = threading.Lock()

    def record(self, platform: str, answered: bool) -> None:
        with self._lock:
            self._answered[platform] = answered

    def problems(self) -> list[str]:
        with self._lock:
            return [
                f"the {platform} API did not answer the last call"
                for platform, answered in sorted(self._answered.items())
                if not answered
            ]


API_HEALTH = ApiHealth()  # one per process, like the connections it describes
