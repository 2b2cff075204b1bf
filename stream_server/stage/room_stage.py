"""One room's stage: every 20 ms, each member's next frame in, mix-minus out, stage mix to the bus."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from stream_server.pipeline.levels import LevelMeter
from stream_server.stage.bus_link import BusLink
from stream_server.stage.mix import mix_minus
from stream_server.stage.opus import CHANNELS, FRAME_SAMPLES
from stream_server.stage.receive_buffer import FRAME_SECONDS, ReceiveBuffer

#: A member whose packets stop for this long has lost its network: it leaves the stage. Senders
#: keep sending while connected (Opus DTX still sends a packet every 400 ms), and its voice is
#: out of the mix after five concealed frames (100 ms) already.
SILENT_NETWORK_SECONDS = 1.5
#: A new member has this long to get its first packet through (ICE and DTLS first).
FIRST_PACKET_SECONDS = 15.0
_FRAME = FRAME_SAMPLES * CHANNELS


@dataclass(eq=False)
class StageMember:
    """One person on stage as the mixer sees them."""

    session_id: str
    receives: bool
    #: takes one frame of mix-minus (48 kHz interleaved s16) for this member
    send: Callable[[np.ndarray], None]
    muted: bool = False
    buffer: ReceiveBuffer = field(default_factory=ReceiveBuffer)
    meter: LevelMeter = field(default_factory=lambda: LevelMeter(FRAME_SECONDS))
    joined_at: float = field(default_factory=time.monotonic)
    last_packet_at: float | None = None

    def packet(self, seq: int, payload: bytes) -> None:
        """One RTP packet arrived (called on the engine's loop)."""
        now = time.monotonic()
        self.last_packet_at = now
        self.buffer.push(seq, payload, now)

    def network_lost(self, now: float) -> bool:
        """Whether the member's packets stopped (or never came) for too long."""
        if self.last_packet_at is None:
            return now - self.joined_at > FIRST_PACKET_SECONDS
        return now - self.last_packet_at > SILENT_NETWORK_SECONDS


class RoomStage:
    """The members of one room's stage and the link to the room's bus."""

    def __init__(self, room_id: str, link: BusLink) -> None:
        self.room_id = room_id
        self.link = link
        self.members: dict[str, StageMember] = {}
        self.ticks = 0

    def tick(self, now: float) -> list[StageMember]:
        """Mix one frame for everyone; the members whose network was lost (to be removed)."""
        voices: dict[str, np.ndarray] = {}
        lost: list[StageMember] = []
        for member in self.members.values():
            frame = member.buffer.pop()
            if frame is None:
                member.meter.idle()
            else:
                member.meter.update(frame)
                if not member.muted:
                    voices[member.session_id] = frame.astype(np.int32)
            if member.network_lost(now):
                lost.append(member)
        bed = self.link.take_return()
        listeners = [m.session_id for m in self.members.values() if m.receives]
        stage_mix, outs = mix_minus(voices, None if bed is None else bed.astype(np.int32), listeners, _FRAME)
        for session_id, out in outs.items():
            self.members[session_id].send(out)
        self.link.write(stage_mix)
        self.ticks += 1
        return lost
