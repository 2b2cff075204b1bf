"""Listing rooms at scale: the directory's room list cached between changes, and cursor paging.

Listener pages and consoles poll ``GET /api/rooms``. Reading every room from the directory for
each poll cost seconds with thousands of rooms, so ``ListedRooms`` keeps the last list per
query until a room changes: every room write made through it (create, update, claim,
release: the API, the stage, ingest and the skill all write through the app's directory)
clears the cache at once, and ``ttl`` bounds how long a change made elsewhere (another node,
another process) can go unseen. Pages are cut from the cached list by ``page``.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from room_directory import Room

#: how long a cached list may miss a change made outside this process (seconds)
TTL_SECONDS = 1.0
#: rooms per page unless asked otherwise, and at most
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class BadCursor(ValueError):
    """A cursor this server did not hand out."""


class ListedRooms:
    """A room directory whose ``list_rooms`` answers from a cache that room writes clear."""

    def __init__(self, inner: Any, *, ttl: float = TTL_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._inner = inner
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0
        self._lists: dict[tuple[Any, ...], tuple[float, list[Room]]] = {}

    def list_rooms(self, *, live_only: bool = False, genre: str | None = None, host: str | None = None,
                   include_private: bool = False) -> list[Room]:
        """The directory's list, from the cache while no room changed and ``ttl`` has not passed."""
        query = (live_only, genre, host, include_private)
        now = self._clock()
        with self._lock:
            cached = self._lists.get(query)
            if cached is not None and now - cached[0] < self._ttl:
                return list(cached[1])
            generation = self._generation
        rooms = self._inner.list_rooms(live_only=live_only, genre=genre, host=host,
                                       include_private=include_private)
        with self._lock:
            if generation == self._generation:  # no write happened while reading: safe to keep
                self._lists[query] = (now, list(rooms))
        return list(rooms)

    def invalidate(self) -> None:
        """Forget every cached list (a room changed)."""
        with self._lock:
            self._generation += 1
            self._lists.clear()

    def create(self, room: Room) -> Room:
        """Create through the directory, then forget the cached lists."""
        try:
            created: Room = self._inner.create(room)
            return created
        finally:
            self.invalidate()

    def update(self, room: Room) -> Room:
        """Update through the directory, then forget the cached lists."""
        try:
            updated: Room = self._inner.update(room)
            return updated
        finally:
            self.invalidate()

    def claim(self, room_id: str, node_id: str, until: float, *, now: float) -> bool:
        """Claim a room's lease through the directory, then forget the cached lists."""
        try:
            return bool(self._inner.claim(room_id, node_id, until, now=now))
        finally:
            self.invalidate()

    def release(self, room_id: str, node_id: str) -> None:
        """Release a room's lease through the directory, then forget the cached lists."""
        try:
            self._inner.release(room_id, node_id)
        finally:
            self.invalidate()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def page(rooms: Sequence[Room], cursor: str | None, limit: int) -> tuple[list[Room], str | None]:
    """Up to ``limit`` rooms after ``cursor`` (newest first, then by id) and the next page's cursor."""
    ordered = sorted(rooms, key=_position)
    start = 0
    if cursor:
        after = _decode(cursor)
        start = next((i for i, room in enumerate(ordered) if _position(room) > after), len(ordered))
    chosen = ordered[start:start + limit]
    more = start + limit < len(ordered)
    return chosen, (_encode(_position(chosen[-1])) if more and chosen else None)


def _position(room: Room) -> tuple[float, str]:
    return -float(room.created_at or 0.0), room.id


def _encode(position: tuple[float, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, room_id = json.loads(raw)
        if isinstance(created, bool) or not isinstance(created, int | float) or not isinstance(room_id, str):
            raise BadCursor("cursor is not one this server gave out")
        return float(created), room_id
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadCursor("cursor is not one this server gave out") from exc
