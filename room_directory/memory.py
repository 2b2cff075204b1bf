"""An in-memory room directory for unit tests and throwaway runs."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from room_directory.models import Room
from room_directory.port import RoomExists, RoomNotFound


class InMemoryRoomDirectory:
    """Rooms in a dict, guarded by a lock; same behaviour as the real adapters."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}
        self._lock = threading.Lock()

    def create(self, room: Room) -> Room:
        """Store a new room; raise ``RoomExists`` when its id is taken."""
        now = time.time()
        stored = replace(room, created_at=room.created_at or now, updated_at=now)
        with self._lock:
            if room.id in self._rooms:
                raise RoomExists(room.id)
            self._rooms[room.id] = stored
        return stored

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        with self._lock:
            return self._rooms.get(room_id)

    def list_rooms(self, *, live_only: bool = False) -> list[Room]:
        """Every room (or only live ones), newest first."""
        with self._lock:
            rooms = list(self._rooms.values())
        if live_only:
            rooms = [r for r in rooms if r.is_live]
        return sorted(rooms, key=lambda r: (r.created_at, r.id), reverse=True)

    def update(self, room: Room) -> Room:
        """Replace a stored room; raise ``RoomNotFound`` when it is absent."""
        stored = replace(room, updated_at=time.time())
        with self._lock:
            if room.id not in self._rooms:
                raise RoomNotFound(room.id)
            self._rooms[room.id] = stored
        return stored
