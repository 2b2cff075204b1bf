"""Level meters of the audio bus: peak and RMS in dBFS, smoothed like a console's meter.

The bus updates one meter per publisher (before mute, so the host sees a muted
co-host talking) and one for the program, once per 20 ms frame. Cheap: one pass
of numpy over 1,920 samples per frame.
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

    def update(self, samples: np.ndarray) -> None:
        """Take one frame of int16 samples."""
        if samples.size == 0:
            self.idle()
            return
        x = samples.astype(np.float32)
        mean_square = float(np.dot(x, x)) / (x.size * 32768.0 * 32768.0)
        peak = max(int(samples.max()), -int(samples.min())) / 32768.0
        self._mean_square += self._alpha * (mean_square - self._mean_square)
        self._peak = max(peak, self._peak * self._fall)

    def idle(self) -> None:
        """A frame without audio from this source: the meter falls."""
        self._mean_square -= self._alpha * self._mean_square
        self._peak *= self._fall

    def snapshot(self) -> dict[str, float]:
        """``{"peak_dbfs": …, "rms_dbfs": …}`` right now."""
        return {"peak_dbfs": to_dbfs(self._peak), "rms_dbfs": to_dbfs(math.sqrt(self._mean_square))}
