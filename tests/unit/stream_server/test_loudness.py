"""The loudness processor alone: gated AGC to -16 LUFS, true peaks under the ceiling, silence left alone."""

from __future__ import annotations

import numpy as np
import pytest

from stream_server.loudness import LoudnessProcessor
from tests.loudness_meter import measure_pcm

SR = 48000


def program(level_db: float, seconds: float = 12.0) -> bytes:
    """A 440 Hz tone at ``level_db`` peak with a 1 ms 3 kHz burst 14 dB hotter every half second."""
    t = np.arange(int(SR * seconds)) / SR
    x = np.sin(2 * np.pi * 440 * t) * 10 ** (level_db / 20)
    x += np.sin(2 * np.pi * 3000 * t) * ((t % 0.5) < 0.001) * 10 ** ((level_db + 14) / 20)
    x = np.clip(x, -1, 1)
    return bytes((np.repeat(x[:, None], 2, axis=1) * 32767).astype("<i2").tobytes())


def run(pcm: bytes) -> bytes:
    proc = LoudnessProcessor(SR)
    out = b"".join(proc.process(pcm[i : i + 3840]) for i in range(0, len(pcm), 3840))
    return out + proc.flush()


@pytest.mark.parametrize("level", [-3.0, -23.0, -43.0], ids=["loud", "medium", "quiet"])
def test_program_comes_out_at_minus_16_lufs_under_minus_1_dbtp(level: float) -> None:
    pcm = program(level)
    out = run(pcm)
    assert len(out) == len(pcm)  # nothing lost, nothing added
    integrated, true_peak = measure_pcm(out)
    assert abs(integrated + 16) <= 1.0, integrated
    assert true_peak <= -1.0, true_peak


def test_room_tone_is_not_pumped_up() -> None:
    rng = np.random.default_rng(1)
    noise = (rng.standard_normal((SR * 5, 2)) * 10 ** (-72 / 20) * 32767).astype("<i2").tobytes()
    out = np.frombuffer(run(noise), dtype="<i2").astype(np.float64)
    rms_in = np.sqrt(np.mean(np.frombuffer(noise, dtype="<i2").astype(np.float64) ** 2))
    assert np.sqrt(np.mean(out**2)) == pytest.approx(rms_in, rel=0.05)


def test_a_pause_does_not_raise_the_gain() -> None:
    proc = LoudnessProcessor(SR)
    proc.process(program(-23.0, 6))
    before = proc.gain_db
    proc.process(bytes(SR * 4 // 2))  # the momentary window (400 ms) empties of the tone
    held = proc.gain_db
    proc.process(bytes(SR * 4 * 3))  # then 3 s of digital silence
    assert proc.gain_db == held and abs(held - before) < 0.5
