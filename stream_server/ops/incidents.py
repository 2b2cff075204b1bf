"""Recent failures that a request met but no state shows, kept for ``/healthz`` to report."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: how long a failure keeps the server "degraded" after it was last seen (seconds)
WINDOW_SECONDS = 60.0


class Incidents:
    """The last failure of each kind (``directory``, ``on_air`` …) and when it happened."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def note(self, kind: str, what: str) -> None:
        """Record a failure of ``kind``, described by ``what`` (no secrets, no room ids)."""
        with self._lock:
            self._last[kind] = (self._clock(), what)

    def recent(self, window: float = WINDOW_SECONDS) -> list[str]:
        """Descriptions of the failures seen within ``window`` seconds, oldest kind first."""
        now = self._clock()
        with self._lock:
            return [f"{what} ({now - at:.0f} s ago)" for at, what in sorted(self._last.values())
                    if now - at <= window]
