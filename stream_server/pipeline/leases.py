"""Room leases: which stream server runs a live room, when several share one directory.

A node claims a room's lease in the directory before its encoder starts, renews it every
third of ``lease_seconds`` while the room is on air here, and gives it up when the show
ends or the server stops. The directory's ``claim`` is atomic (a conditional write in
DynamoDB), so two nodes can never both run a room. When a node dies its leases run out;
another node's watch sees a live room whose lease has expired and puts it on air itself:
the packager continues the room's segment log (on storage both nodes share), so the live
playlist goes on with a discontinuity and the replay keeps every segment.

A room never leased (one node, or rooms from before leases) is never adopted by the watch:
startup's ``resume_live_rooms`` takes care of those.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from room_directory import Room

log = logging.getLogger(__name__)


class LeaseDirectory(Protocol):
    """The part of the room directory leases use (``room_directory.RoomDirectory`` has it)."""

    def claim(self, room_id: str, node_id: str, until: float, *, now: float) -> bool: ...
    def release(self, room_id: str, node_id: str) -> None: ...
    def lease_of(self, room_id: str) -> tuple[str, float] | None: ...
    def list_rooms(self, *, live_only: bool = False, genre: str | None = None, host: str | None = None,
                   include_private: bool = False) -> list[Room]: ...


class Adopter(Protocol):
    """What the leases need from the stage: start a room here, stop one that moved away."""

    def go_live(self, room: Room) -> object: ...

    def drop(self, room_id: str) -> None: ...

    def stream(self, room_id: str) -> object | None: ...


class RoomLeases:
    """This node's leases in the directory, renewed and extended by ``tick``."""

    def __init__(self, directory: LeaseDirectory, node_id: str, lease_seconds: float, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.node_id = node_id
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._next_tick = 0.0

    def held(self) -> set[str]:
        """Rooms whose lease this node holds."""
        with self._lock:
            return set(self._held)

    def claim(self, room_id: str) -> bool:
        """Take or renew the room's lease; True when this node may run it."""
        now = self._clock()
        if not self.directory.claim(room_id, self.node_id, now + self.lease_seconds, now=now):
            with self._lock:
                self._held.discard(room_id)
            return False
        with self._lock:
            self._held.add(room_id)
        return True

    def release(self, room_id: str) -> None:
        """Give the room's lease up (the show ended or this server stops)."""
        with self._lock:
            self._held.discard(room_id)
        self.directory.release(room_id, self.node_id)

    def release_all(self) -> None:
        """Give every lease up, so that other nodes take the rooms over at once."""
        for room_id in self.held():
            try:
                self.release(room_id)
            except Exception:
                log.exception("room %s: the lease could not be released", room_id)

    def tick(self, stage: Adopter) -> None:
        """Every third of a lease: renew ours (stopping rooms we lost), adopt rooms whose holder died."""
        now = self._clock()
        if now < self._next_tick:
            return
        self._next_tick = now + self.lease_seconds / 3
        for room_id in self.held():
            if stage.stream(room_id) is None:
                self.release(room_id)
            elif not self.claim(room_id):
                log.warning("room %s: lease lost to %s; stopping here", room_id,
                            (self.directory.lease_of(room_id) or ("?",))[0])
                stage.drop(room_id)
        for room in self.directory.list_rooms(live_only=True, include_private=True):
            if stage.stream(room.id) is not None:
                continue
            lease = self.directory.lease_of(room.id)
            if lease is None or lease[0] == self.node_id or lease[1] >= now:
                continue
            log.info("room %s: the lease of %s ran out; taking the room over", room.id, lease[0])
            try:
                stage.go_live(room)
            except Exception:
                log.exception("room %s could not be taken over", room.id)
