"""The stage's place on the room's bus: its mix goes in as one input, the rest comes back.

The bus runs at the room's sample rate in 100 ms ticks; the stage runs at 48 kHz in 20 ms
ticks. Going in, the stage writes each frame to its ``PublisherInput`` (never blocking: a
full input drops the frame). Coming back, the bus hands over the mix of its other inputs each
tick (``AudioBus.feed_others``); it is queued and taken out 20 ms at a time, a few frames
behind so the bus's coarser tick never leaves the stage short.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol

import av
import numpy as np

from stream_server.pipeline.bus import PublisherInput
from stream_server.stage.opus import CHANNELS, FRAME_SAMPLES, SAMPLE_RATE

#: Return-feed frames held before the stage starts taking them (a bus tick is five frames).
RETURN_PREROLL_FRAMES = 6
#: At most this much return feed is queued (beyond it, the oldest is dropped).
RETURN_MAX_FRAMES = 25
_FRAME = FRAME_SAMPLES * CHANNELS


class ProgramBus(Protocol):
    """The part of the room's ``AudioBus`` the stage uses."""

    @property
    def sample_rate(self) -> int: ...

    def add_input(self, label: str) -> PublisherInput: ...

    def feed_others(self, exclude: PublisherInput, sink: Callable[[bytes], None] | None) -> None: ...


class _Resampler:
    """s16 stereo from one rate to another, keeping filter state across calls (PyAV's swresample)."""

    def __init__(self, src: int, dst: int) -> None:
        self._src = src
        self._resampler = av.AudioResampler(format="s16", layout="stereo", rate=dst)

    def __call__(self, pcm: np.ndarray) -> np.ndarray:
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = self._src
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out) if out else np.zeros(0, np.int16)


class BusLink:
    """One room's stage input on the bus and the return feed from it."""

    def __init__(self, bus: ProgramBus, label: str = "stage") -> None:
        self._bus = bus
        self.input = bus.add_input(label)
        rate = bus.sample_rate
        self._to_bus = _Resampler(SAMPLE_RATE, rate) if rate != SAMPLE_RATE else None
        self._from_bus = _Resampler(rate, SAMPLE_RATE) if rate != SAMPLE_RATE else None
        self._lock = threading.Lock()
        self._returned: deque[np.ndarray] = deque()
        self._pending = np.zeros(0, np.int16)
        self._primed = False
        bus.feed_others(self.input, self._on_return)

    def write(self, stage_mix: np.ndarray) -> None:
        """One 20 ms frame of the stage mix (48 kHz) onto the bus."""
        pcm = self._to_bus(stage_mix) if self._to_bus is not None else stage_mix
        if pcm.size:
            self.input.write(pcm.astype(np.int16).tobytes(), timeout=0)

    def _on_return(self, pcm: bytes) -> None:
        """Called by the bus clock's thread with the tick's mix of the other inputs."""
        samples = np.frombuffer(pcm, dtype=np.int16)
        if self._from_bus is not None:
            samples = self._from_bus(samples)
        with self._lock:
            data = np.concatenate([self._pending, samples])
            whole = data.size // _FRAME * _FRAME
            for start in range(0, whole, _FRAME):
                self._returned.append(data[start : start + _FRAME])
            self._pending = data[whole:]
            while len(self._returned) > RETURN_MAX_FRAMES:
                self._returned.popleft()

    def take_return(self) -> np.ndarray | None:
        """The next 20 ms of the room's other inputs (48 kHz), or None when there is none."""
        with self._lock:
            if not self._primed:
                if len(self._returned) < RETURN_PREROLL_FRAMES:
                    return None
                self._primed = True
            if not self._returned:
                self._primed = False
                return None
            return self._returned.popleft()

    def close(self) -> None:
        """Leave the bus: stop the return feed; what the stage wrote still plays out."""
        self._bus.feed_others(self.input, None)
        self.input.close()
