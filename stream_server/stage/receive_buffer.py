"""One speaker's incoming Opus packets, put in order and turned into one 20 ms frame per tick.

A jitter buffer over RTP sequence numbers. Playout starts once ``target`` packets wait; the
target follows the spread of recent arrival delays (2 s of packets), so a jittery path gets a
deeper buffer and a calm one a shallow buffer. A missing packet is stood in for by the Opus
in-band FEC of the packet after it when that one is here, else by libopus's concealment; an
empty buffer is concealed too, without moving on, so the buffer deepens by one frame instead
of losing the late packet. A queue that stays above target is trimmed one frame at a time.
"""

from __future__ import annotations

import math
import time
from collections import deque

import numpy as np

from stream_server.stage.opus import FRAME_SAMPLES, SAMPLE_RATE, OpusDecoder

FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
#: Frames held before playout at least (40 ms absorbs a calm network's jitter).
MIN_TARGET_FRAMES = 2
#: The deepest the buffer gets; beyond it the oldest frames are skipped.
MAX_FRAMES = 15
#: Arrivals the jitter estimate looks back over (2 s of 20 ms packets).
JITTER_WINDOW = 100
#: Frames the queue may run above target before it is trimmed.
SLACK_FRAMES = 2
#: Ticks the queue must stay above target + slack before one frame is dropped.
TRIM_AFTER_TICKS = 25
#: Concealed frames in a row after which the speaker counts as silent (no more made-up audio).
MAX_CONCEALED = 5


class ReceiveBuffer:
    """A jitter buffer with Opus FEC and concealment; ``push`` packets in, ``pop`` frames out."""

    def __init__(self, channels: int = 2, min_target: int = MIN_TARGET_FRAMES) -> None:
        self._decoder = OpusDecoder(channels)
        self._min_target = min_target
        self._packets: dict[int, bytes] = {}
        self._next: int | None = None  # extended sequence number to play next
        self._highest: int | None = None
        self._playing = False
        self._concealed_run = 0
        self._over = 0
        self._delays: deque[float] = deque(maxlen=JITTER_WINDOW)
        self._channels = channels
        self._carry = np.zeros(0, np.int16)
        #: counters for metrics and tests
        self.received = self.late = self.recovered = self.concealed = self.skipped = 0

    def _extend(self, seq: int) -> int:
        """The 16-bit sequence number placed on an ever-growing line (wrap-around aware)."""
        if self._highest is None:
            return seq
        ext = self._highest - (self._highest & 0xFFFF) + seq
        if ext - self._highest > 0x8000:
            ext -= 0x10000
        elif self._highest - ext > 0x8000:
            ext += 0x10000
        return ext

    @property
    def target(self) -> int:
        """Frames to hold before playing: the recent spread of arrival delays plus one frame.

        The spread runs from the earliest arrival to the 98th percentile, so one packet held up
        by a scheduler hiccup does not cost every later packet 100 ms of delay.
        """
        if len(self._delays) < 10:
            return self._min_target
        ordered = sorted(self._delays)
        spread = ordered[int(0.98 * (len(ordered) - 1))] - ordered[0]
        return max(self._min_target, min(MAX_FRAMES - 3, math.ceil(spread / FRAME_SECONDS) + 1))

    @property
    def depth(self) -> int:
        """Frames from the next one to play to the newest received."""
        if self._next is None or self._highest is None:
            return 0
        return self._highest - self._next + 1

    def push(self, seq: int, payload: bytes, arrival: float | None = None) -> None:
        """Take one RTP packet's Opus payload (``arrival``: monotonic seconds, default now)."""
        ext = self._extend(seq)
        self.received += 1
        self._delays.append((time.monotonic() if arrival is None else arrival) - ext * FRAME_SECONDS)
        if self._next is not None and ext < self._next:
            if self._playing or self._next - ext > MAX_FRAMES:
                self.late += 1
                return
            self._next = ext  # overtaken before playout began: it still plays first
        if not payload:
            return
        self._packets[ext] = payload
        if self._highest is None or ext > self._highest:
            self._highest = ext
        if self._next is None:
            self._next = ext

    def pop(self) -> np.ndarray | None:
        """The next 20 ms of interleaved s16, or None while there is nothing to play.

        Packets of other lengths (10, 40 or 60 ms Opus frames) are cut or joined into 20 ms
        frames: what is left over waits for the next tick.
        """
        frame = self._channels * FRAME_SAMPLES
        while self._carry.size < frame:
            decoded = self._next_packet()
            if decoded is None:
                break
            if not self._carry.size and decoded.size == frame:
                return decoded  # the usual case: one 20 ms packet per tick
            self._carry = np.concatenate([self._carry, decoded])
        if not self._carry.size:
            return None
        out = self._carry[:frame]
        self._carry = self._carry[frame:]
        return out if out.size == frame else np.pad(out, (0, frame - out.size))

    def _next_packet(self) -> np.ndarray | None:
        """The next packet decoded (or stood in for), or None while there is nothing to play."""
        if self._next is None:
            return None
        target = self.target
        if not self._playing:
            if self.depth < target:
                return None
            self._playing = True
        self._trim(target)
        packet = self._packets.pop(self._next, None)
        if packet is not None:
            self._next += 1
            self._concealed_run = 0
            return self._decoder.decode(packet)
        ahead = self.depth > 1
        if self._concealed_run >= MAX_CONCEALED and not ahead:
            self._playing = False  # the speaker went quiet: wait for packets and prime again
            self._concealed_run = 0
            return None
        self._concealed_run += 1
        self.concealed += 1
        following = self._packets.get(self._next + 1) if ahead else None
        if ahead:
            self._next += 1  # lost or hopelessly late: stand in for it and move on
            if following is not None:
                self.recovered += 1
        return self._decoder.recover(following, FRAME_SAMPLES)

    def _trim(self, target: int) -> None:
        depth = self.depth
        if depth > MAX_FRAMES:
            self._skip(depth - target)
            return
        self._over = self._over + 1 if depth > target + SLACK_FRAMES else 0
        if self._over >= TRIM_AFTER_TICKS:  # the path calmed down: play one frame less late
            self._skip(1)
            self._over = 0

    def _skip(self, frames: int) -> None:
        assert self._next is not None
        for seq in range(self._next, self._next + frames):
            self._packets.pop(seq, None)
        self._next += frames
        self.skipped += frames
