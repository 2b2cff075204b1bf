"""The room audio bus: mixes publishers into one program, on the wall clock.

For every 20 ms of wall clock it hands the encoder one frame of s16le stereo PCM:
the sum of the publishers that have audio, or a quiet room tone when nobody does,
so the encoder never starves and never restarts because a performer dropped.
The frames go out five at a time, when the process's bus clock ticks
(``stream_server.pipeline.clock``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from stream_server.pipeline.levels import LevelMeter

log = logging.getLogger(__name__)

CHANNELS = 2
SAMPLE_BYTES = 2
FRAME_SECONDS = 0.02
#: Room tone level: far below hearing in a living room, yet not digital silence
#: (some Echo devices stop a stream that starts with long digital silence).
ROOM_TONE_DBFS = -72.0
#: A publisher may be this far ahead of the bus (5 s of 20 ms frames: a tool's pre-buffer, a
#: burst after a network hiccup); beyond it, back-pressure holds the sender back.
CAPACITY_FRAMES = 250


def frame_bytes(sample_rate: int) -> int:
    """Bytes in one bus frame of s16le stereo at ``sample_rate``."""
    return int(sample_rate * FRAME_SECONDS) * CHANNELS * SAMPLE_BYTES


class PublisherInput:
    """PCM from one publisher: a bounded buffer with a jitter pre-roll and back-pressure.

    The decoder side blocks in ``write`` while the buffer is full, which paces a
    publisher that sends faster than real time instead of dropping its audio
    (``buffered_seconds`` tells how far ahead it is).
    """

    def __init__(self, label: str, frame_size: int, *, preroll_frames: int = 10,
                 capacity_frames: int = CAPACITY_FRAMES) -> None:
        self.label = label
        self._frame = frame_size
        self._preroll = preroll_frames * frame_size
        self._capacity = capacity_frames * frame_size
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._closed = False
        self._primed = False
        self.muted = False
        self.frames_played = 0
        self.underruns = 0
        #: level of what this publisher sends, before mute
        self.meter = LevelMeter(FRAME_SECONDS)

    def write(self, pcm: bytes, timeout: float = 10.0) -> bool:
        """Queue PCM; block while full. False once the input is closed or stays full past ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._buf) >= self._capacity and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            if self._closed:
                return False
            self._buf += pcm
            return True

    @property
    def buffered_seconds(self) -> float:
        """Seconds of audio waiting to be played (how far the publisher is ahead of the bus)."""
        with self._cond:
            return len(self._buf) / self._frame * FRAME_SECONDS

    def drop(self) -> None:
        """Close now and throw away what is buffered (a publisher cut off or revoked)."""
        with self._cond:
            self._closed = True
            self._buf.clear()
            self._cond.notify_all()

    def close(self) -> None:
        """No more audio will come; what is buffered still plays out."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        """Closed and fully played out."""
        with self._cond:
            return self._closed and not self._buf

    def take_frame(self) -> bytes | None:
        """The next frame (muted or not), or None while pre-rolling or after an underrun."""
        with self._cond:
            if not self._primed:
                if len(self._buf) >= self._preroll or (self._closed and self._buf):
                    self._primed = True
                else:
                    return None
            if len(self._buf) >= self._frame:
                frame = bytes(self._buf[: self._frame])
                del self._buf[: self._frame]
            elif self._closed and self._buf:
                frame = bytes(self._buf).ljust(self._frame, b"\0")
                self._buf.clear()
            else:
                self._primed = False
                self.underruns += 1
                return None
            self._cond.notify_all()
        self.frames_played += 1
        return frame


class AudioBus:
    """Mixes a room's publisher inputs and feeds ``sink`` one frame per 20 ms of wall clock.

    It has no thread of its own: the process's ``BusClock`` calls ``advance`` every 100 ms.
    """

    def __init__(self, sample_rate: int, sink: Callable[[bytes], None], *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.sample_rate = sample_rate
        self._sink = sink
        self._clock = clock
        self._frame = frame_bytes(sample_rate)
        self._inputs: list[PublisherInput] = []
        self._lock = threading.Lock()
        self._tone = _room_tone(sample_rate, ROOM_TONE_DBFS)
        self._tone_pos = 0
        self._frame_seconds = self._frame / (sample_rate * CHANNELS * SAMPLE_BYTES)
        self._frames_per_second = int(1.0 / self._frame_seconds)
        self._started_at: float | None = None
        self._sent = 0
        self.frames_out = 0
        self.late_frames = 0
        self.last_audio_at = clock()
        #: level of the program (the mix the encoder gets)
        self.program_meter = LevelMeter(FRAME_SECONDS)
        self._others_feed: tuple[PublisherInput, Callable[[bytes], None]] | None = None

    def add_input(self, label: str) -> PublisherInput:
        """A new publisher input on this bus."""
        inp = PublisherInput(label, self._frame)
        with self._lock:
            self._inputs.append(inp)
        return inp

    def feed_others(self, exclude: PublisherInput, sink: Callable[[bytes], None] | None) -> None:
        """Hand ``sink`` each tick's mix of every unmuted input but ``exclude`` (None stops it).

        The stage uses it: people on stage hear the room's other inputs (a music bed from an
        Icecast publisher, say) but not the stage mix that ``exclude`` carries in.
        """
        with self._lock:
            self._others_feed = None if sink is None else (exclude, sink)

    @property
    def publisher_count(self) -> int:
        """Publishers connected (or still playing out)."""
        with self._lock:
            return len(self._inputs)

    def mix_next_frame(self) -> bytes:
        """One frame of program audio (see ``mix_frames``)."""
        return self.mix_frames(1)

    def mix_frames(self, count: int) -> bytes:
        """``count`` frames of program audio, each the mix of every unmuted input with audio, else room tone.

        Each input's meter sees its audio before mute, the program meter sees the mix; meters
        are updated once per call (numpy's cost is per call, not per sample).
        """
        with self._lock:
            self._inputs = [i for i in self._inputs if not i.finished]
            inputs = list(self._inputs)
            feed = self._others_feed
        heard: dict[int, list[bytes]] = {id(inp): [] for inp in inputs}
        program: list[bytes] = []
        others: list[bytes] = []
        for _ in range(count):
            frames: list[np.ndarray] = []
            excluded: np.ndarray | None = None
            for inp in inputs:
                frame = inp.take_frame()
                if frame is None:
                    continue
                heard[id(inp)].append(frame)
                if not inp.muted:
                    frames.append(np.frombuffer(frame, dtype=np.int16))
                    if feed is not None and inp is feed[0]:
                        excluded = frames[-1]
            if feed is not None:
                others.append(_mix([f for f in frames if f is not excluded], self._frame))
            program.append(_mix(frames, self._frame) if frames else self._next_tone())
        for inp in inputs:
            got = heard[id(inp)]
            if got:
                inp.meter.update(np.frombuffer(b"".join(got), dtype=np.int16), frames=len(got))
            if len(got) < count:
                inp.meter.idle(frames=count - len(got))
        if inputs:
            self.last_audio_at = self._clock()
        out = b"".join(program)
        self.program_meter.update(np.frombuffer(out, dtype=np.int16), frames=count)
        if feed is not None:
            feed[1](b"".join(others))
        return out

    def inputs(self) -> list[PublisherInput]:
        """The inputs on the bus now."""
        with self._lock:
            return list(self._inputs)

    def _next_tone(self) -> bytes:
        start = self._tone_pos
        self._tone_pos = (start + self._frame) % len(self._tone)
        chunk = self._tone[start : start + self._frame]
        return chunk if len(chunk) == self._frame else chunk + self._tone[: self._frame - len(chunk)]

    def advance(self) -> None:
        """Send the sink every frame due by now on the wall clock (the bus clock calls this each tick).

        The first call starts the bus's clock. A frame is due once its start time has come,
        so the encoder never gets audio ahead of real time. After a stall of more than a
        second the backlog is dropped (counted in ``late_frames``) rather than rushed out.
        """
        now = self._clock()
        if self._started_at is None:
            self._started_at = now
        due = int((now - self._started_at) / self._frame_seconds) + 1
        if due - self._sent > self._frames_per_second:
            self.late_frames += due - self._sent - 1
            log.warning("audio bus fell %d frames behind; skipping ahead", due - self._sent)
            self._sent = due - 1
        if due > self._sent:
            count = due - self._sent
            self._sink(self.mix_frames(count))  # one call per tick: five frames
            self._sent = due
            self.frames_out += count


def _mix(frames: list[np.ndarray], frame_bytes: int) -> bytes:
    """The clipped sum of int16 frames (silence when there are none)."""
    if not frames:
        return bytes(frame_bytes)
    if len(frames) == 1:
        return frames[0].tobytes()
    mixed = frames[0].astype(np.int32)
    for more in frames[1:]:
        mixed += more
    return np.clip(mixed, -32768, 32767).astype(np.int16).tobytes()


def _room_tone(sample_rate: int, dbfs: float) -> bytes:
    """One second of quiet noise at ``dbfs`` RMS, stereo s16le, the same on every run."""
    rng = np.random.default_rng(20261121)
    noise = rng.standard_normal((sample_rate, CHANNELS)) * (10 ** (dbfs / 20) * 32767)
    return bytes(np.clip(np.round(noise), -32768, 32767).astype(np.int16).tobytes())
