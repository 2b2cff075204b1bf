"""Level meters of the audio bus: peak and RMS in dBFS, smoothed like a console's meter.

The bus updates one meter per publisher (before mute, so the host sees a muted
co-host talking) and one for the program, once per bus tick (five 20 ms frames).
Cheap: one pass of numpy over the tick's samples.
"""

from __future__ import annotations

import math

import numpy as np

#: the floor reported for silence (JSON has no -inf)
FLOOR_DBFS = -120.0
#: RMS is averaged over about this long (exponential, seconds)
RMS_SECONDS = 0.3
#: a held peak falls back this fast (dB per second)
PEAK_FALL_DB_PER_SECOND = 20.0


def to_dbfs(amplitude: float) -> float:
    """A linear amplitude (1.0 = full scale) in dBFS, floored at ``FLOOR_DBFS``, one decimal."""
    if amplitude <= 10 ** (FLOOR_DBFS / 20):
        return FLOOR_DBFS
    return round(20 * math.log10(amplitude), 1)


class LevelMeter:
    """Smoothed peak and RMS of an interleaved s16le signal, fed one frame at a time."""

    def __init__(self, frame_seconds: float = 0.02) -> None:
        self._alpha = min(1.0, frame_seconds / RMS_SECONDS)
        self._fall = 10 ** (-PEAK_FALL_DB_PER_SECOND * frame_seconds / 20)
        self._mean_square = 0.0
        self._peak = 0.0

    def update(self, samples: np.ndarray, frames: int = 1) -> None:
        """Take ``frames`` frames of int16 samples at once (smoothed as if they came one by one)."""
        if samples.size == 0:
            self.idle(frames)
            return
        x = samples.astype(np.float32)
        mean_square = float(np.dot(x, x)) / (x.size * 32768.0 * 32768.0)
        peak = max(int(samples.max()), -int(samples.min())) / 32768.0
        alpha = 1.0 - (1.0 - self._alpha) ** frames
        self._mean_square += alpha * (mean_square - self._mean_square)
        self._peak = max(peak, self._peak * self._fall**frames)

    def idle(self, frames: int = 1) -> None:
        """``frames`` frames without audio from this source: the meter falls."""
        self._mean_square *= (1.0 - self._alpha) ** frames
        self._peak *= self._fall**frames

    def snapshot(self) -> dict[str, float]:
        """``{"peak_dbfs": …, "rms_dbfs": …}`` right now."""
        return {"peak_dbfs": to_dbfs(self._peak), "rms_dbfs": to_dbfs(math.sqrt(self._mean_square))}
