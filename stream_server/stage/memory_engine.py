"""An engine without media: answers offers and keeps members, for tests of the WHIP surface."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from stream_server.stage.bus_link import ProgramBus
from stream_server.stage.engine import GoneCallback, Joined, TrickleRefused
from stream_server.stage.offer import read_offer


@dataclass
class MemoryMember:
    """What the memory engine remembers of a member."""

    room_id: str
    offer_sdp: str
    receives: bool
    muted: bool
    ice_ufrag: str
    candidates: list[str]


class MemoryEngine:
    """Checks offers like a real engine, opens the room's bus, and keeps members in a dict."""

    def __init__(self) -> None:
        self.members: dict[str, MemoryMember] = {}
        self.left: list[str] = []
        self._gone: GoneCallback = lambda session_id, reason: None

    def set_gone_callback(self, callback: GoneCallback) -> None:
        """Who to tell when a member leaves by itself."""
        self._gone = callback

    def join(self, room_id: str, offer_sdp: str, bus: Callable[[], ProgramBus], *,
             muted: bool = False) -> Joined:
        """Check the offer, open the bus (as the real engine does), answer with a placeholder SDP."""
        shape = read_offer(offer_sdp)
        bus()
        session_id = secrets.token_urlsafe(12)
        self.members[session_id] = MemoryMember(room_id, offer_sdp, shape.receives, muted,
                                                shape.ice_ufrag, [])
        direction = "sendrecv" if shape.receives else "recvonly"
        answer = ("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                  f"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na={direction}\r\n")
        return Joined(session_id, answer, shape.receives)

    def trickle(self, session_id: str, sdpfrag: str) -> bool:
        """Record the trickled candidates."""
        member = self.members.get(session_id)
        if member is None:
            return False
        for line in sdpfrag.splitlines():
            if line.startswith("a=ice-ufrag:") and line.split(":", 1)[1].strip() != member.ice_ufrag:
                raise TrickleRefused("ICE restarts are not supported; leave and join again")
            if line.startswith("a=candidate:"):
                member.candidates.append(line.strip())
        return True

    def leave(self, session_id: str) -> bool:
        """Forget a member."""
        if self.members.pop(session_id, None) is None:
            return False
        self.left.append(session_id)
        return True

    def drop(self, session_id: str, reason: str) -> None:
        """Make a member leave by itself (as a lost network would)."""
        if self.members.pop(session_id, None) is not None:
            self._gone(session_id, reason)

    def set_muted(self, session_id: str, muted: bool) -> None:
        """Mute or unmute a member."""
        if session_id in self.members:
            self.members[session_id].muted = muted

    def level(self, session_id: str) -> dict[str, float] | None:
        """Silence for every member (no media here)."""
        return {"peak_dbfs": -120.0, "rms_dbfs": -120.0} if session_id in self.members else None

    def close(self) -> None:
        """Forget everyone."""
        self.members.clear()
