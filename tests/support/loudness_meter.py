"""ffmpeg's ebur128 filter (peak=true) as the independent loudness meter of the tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

_INTEGRATED = re.compile(r"^\s*I:\s*(-?[\d.]+|-inf) LUFS", re.M)
_TRUE_PEAK = re.compile(r"True peak:\s*\n\s*Peak:\s*(-?[\d.]+|-inf) dBFS", re.M)


def ebur128(args: list[str], pcm: bytes | None = None) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of an input given as ffmpeg input arguments."""
    out = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", *args, "-af", "ebur128=peak=true", "-f", "null", "-"],
        input=pcm, capture_output=True, check=True,
    ).stderr.decode()
    summary = out[out.rindex("Summary:"):]
    integrated, peak = _INTEGRATED.search(summary), _TRUE_PEAK.search(summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


def measure_file(path: Path) -> tuple[float, float]:
    """Loudness and true peak of a media file, decoded by ffmpeg."""
    return ebur128(["-i", str(path)])


def measure_pcm(pcm: bytes, sample_rate: int = 48000) -> tuple[float, float]:
    """Loudness and true peak of s16le stereo PCM."""
    return ebur128(["-f", "s16le", "-ar", str(sample_rate), "-ac", "2", "-i", "pipe:0"], pcm)
