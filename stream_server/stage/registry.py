"""Who is on which stage, by room and key, and the way to cut a member off at once.

One stage seat per key: joining again with the same key (a speaker coming back after their
network dropped) replaces the old session. A revoked or rotated key, a member the host
removes, and the end of the show each cut the WebRTC session right away (``cut``,
``end_room``); the engine reports members that left by themselves (``engine.on_gone``).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stream_server.ops.metrics import STAGE_MEMBERS_LEFT
from stream_server.stage.bus_link import ProgramBus
from stream_server.stage.engine import Joined, StageEngine

log = logging.getLogger(__name__)

#: people on one room's stage at once
MAX_MEMBERS_PER_STAGE = 16
#: ended stage sessions remembered per room (for the console)
RECENT_ENDS = 20


class StageFull(Exception):
    """The room's stage has ``MAX_MEMBERS_PER_STAGE`` members already."""


@dataclass(eq=False)
class StageSeat:
    """One member of a room's stage as the server knows them."""

    session_id: str
    room_id: str
    key_id: str
    name: str
    role: str
    receives: bool
    address: str
    muted: bool = False
    joined_at: float = field(default_factory=time.time)

    def view(self, level: dict[str, float] | None) -> dict[str, Any]:
        """The member as the console shows them, with their speaking level (before mute)."""
        return {"session_id": self.session_id, "key_id": self.key_id, "name": self.name,
                "role": self.role, "receives": self.receives, "muted": self.muted,
                "joined_at": self.joined_at,
                **(level or {"peak_dbfs": -120.0, "rms_dbfs": -120.0})}


class StageRegistry:
    """Every stage seat of this process, in front of the engine that carries the media."""

    def __init__(self, engine: StageEngine, *, max_members: int = MAX_MEMBERS_PER_STAGE) -> None:
        self.engine = engine
        self._max = max_members
        self._seats: dict[str, StageSeat] = {}
        self._ends: dict[str, collections.deque[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        engine.set_gone_callback(self._gone)

    def admit(self, room_id: str, key_id: str, name: str, role: str, offer_sdp: str,
              bus: Callable[[], ProgramBus], *, address: str = "?", muted: bool = False) -> Joined:
        """Put the key's holder on the room's stage (replacing their old seat); the engine's answer.

        Raises ``StageFull``, ``offer.OfferRefused`` or whatever ``bus`` raises (the room
        cannot go on air).
        """
        with self._lock:
            old = next((s for s in self._seats.values() if s.room_id == room_id and s.key_id == key_id), None)
            others = sum(1 for s in self._seats.values() if s.room_id == room_id and s is not old)
        if others >= self._max:
            raise StageFull(f"the stage has {self._max} members already")
        if old is not None:
            self._end(old, "replaced")
        joined = self.engine.join(room_id, offer_sdp, bus, muted=muted)
        seat = StageSeat(joined.session_id, room_id, key_id, name, role, joined.receives, address, muted)
        with self._lock:
            self._seats[seat.session_id] = seat
        log.info("stage %s: %s %s joined (%s)", room_id, role, key_id,
                 "talks and listens" if joined.receives else "sends only")
        return joined

    def find(self, session_id: str) -> StageSeat | None:
        """The seat of a session, if it is on stage."""
        with self._lock:
            return self._seats.get(session_id)

    def trickle(self, session_id: str, sdpfrag: str) -> bool:
        """Pass trickled ICE candidates to the session; False if it is gone."""
        return self.find(session_id) is not None and self.engine.trickle(session_id, sdpfrag)

    def leave(self, session_id: str, reason: str = "left") -> bool:
        """End a session (its member left, or was made to); False if it was not on stage."""
        seat = self.find(session_id)
        return seat is not None and self._end(seat, reason)

    def cut(self, room_id: str, key_id: str, reason: str) -> bool:
        """Cut off the key's seat on the room's stage at once; whether there was one."""
        with self._lock:
            seats = [s for s in self._seats.values() if s.room_id == room_id and s.key_id == key_id]
        return any([self._end(seat, reason) for seat in seats])

    def end_room(self, room_id: str, reason: str = "room_ended") -> int:
        """Cut every member of the room's stage (the show ended); how many there were."""
        with self._lock:
            seats = [s for s in self._seats.values() if s.room_id == room_id]
        return sum(1 for seat in seats if self._end(seat, reason))

    def set_muted(self, room_id: str, key_id: str, muted: bool) -> bool:
        """Mute or unmute the key's seat now; whether it is on stage."""
        with self._lock:
            seats = [s for s in self._seats.values() if s.room_id == room_id and s.key_id == key_id]
            for seat in seats:
                seat.muted = muted
        for seat in seats:
            self.engine.set_muted(seat.session_id, muted)
        return bool(seats)

    def members(self, room_id: str) -> list[dict[str, Any]]:
        """The room's stage, oldest seat first, each with its speaking level."""
        with self._lock:
            seats = sorted((s for s in self._seats.values() if s.room_id == room_id),
                           key=lambda s: s.joined_at)
        return [seat.view(self.engine.level(seat.session_id)) for seat in seats]

    def recent_ends(self, room_id: str) -> list[dict[str, Any]]:
        """How the room's last stage sessions ended, oldest first."""
        with self._lock:
            return list(self._ends.get(room_id, ()))

    def _forget(self, seat: StageSeat, reason: str) -> bool:
        with self._lock:
            if self._seats.pop(seat.session_id, None) is None:
                return False
            ends = self._ends.setdefault(seat.room_id, collections.deque(maxlen=RECENT_ENDS))
            ends.append({"session_id": seat.session_id, "key_id": seat.key_id, "name": seat.name,
                         "reason": reason, "at": time.time()})
        STAGE_MEMBERS_LEFT.labels(reason=reason).inc()
        log.info("stage %s: %s %s off stage (%s)", seat.room_id, seat.role, seat.key_id, reason)
        return True

    def _end(self, seat: StageSeat, reason: str) -> bool:
        if not self._forget(seat, reason):
            return False
        self.engine.leave(seat.session_id)
        return True

    def _gone(self, session_id: str, reason: str) -> None:
        seat = self.find(session_id)
        if seat is not None:
            self._forget(seat, reason)

    def close(self) -> None:
        """End every session and the engine."""
        self.engine.close()
