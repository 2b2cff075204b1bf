"""Independent checks of audio we produced: decoded by ffmpeg, analysed with numpy."""

from __future__ import annotations

import numpy as np


def dominant_frequency(pcm: bytes, sample_rate: int = 48000) -> float:
    """The strongest frequency in mono s16le audio."""
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / sample_rate)[int(np.argmax(spectrum))])


def rms_dbfs(pcm: bytes) -> float:
    """RMS level of mono s16le audio in dBFS."""
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64) / 32768
    return float(20 * np.log10(max(float(np.sqrt(np.mean(x**2))), 1e-12)))
