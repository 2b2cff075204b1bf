"""One ``RoomIndex`` per batch of requests, rebuilt in the background while it is used.

In: a way to list the rooms (the directory's ``list_rooms``) and a clock. Out: the
current ``RoomIndex`` (``skill.core.room_index``), never older than ``ttl`` by more than
one rebuild.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from room_directory.models import Room
from skill.core.room_index import RoomIndex


class IndexCache:
    """One ``RoomIndex`` per batch of requests: the rooms are listed and indexed at most
    once every ``ttl`` seconds, never per request.

    The first index is built on first use; later ones in a background thread while
    requests keep using the previous one (one rebuild at a time), so no request waits for
    thousands of rooms to be indexed; when no room changed (same ids, update times and
    states) the old index is kept. A room found in an index is looked up again before it
    is played (its status may have changed), so a stale index never plays an ended room; a
    room created since the last build is found after the next one (rooms offered by the
    welcome or "what's live" are joined through dynamic entities, by id, meanwhile).
    """

    def __init__(self, ttl: float = 2.0, clock: Callable[[], float] = time.monotonic,
                 *, background: bool = True) -> None:
        self._ttl = ttl
        self._clock = clock
        self._background = background
        self._built_at = 0.0
        self._built_from = 0
        self._index: RoomIndex | None = None
        self._building = False
        self._lock = threading.Lock()

    @staticmethod
    def _fingerprint(rooms: Sequence[Room]) -> int:
        return hash(tuple((r.id, r.updated_at, r.status) for r in rooms))

    def _rebuild(self, list_rooms: Callable[[], Sequence[Room]]) -> None:
        try:
            rooms = list_rooms()
            fingerprint = self._fingerprint(rooms)
            index = None if fingerprint == self._built_from else RoomIndex(rooms)
            with self._lock:
                if index is not None:
                    self._index, self._built_from = index, fingerprint
                self._built_at = self._clock()
        finally:
            with self._lock:
                self._building = False

    def index(self, list_rooms: Callable[[], Sequence[Room]]) -> RoomIndex:
        """The current index; a stale one is rebuilt (in the background by default)."""
        with self._lock:
            current = self._index
            start = (current is not None and not self._building
                     and self._clock() - self._built_at >= self._ttl)
            if start:
                self._building = True
        if current is None:
            rooms = list_rooms()
            index = RoomIndex(rooms)
            with self._lock:
                self._index, self._built_at = index, self._clock()
                self._built_from = self._fingerprint(rooms)
            return index
        if start and self._background:
            threading.Thread(target=self._rebuild, args=(list_rooms,), daemon=True,
                             name="room-index").start()
        elif start:
            self._rebuild(list_rooms)
            with self._lock:
                return self._index or current
        return current
