"""The stage on aiortc, in this process: one asyncio loop thread for every peer and every stage.

Each member is an ``RTCPeerConnection`` answering the WHIP offer. aiortc's own audio path is
bypassed on both sides: incoming RTP goes straight to the member's ``ReceiveBuffer`` (our
jitter buffer, Opus FEC and concealment) instead of aiortc's jitter buffer, which waits on a
lost packet until 16 more arrive; outgoing audio is encoded here (Opus with in-band FEC) and
handed to aiortc's sender as ready packets. One 20 ms clock on the loop ticks every stage.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import secrets
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import av
import numpy as np
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from aiortc.rtp import RtpPacket
from aiortc.sdp import candidate_from_sdp

from stream_server.ops.metrics import STAGE_TICKS, STAGE_TICKS_LATE
from stream_server.stage.bus_link import BusLink, ProgramBus
from stream_server.stage.engine import GoneCallback, Joined, TrickleRefused
from stream_server.stage.ice import IceSettings, offer_configured_candidates
from stream_server.stage.offer import OfferRefused, OfferShape, read_offer
from stream_server.stage.opus import FRAME_SAMPLES, SAMPLE_RATE, OpusEncoder
from stream_server.stage.receive_buffer import FRAME_SECONDS
from stream_server.stage.room_stage import RoomStage, StageMember

log = logging.getLogger(__name__)

T = TypeVar("T")
_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)
#: Longest a request thread waits for the loop to answer an offer (seconds).
JOIN_TIMEOUT_SECONDS = 10.0
#: After a stall longer than this the clock skips ahead rather than rushing frames out.
MAX_CATCH_UP_SECONDS = 0.2
#: Ready packets waiting for aiortc's sender; older ones are dropped (aiortc sends as soon as it
#: gets one, so a longer queue only ever means a stalled connection).
OUT_QUEUE_PACKETS = 5


class _MixTrack(MediaStreamTrack):
    """What one member hears, as ready Opus packets for aiortc's sender.

    Mono at 48 kbit/s, complexity 2: a talk-back mix (the broadcast never passes through it),
    at a third of the encoding cost of stereo at full complexity, measured here (0.11 against
    0.32 ms a frame). Opus packets say their channel count, so a stereo ``opus/48000/2``
    receiver plays them.
    """

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._queue: asyncio.Queue[av.Packet] = asyncio.Queue()
        self._encoder = OpusEncoder(channels=1, bitrate=48000, complexity=2)
        self._pts = 0

    def put(self, pcm: np.ndarray) -> None:
        """Encode one 20 ms frame (interleaved stereo) and queue it."""
        mono = ((pcm[0::2].astype(np.int32) + pcm[1::2]) // 2).astype(np.int16)
        packet = av.Packet(self._encoder.encode(mono))
        packet.pts = self._pts
        packet.time_base = _TIME_BASE
        self._pts += FRAME_SAMPLES
        while self._queue.qsize() >= OUT_QUEUE_PACKETS:
            self._queue.get_nowait()
        self._queue.put_nowait(packet)

    async def recv(self) -> av.Packet:
        """The next packet (aiortc's sender calls this)."""
        return await self._queue.get()


class _RtpTap:
    """Takes the place of aiortc's audio jitter buffer: each RTP packet goes to the stage."""

    def __init__(self, member: StageMember) -> None:
        self._member = member

    def add(self, packet: RtpPacket) -> tuple[bool, None]:
        self._member.packet(packet.sequence_number, packet.payload)
        return False, None


def _tap_receiver(transceiver: RTCRtpTransceiver, member: StageMember) -> None:
    receiver = transceiver.receiver
    if not hasattr(receiver, "_RTCRtpReceiver__jitter_buffer"):
        raise RuntimeError("this aiortc has no audio jitter buffer to replace; pin aiortc 1.16")
    receiver._RTCRtpReceiver__jitter_buffer = _RtpTap(member)


@dataclass(eq=False)
class _Session:
    room_id: str
    pc: RTCPeerConnection
    member: StageMember
    shape: OfferShape
    audio_mid: str | None


class AiortcEngine:
    """Every stage of this process on aiortc (see the module docstring)."""

    def __init__(self, ice: IceSettings) -> None:
        self._ice = ice
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._sessions: dict[str, _Session] = {}
        self._stages: dict[str, RoomStage] = {}
        self._clock: asyncio.Task[None] | None = None
        self._gone: GoneCallback = lambda session_id, reason: None
        #: seconds spent mixing, ticks run, and ticks begun a frame late (also in /metrics)
        self.tick_seconds = 0.0
        self.ticks = 0
        self.late_ticks = 0

    # -- threads -------------------------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=loop.run_forever, name="stage-loop", daemon=True)
                self._thread.start()
                self._loop = loop
            return self._loop

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = JOIN_TIMEOUT_SECONDS) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop()).result(timeout)

    # -- the port ------------------------------------------------------------------------------
    def set_gone_callback(self, callback: GoneCallback) -> None:
        """Who to tell when a member leaves by itself."""
        self._gone = callback

    def join(self, room_id: str, offer_sdp: str, bus: Callable[[], ProgramBus], *,
             muted: bool = False) -> Joined:
        """Answer the offer and put the member on the room's stage (opening it on first join)."""
        shape = read_offer(offer_sdp)
        return self._call(self._join(room_id, offer_sdp, shape, bus, muted))

    def trickle(self, session_id: str, sdpfrag: str) -> bool:
        """Add trickled candidates from an ``application/trickle-ice-sdpfrag`` body."""
        session = self._sessions.get(session_id)
        if session is None:
            return False
        self._call(self._trickle(session, sdpfrag))
        return True

    def leave(self, session_id: str) -> bool:
        """End a session now."""
        if session_id not in self._sessions or self._loop is None:
            return False
        return self._call(self._drop(session_id, "left", notify=False))

    def set_muted(self, session_id: str, muted: bool) -> None:
        """Mute or unmute a member in every mix."""
        session = self._sessions.get(session_id)
        if session is not None:
            session.member.muted = muted

    def level(self, session_id: str) -> dict[str, float] | None:
        """The member's level before mute, and how their network is doing.

        ``buffer_ms`` is the jitter buffer's target delay; ``packets``, ``recovered`` (from
        FEC), ``concealed`` (every stand-in, FEC ones included) and ``late`` count packets.
        """
        session = self._sessions.get(session_id)
        if session is None:
            return None
        b = session.member.buffer
        return {**session.member.meter.snapshot(), "buffer_ms": b.target * 20.0,
                "packets": float(b.received), "recovered": float(b.recovered),
                "concealed": float(b.concealed), "late": float(b.late)}

    def close(self) -> None:
        """End every session and stop the loop thread."""
        if self._loop is None:
            return
        try:
            self._call(self._close_all(), timeout=15)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(5)
            self._loop = None

    # -- on the loop ---------------------------------------------------------------------------
    async def _join(self, room_id: str, offer_sdp: str, shape: OfferShape, bus: Callable[[], ProgramBus],
                    muted: bool) -> Joined:
        if room_id not in self._stages:
            # putting the room on air may start its encoder: off the loop, which carries every stage
            program = await asyncio.get_running_loop().run_in_executor(None, bus)
            if room_id not in self._stages:  # (another join may have opened it meanwhile)
                self._stages[room_id] = RoomStage(room_id, BusLink(program))
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no STUN/TURN of its own: see ice
        session_id = secrets.token_urlsafe(12)
        try:
            await pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
            transceivers = pc.getTransceivers()
            audio = next(t for t in transceivers if t.kind == "audio")
            for other in transceivers:
                if other is not audio:
                    other.direction = "inactive"  # a WHIP encoder's video: not taken
            codecs = RTCRtpSender.getCapabilities("audio").codecs
            opus = [c for c in codecs if c.mimeType.lower() == "audio/opus"]
            audio.setCodecPreferences(opus)
            track = _MixTrack() if shape.receives else None
            if track is not None:
                pc.addTrack(track)
            for transceiver in transceivers:
                gatherer = transceiver.sender.transport.transport.iceGatherer
                offer_configured_candidates(gatherer._connection, self._ice)
            member = StageMember(session_id, shape.receives, send=track.put if track else _discard,
                                 muted=muted)
            _tap_receiver(audio, member)
            await pc.setLocalDescription(await pc.createAnswer())
        except (ValueError, StopIteration, AttributeError, KeyError) as exc:
            await pc.close()
            self._close_if_empty(room_id)
            raise OfferRefused(f"the offer could not be answered: {exc}") from exc
        stage = self._stages.get(room_id)
        if stage is None:  # its last member left while this one was being answered
            stage = self._stages[room_id] = RoomStage(room_id, BusLink(await asyncio.get_running_loop()
                                                                      .run_in_executor(None, bus)))
        stage.members[session_id] = member
        self._sessions[session_id] = _Session(room_id, pc, member, shape, audio.mid)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            # "closed" here is the client hanging up (DTLS close) without a DELETE
            reason = {"failed": "ice_failed", "closed": "hung_up"}.get(pc.connectionState)
            if reason and session_id in self._sessions:
                await self._drop(session_id, reason, notify=True)

        if self._clock is None:
            self._clock = asyncio.ensure_future(self._run_clock())
        return Joined(session_id, pc.localDescription.sdp, shape.receives)

    async def _trickle(self, session: _Session, sdpfrag: str) -> None:
        mid = session.audio_mid
        for raw in sdpfrag.splitlines():
            line = raw.strip()
            if line.startswith("a=ice-ufrag:") and line.split(":", 1)[1] != session.shape.ice_ufrag:
                raise TrickleRefused("ICE restarts are not supported; leave and join again")
            if line.startswith("a=mid:"):
                mid = line.split(":", 1)[1]
            elif line.startswith("a=candidate:"):
                try:
                    candidate = candidate_from_sdp(line.removeprefix("a=candidate:"))
                except (AssertionError, ValueError, IndexError) as exc:
                    raise TrickleRefused(f"unreadable candidate: {line}") from exc
                candidate.sdpMid = mid
                await session.pc.addIceCandidate(candidate)

    async def _drop(self, session_id: str, reason: str, *, notify: bool) -> bool:
        session = self._sessions.pop(session_id, None)
        if session is None:
            return False
        stage = self._stages.get(session.room_id)
        if stage is not None:
            stage.members.pop(session_id, None)
        self._close_if_empty(session.room_id)
        await session.pc.close()
        log.info("stage %s: member %s left (%s)", session.room_id, session_id, reason)
        if notify:
            try:
                self._gone(session_id, reason)
            except Exception:
                log.exception("stage: the gone callback failed")
        return True

    def _close_if_empty(self, room_id: str) -> None:
        """A stage nobody is on leaves the room's bus (so the room can fall silent and end)."""
        stage = self._stages.get(room_id)
        if stage is not None and not stage.members:
            del self._stages[room_id]
            stage.link.close()

    async def _close_all(self) -> None:
        for session_id in list(self._sessions):
            await self._drop(session_id, "shutdown", notify=True)
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    async def _run_clock(self) -> None:
        start = time.monotonic()
        n = 0
        while True:
            n += 1
            due = start + n * FRAME_SECONDS
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            elif -wait > FRAME_SECONDS:
                self.late_ticks += 1
                STAGE_TICKS_LATE.inc()
                if -wait > MAX_CATCH_UP_SECONDS:
                    start, n = time.monotonic(), 0
            began = time.perf_counter()
            now = time.monotonic()
            for stage in list(self._stages.values()):
                try:
                    lost = stage.tick(now)
                except Exception:
                    log.exception("stage %s: a tick failed", stage.room_id)
                    continue
                for member in lost:  # closing a peer takes a while: not on the clock's time
                    asyncio.ensure_future(self._drop(member.session_id, "network", notify=True))
            self.tick_seconds += time.perf_counter() - began
            self.ticks += 1
            STAGE_TICKS.inc()


def _discard(pcm: np.ndarray) -> None:
    """A sendonly member hears nothing."""
