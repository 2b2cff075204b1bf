"""Listener counting: who fetched a room's playlist lately, from any serving path.

A listener is a valid listener token (see ``room_directory.access``) that fetched a room's
playlist within the last ``window`` seconds (players poll a live playlist about once per
target duration). The Flask path reports each playlist fetch; the nginx path reports the
same from its access log. Counts per minute are kept for each show (host analytics).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict


class ListenerTracker:
    """Thread-safe counts of listeners now and per minute, per room."""

    def __init__(self, *, window: float = 10.0, keep_minutes: int = 24 * 60) -> None:
        self._window = window
        self._keep_minutes = keep_minutes
        self._lock = threading.Lock()
        #: room → token → last time seen
        self._last_seen: dict[str, dict[str, float]] = defaultdict(dict)
        #: room → minute (epoch // 60) → tokens seen in that minute
        self._minutes: dict[str, dict[int, set[str]]] = defaultdict(dict)

    def seen(self, room_id: str, token: str, at: float | None = None) -> None:
        """Record one playlist fetch by ``token`` in ``room_id`` at ``at`` (default now)."""
        when = time.time() if at is None else at
        minute = int(when // 60)
        with self._lock:
            last = self._last_seen[room_id]
            last[token] = max(when, last.get(token, 0.0))
            self._minutes[room_id].setdefault(minute, set()).add(token)
            if len(last) > 4096:
                self._prune_locked(room_id, when)

    def _prune_locked(self, room_id: str, now: float) -> None:
        last = self._last_seen[room_id]
        for token in [t for t, at in last.items() if at < now - self._window]:
            del last[token]
        minutes = self._minutes[room_id]
        oldest = int(now // 60) - self._keep_minutes
        for minute in [m for m in minutes if m < oldest]:
            del minutes[minute]

    def count(self, room_id: str, now: float | None = None) -> int:
        """Listeners of ``room_id`` now: tokens seen within the window."""
        when = time.time() if now is None else now
        with self._lock:
            self._prune_locked(room_id, when)
            return sum(1 for at in self._last_seen[room_id].values() if at >= when - self._window)

    def counts(self, now: float | None = None) -> dict[str, int]:
        """Listeners now for every room that has had any."""
        with self._lock:
            rooms = list(self._last_seen)
        return {room: self.count(room, now) for room in rooms}

    def per_minute(self, room_id: str, since: float, until: float | None = None) -> list[int]:
        """Distinct listeners in each minute from ``since`` to ``until`` (default now), oldest first."""
        end = time.time() if until is None else until
        first, last = int(since // 60), int(end // 60)
        with self._lock:
            minutes = self._minutes.get(room_id, {})
            return [len(minutes.get(m, ())) for m in range(first, last + 1)]

    def forget(self, room_id: str) -> None:
        """Drop everything about a room (its show ended and its figures were saved)."""
        with self._lock:
            self._last_seen.pop(room_id, None)
            self._minutes.pop(room_id, None)
