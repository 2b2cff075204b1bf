"""Requests per client address in a sliding window, for routes anyone may call (raising a hand).

Wrong keys and codes are ``auth``'s throttle; this limits right-looking requests that still
cost something (a hand lands in the host's queue), so one address cannot flood a queue.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable

from flask import current_app

#: addresses remembered at once per limit; the least recently seen are forgotten first
CAPACITY = 4096


class AddressRateLimit:
    """At most ``limit`` requests per address within ``window`` seconds."""

    def __init__(self, limit: int, window: float, *, capacity: int = CAPACITY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._capacity = capacity
        self._clock = clock
        self._seen: collections.OrderedDict[str, collections.deque[float]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def spend(self, address: str) -> int:
        """Count one request from ``address``: 0 when allowed, else whole seconds to wait."""
        now = self._clock()
        with self._lock:
            times = self._seen.setdefault(address, collections.deque())
            while times and now - times[0] >= self._window:
                times.popleft()
            if len(times) >= self._limit:
                return max(1, math.ceil(times[0] + self._window - now))
            times.append(now)
            self._seen.move_to_end(address)
            while len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
            return 0


_lock = threading.Lock()


def rate_limit(name: str, limit: int, window: float) -> AddressRateLimit:
    """The app's limit called ``name`` (built on first use with ``limit`` per ``window`` seconds)."""
    extensions = current_app.extensions
    key = f"livestage_rate_{name}"
    with _lock:
        found = extensions.get(key)
        if found is None:
            found = extensions[key] = AddressRateLimit(limit, window)
    assert isinstance(found, AddressRateLimit)
    return found
