"""The live publishing connections of this server: one per key, kickable, with their levels.

A key publishes over one connection at a time (an Icecast body or a browser chunk
session). A second connection with the same key is refused (409) unless the first
has sent nothing for ``replace_after`` seconds: then the first is taken to be dead,
cut off (reason ``replaced``) and the second takes its place.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stream_server.ingest.keys import Publisher
from stream_server.ingest.publisher import PublisherSession

#: connections with audio on one room's bus at once (host and co-hosts)
MAX_PUBLISHERS_PER_ROOM = 16
#: a connection that sent nothing for this long may be replaced by a new one with its key
REPLACE_AFTER_SECONDS = 5.0
#: ended connections remembered per room (for the host's console)
RECENT_ENDS = 20


class KeyInUse(Exception):
    """The key is publishing over a live connection already."""


class RoomFull(Exception):
    """The room has ``MAX_PUBLISHERS_PER_ROOM`` publishers on air already."""


@dataclass(eq=False)
class Connection:
    """One publishing connection: who, how, and how to end it from another thread."""

    publisher: Publisher
    kind: str  # "icecast" or "browser"
    address: str
    interrupt: Callable[[], None] = lambda: None
    session: PublisherSession | None = None
    connected_at: float = field(default_factory=time.time)
    claimed_at: float = field(default_factory=time.monotonic)
    #: the client hung up; what it sent may still be playing out, but the key is free again
    client_gone: bool = False

    def idle_for(self, now: float) -> float:
        """Seconds since this connection last delivered bytes (monotonic ``now``)."""
        last = self.session.last_activity if self.session else self.claimed_at
        return now - last

    def kick(self, reason: str) -> None:
        """Cut the session off and wake whatever waits on the connection."""
        if self.session is not None:
            self.session.cut(reason)
        try:
            self.interrupt()
        except OSError:
            pass

    def view(self) -> dict[str, Any]:
        """The connection as the host's console shows it, with its level (before mute)."""
        levels = self.session.input.meter.snapshot() if self.session else {
            "peak_dbfs": -120.0, "rms_dbfs": -120.0}
        return {
            "key_id": self.publisher.key_id,
            "name": self.publisher.name,
            "role": self.publisher.role.value,
            "kind": self.kind,
            "muted": bool(self.session.input.muted) if self.session else self.publisher.muted,
            "connected_since": self.connected_at,
            "bytes_in": self.session.bytes_in if self.session else 0,
            **levels,
        }


class PublisherRegistry:
    """Every live publishing connection of this process, by room and key."""

    def __init__(self, *, replace_after: float = REPLACE_AFTER_SECONDS,
                 max_per_room: int = MAX_PUBLISHERS_PER_ROOM,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._replace_after = replace_after
        self._max_per_room = max_per_room
        self._clock = clock
        self._live: dict[tuple[str, str], Connection] = {}
        self._ends: dict[str, collections.deque[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def claim(self, conn: Connection) -> Connection | None:
        """Register ``conn`` for its key; the dead connection it replaced (already kicked), if any.

        Raises ``KeyInUse`` while another connection with the key is alive (its client still
        connected and sending within ``replace_after``), ``RoomFull``
        when the room has its maximum of publishers.
        """
        slot = (conn.publisher.room_id, conn.publisher.key_id)
        with self._lock:
            old = self._live.get(slot)
            if (old is not None and not old.client_gone
                    and old.idle_for(self._clock()) < self._replace_after):
                raise KeyInUse("this key is publishing already; one connection per key")
            in_room = sum(1 for (room, _), c in self._live.items()
                          if room == slot[0] and c is not old)
            if in_room >= self._max_per_room:
                raise RoomFull(f"the room has {self._max_per_room} publishers on air already")
            self._live[slot] = conn
        if old is not None:
            old.kick("replaced")
        return old

    def release(self, conn: Connection, reason: str) -> None:
        """Forget ``conn`` (if it still holds its key) and remember how it ended."""
        slot = (conn.publisher.room_id, conn.publisher.key_id)
        with self._lock:
            if self._live.get(slot) is conn:
                del self._live[slot]
            ends = self._ends.setdefault(slot[0], collections.deque(maxlen=RECENT_ENDS))
            ends.append({"key_id": slot[1], "name": conn.publisher.name, "kind": conn.kind,
                         "reason": reason, "at": time.time(),
                         "bytes_in": conn.session.bytes_in if conn.session else 0})

    def find(self, room_id: str, key_id: str) -> Connection | None:
        """The live connection of a key, if any."""
        with self._lock:
            return self._live.get((room_id, key_id))

    def kick(self, room_id: str, key_id: str, reason: str) -> bool:
        """Cut off the key's live connection; whether there was one."""
        conn = self.find(room_id, key_id)
        if conn is None:
            return False
        conn.kick(reason)
        return True

    def set_muted(self, room_id: str, key_id: str, muted: bool) -> None:
        """Mute or unmute the key's live input now (the directory keeps it for later ones)."""
        conn = self.find(room_id, key_id)
        if conn is not None and conn.session is not None:
            conn.session.input.muted = muted

    def connections(self, room_id: str) -> list[Connection]:
        """The room's live connections, oldest first."""
        with self._lock:
            return sorted((c for (room, _), c in self._live.items() if room == room_id),
                          key=lambda c: c.claimed_at)

    def recent_ends(self, room_id: str) -> list[dict[str, Any]]:
        """How the room's last connections ended, oldest first."""
        with self._lock:
            return list(self._ends.get(room_id, ()))
