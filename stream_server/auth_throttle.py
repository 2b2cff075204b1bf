"""Failed key attempts slowed per client address, in bounded memory.

After ``max_failures`` wrong keys from one address within ``window`` seconds, that
address is refused (429 with ``Retry-After``) for ``base_delay`` seconds, doubling
with every further failure up to ``max_delay``. A success does not wipe the record
(one valid key must not reset the guessing of others); records fade after the
window. At most ``capacity`` addresses are remembered, least recently failed
forgotten first.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

#: defaults: 5 failures in 60 s, then 5 s, 10 s, 20 s … at most 5 minutes; 4,096 addresses
MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
BASE_DELAY_SECONDS = 5.0
MAX_DELAY_SECONDS = 300.0
CAPACITY = 4096


@dataclass
class _Record:
    failures: int
    first_at: float
    last_at: float


class FailedAttempts:
    """Counts wrong keys per client address and says how long an address must wait."""

    def __init__(self, *, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 base_delay: float = BASE_DELAY_SECONDS, max_delay: float = MAX_DELAY_SECONDS,
                 capacity: int = CAPACITY, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_failures = max_failures
        self._window = window
        self._base = base_delay
        self._max_delay = max_delay
        self._capacity = capacity
        self._clock = clock
        self._records: collections.OrderedDict[str, _Record] = collections.OrderedDict()
        self._lock = threading.Lock()

    def _delay(self, record: _Record) -> float:
        excess = record.failures - self._max_failures
        return 0.0 if excess < 0 else min(self._base * 2.0**excess, self._max_delay)

    def _current(self, address: str, now: float) -> _Record | None:
        record = self._records.get(address)
        if record is None:
            return None
        if now - record.last_at > max(self._window, self._delay(record)):
            del self._records[address]  # faded: a fresh start
            return None
        return record

    def retry_after(self, address: str) -> float:
        """Seconds ``address`` must still wait before its next attempt (0: go ahead)."""
        now = self._clock()
        with self._lock:
            record = self._current(address, now)
            if record is None:
                return 0.0
            return max(0.0, record.last_at + self._delay(record) - now)

    def failed(self, address: str) -> None:
        """Record a wrong key from ``address``."""
        now = self._clock()
        with self._lock:
            record = self._current(address, now)
            stale = record is not None and record.failures < self._max_failures and (
                now - record.first_at > self._window)
            if record is None or stale:
                record = _Record(0, now, now)
            record.failures += 1
            record.last_at = now
            self._records[address] = record
            self._records.move_to_end(address)
            while len(self._records) > self._capacity:
                self._records.popitem(last=False)

    def __len__(self) -> int:
        return len(self._records)
