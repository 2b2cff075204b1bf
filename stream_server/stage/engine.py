"""The port a stage engine implements: join with an offer, trickle, mute, leave, read levels.

Engines: ``aiortc_engine.AiortcEngine`` (WebRTC in this process, the default) and
``memory_engine.MemoryEngine`` (no media; for tests of everything around the engine). Every
call comes from request threads; an engine does its media work on threads of its own and
reports members that left by themselves (network lost, ICE failed) through ``on_gone``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from stream_server.stage.bus_link import ProgramBus


@dataclass(frozen=True)
class Joined:
    """A member on stage: the session's id, the SDP answer, and whether it hears the stage."""

    session_id: str
    answer_sdp: str
    receives: bool


class TrickleRefused(ValueError):
    """A trickle PATCH the session cannot take (an ICE restart, a foreign session)."""


#: called with (session id, reason) when a member leaves without being asked to
GoneCallback = Callable[[str, str], None]


class StageEngine(Protocol):
    """Real-time media for every stage of this process."""

    def join(self, room_id: str, offer_sdp: str, bus: Callable[[], ProgramBus], *,
             muted: bool = False) -> Joined:
        """Answer an offer (``offer.OfferRefused`` when it cannot join); ``bus`` opens the room's bus."""
        ...

    def trickle(self, session_id: str, sdpfrag: str) -> bool:
        """Add the client's trickled candidates; False for an unknown session."""
        ...

    def leave(self, session_id: str) -> bool:
        """End the session now; False when it was not there."""
        ...

    def set_muted(self, session_id: str, muted: bool) -> None:
        """Keep the member's voice out of (or back in) every mix; they still hear the stage."""
        ...

    def level(self, session_id: str) -> dict[str, float] | None:
        """The member's speaking level (before mute): ``peak_dbfs``, ``rms_dbfs``; None if gone."""
        ...

    def set_gone_callback(self, callback: GoneCallback) -> None:
        """Who to tell when a member leaves by itself."""
        ...

    def close(self) -> None:
        """End every session and stop the engine's threads."""
        ...
