"""An in-memory room directory for unit tests and throwaway runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from dataclasses import replace

from room_directory.models import Hand, Message, PublisherKey, Room, RoomStatus, Show
from room_directory.port import HandChanged, RoomExists, RoomNotFound


class InMemoryRoomDirectory:
    """Rooms in dicts, guarded by one lock; same behaviour as the real adapters."""

    def __init__(self) -> None:
        self._rooms: dict[str, Room] = {}
        #: room ids newest first, kept between room writes (sorting thousands costs a millisecond)
        self._newest_first: list[str] | None = None
        self._leases: dict[str, tuple[str, float]] = {}
        self._keys: dict[tuple[str, str], PublisherKey] = {}
        self._shows: dict[tuple[str, str], Show] = {}
        self._messages: list[Message] = []
        self._hands: dict[tuple[str, str], Hand] = {}
        #: (room, minute) -> listener ids seen in that minute
        self._listeners: dict[tuple[str, int], set[str]] = {}
        self._lock = threading.Lock()

    # -- rooms ---------------------------------------------------------------------------

    def _code_taken(self, room: Room) -> bool:
        return room.join_code is not None and any(
            r.join_code == room.join_code and r.id != room.id for r in self._rooms.values()
        )

    def create(self, room: Room) -> Room:
        """Store a new room; raise ``RoomExists`` when its id or join code is taken."""
        now = time.time()
        stored = replace(room, created_at=room.created_at or now, updated_at=now)
        with self._lock:
            if room.id in self._rooms or self._code_taken(room):
                raise RoomExists(room.id)
            self._rooms[room.id] = stored
            self._newest_first = None
        return stored

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        with self._lock:
            return self._rooms.get(room_id)

    def list_rooms(
        self,
        *,
        live_only: bool = False,
        genre: str | None = None,
        host: str | None = None,
        include_private: bool = False,
    ) -> list[Room]:
        """Rooms newest first; private rooms only when ``include_private``."""
        live = RoomStatus.LIVE  # looked up once: an enum member costs a lookup per room
        with self._lock:
            if self._newest_first is None:
                ordered = sorted(self._rooms.values(), key=lambda r: (r.created_at, r.id), reverse=True)
                self._newest_first = [r.id for r in ordered]
            rooms = [room for room in map(self._rooms.__getitem__, self._newest_first)
                     if (not live_only or room.status is live)
                     and (include_private or not room.private)]
        if genre is not None:
            rooms = [r for r in rooms if r.genre.casefold() == genre.casefold()]
        if host is not None:
            rooms = [r for r in rooms if r.host.casefold() == host.casefold()]
        return rooms

    def scheduled_between(self, start: float, end: float) -> list[Room]:
        """Public rooms whose ``scheduled_start`` lies in ``[start, end)``, soonest first."""
        with self._lock:
            rooms = [
                r
                for r in self._rooms.values()
                if not r.private and r.scheduled_start is not None and start <= r.scheduled_start < end
            ]
        return sorted(rooms, key=lambda r: (r.scheduled_start or 0.0, r.id))

    def find_by_join_code(self, code: str) -> Room | None:
        """The room with this spoken join code, or None."""
        with self._lock:
            return next((r for r in self._rooms.values() if r.join_code == code), None)

    def update(self, room: Room) -> Room:
        """Replace a stored room; raise ``RoomNotFound`` when it is absent."""
        stored = replace(room, updated_at=time.time())
        with self._lock:
            if room.id not in self._rooms:
                raise RoomNotFound(room.id)
            if self._code_taken(room):
                raise RoomExists(room.id)
            if self._rooms[room.id].created_at != stored.created_at:
                self._newest_first = None
            self._rooms[room.id] = stored
        return stored

    # -- leases --------------------------------------------------------------------------

    def claim(self, room_id: str, node_id: str, until: float, *, now: float) -> bool:
        """Take or renew the room's lease (see the port)."""
        with self._lock:
            held = self._leases.get(room_id)
            if held is not None and held[0] != node_id and held[1] >= now:
                return False
            self._leases[room_id] = (node_id, until)
            return True

    def release(self, room_id: str, node_id: str) -> None:
        """Give the lease up if ``node_id`` holds it."""
        with self._lock:
            held = self._leases.get(room_id)
            if held is not None and held[0] == node_id:
                self._leases[room_id] = (node_id, 0.0)

    def lease_of(self, room_id: str) -> tuple[str, float] | None:
        """``(node_id, until)`` of the room's lease, or None."""
        with self._lock:
            return self._leases.get(room_id)

    # -- publisher keys ------------------------------------------------------------------

    def add_key(self, key: PublisherKey) -> PublisherKey:
        """Store a new co-host key."""
        stored = replace(key, created_at=key.created_at or time.time())
        with self._lock:
            if (key.room_id, key.key_id) in self._keys:
                raise RoomExists(key.key_id)
            self._keys[(key.room_id, key.key_id)] = stored
        return stored

    def list_keys(self, room_id: str) -> list[PublisherKey]:
        """The room's co-host keys, oldest first."""
        with self._lock:
            keys = [k for k in self._keys.values() if k.room_id == room_id]
        return sorted(keys, key=lambda k: (k.created_at, k.key_id))

    def update_key(self, key: PublisherKey) -> PublisherKey:
        """Replace a stored key."""
        with self._lock:
            if (key.room_id, key.key_id) not in self._keys:
                raise RoomNotFound(key.key_id)
            self._keys[(key.room_id, key.key_id)] = key
        return key

    # -- shows ---------------------------------------------------------------------------

    def save_show(self, show: Show) -> Show:
        """Insert or replace a show record."""
        with self._lock:
            self._shows[(show.room_id, show.show_id)] = show
        return show

    def get_show(self, room_id: str, show_id: str) -> Show | None:
        """One show of a room, or None."""
        with self._lock:
            return self._shows.get((room_id, show_id))

    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]:
        """Shows of one room (or all), newest start first."""
        with self._lock:
            shows = [
                s
                for s in self._shows.values()
                if (room_id is None or s.room_id == room_id) and (s.ended or not ended_only)
            ]
        return sorted(shows, key=lambda s: (s.started_at, s.show_id), reverse=True)

    def delete_show(self, room_id: str, show_id: str) -> None:
        """Forget a show record."""
        with self._lock:
            self._shows.pop((room_id, show_id), None)

    # -- messages ------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store a listener's message to the room's host."""
        stored = replace(message, created_at=message.created_at or time.time())
        with self._lock:
            self._messages.append(stored)
        return stored

    def list_messages(self, room_id: str, *, since: float = 0.0, limit: int = 50) -> list[Message]:
        """The room's messages after ``since``, oldest first."""
        with self._lock:
            found = [m for m in self._messages if m.room_id == room_id and m.created_at > since]
        return sorted(found, key=lambda m: (m.created_at, m.message_id))[:limit]

    # -- raised hands --------------------------------------------------------------------

    def _hand_code_taken(self, hand: Hand) -> bool:
        return hand.call_in_code is not None and any(
            h.room_id == hand.room_id and h.call_in_code == hand.call_in_code and h.hand_id != hand.hand_id
            for h in self._hands.values()
        )

    def add_hand(self, hand: Hand) -> Hand:
        """Store a new hand; ``RoomExists`` when its id or its room's call-in code is taken."""
        now = time.time()
        stored = replace(hand, created_at=hand.created_at or now, updated_at=now, version=0)
        with self._lock:
            if (hand.room_id, hand.hand_id) in self._hands or self._hand_code_taken(hand):
                raise RoomExists(hand.hand_id)
            self._hands[(hand.room_id, hand.hand_id)] = stored
        return stored

    def get_hand(self, room_id: str, hand_id: str) -> Hand | None:
        """One hand of a room, or None."""
        with self._lock:
            return self._hands.get((room_id, hand_id))

    def list_hands(self, room_id: str, *, show_id: str | None = None) -> list[Hand]:
        """The room's hands (of one show when ``show_id``), oldest first."""
        with self._lock:
            found = [h for h in self._hands.values()
                     if h.room_id == room_id and (show_id is None or h.show_id == show_id)]
        return sorted(found, key=lambda h: (h.created_at, h.hand_id))

    def replace_hand(self, hand: Hand) -> Hand:
        """Store ``hand`` if nobody changed it since it was read (see the port)."""
        with self._lock:
            current = self._hands.get((hand.room_id, hand.hand_id))
            if current is None:
                raise RoomNotFound(hand.hand_id)
            if current.version != hand.version:
                raise HandChanged(hand.hand_id)
            if self._hand_code_taken(hand):
                raise RoomExists(hand.hand_id)
            stored = replace(hand, created_at=current.created_at, updated_at=time.time(),
                             version=hand.version + 1)
            self._hands[(hand.room_id, hand.hand_id)] = stored
        return stored

    def find_hand_by_code(self, room_id: str, code: str) -> Hand | None:
        """The room's hand holding this call-in code, or None."""
        with self._lock:
            return next((h for h in self._hands.values()
                         if h.room_id == room_id and h.call_in_code == code), None)

    # -- listeners per minute ------------------------------------------------------------

    def add_listeners(self, room_id: str, minute: int, listeners: Collection[str]) -> None:
        """Add the listener ids seen in one minute of a room (a set union)."""
        with self._lock:
            self._listeners.setdefault((room_id, minute), set()).update(listeners)

    def listener_minutes(self, room_id: str, first: int, last: int) -> dict[int, int]:
        """Distinct listeners of each minute in ``[first, last]`` that has any."""
        with self._lock:
            return {minute: len(ids) for (room, minute), ids in sorted(self._listeners.items())
                    if room == room_id and first <= minute <= last and ids}
