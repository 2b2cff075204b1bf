"""The loudness processor alone: gated AGC to -16 LUFS, true peaks under the ceiling, silence left alone."""

from __future__ import annotations

import numpy as np
import pytest

from stream_server.pipeline.loudness import LoudnessProcessor, to_pcm
from tests.support.loudness_meter import measure_pcm

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


def test_digital_silence_stays_exact_zeros() -> None:
    out = np.frombuffer(to_pcm(np.zeros((4800, 2)), np.random.default_rng(1)), dtype="<i2")
    assert len(out) == 9600 and not out.any()


def _harmonic_db(samples: np.ndarray, fundamental: int, harmonic: int) -> float:
    """Level of a harmonic against the fundamental (1 s of audio: 1 Hz bins)."""
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(20 * np.log10(spectrum[harmonic * fundamental] / spectrum[fundamental]))


def test_dither_turns_quantisation_distortion_into_plain_noise() -> None:
    t = np.arange(SR) / SR
    wave = 1.3 * np.sin(2 * np.pi * 1000 * t)  # a 1 kHz tone 1.3 steps of 16 bits high
    block = np.repeat(wave[:, None], 2, axis=1) / 32768
    rng = np.random.default_rng(2)
    pcm = b"".join(to_pcm(block[i : i + 4800], rng) for i in range(0, SR, 4800))
    dithered = np.frombuffer(pcm, dtype="<i2").reshape(-1, 2)[:, 0].astype(np.float64)
    rounded = np.round(wave)  # rounding alone makes a staircase of it
    assert _harmonic_db(rounded, 1000, 3) > -30  # the distortion dither is there to remove
    assert _harmonic_db(dithered, 1000, 3) < -35
    assert np.dot(dithered, wave) / np.dot(wave, wave) == pytest.approx(1.0, abs=0.05)  # level kept
    error_rms = float(np.sqrt(np.mean((dithered - wave) ** 2)))
    assert error_rms == pytest.approx(0.5, rel=0.15)  # triangular ±1 step plus rounding: √(1/6 + 1/12)


def test_only_the_limiters_10_ms_look_ahead_is_held_and_nothing_moves() -> None:
    proc = LoudnessProcessor(SR)
    assert proc.latency == pytest.approx(0.1)  # the first sample waits for its block, no longer
    t = np.arange(SR) / SR
    tone = np.sin(2 * np.pi * 440 * t) * 0.1
    tone[SR // 2 :] = 0.0  # the tone stops exactly half a second in
    pcm = (np.repeat(tone[:, None], 2, axis=1) * 32767).astype("<i2").tobytes()
    first = proc.process(pcm[: 4800 * 4])  # one block in
    assert len(first) == 4320 * 4  # all of it out but the held 10 ms
    out = first + proc.process(pcm[4800 * 4 :]) + proc.flush()
    assert len(out) == len(pcm)
    left = np.frombuffer(out, dtype="<i2").reshape(-1, 2)[:, 0].astype(np.float64)
    # sample for sample in place: the tone ends where it ended going in
    assert np.abs(left[SR // 2 - 480 : SR // 2]).max() > 1000
    assert np.abs(left[SR // 2 + 10 :]).max() <= 2  # dither at most


def test_flush_gives_back_a_partial_last_block_in_its_place() -> None:
    proc = LoudnessProcessor(SR)
    seconds = 0.25  # two whole blocks and half of one
    t = np.arange(int(SR * seconds)) / SR
    tone = np.sin(2 * np.pi * 440 * t) * 0.1
    pcm = (np.repeat(tone[:, None], 2, axis=1) * 32767).astype("<i2").tobytes()
    out = proc.process(pcm) + proc.flush()
    assert len(out) == len(pcm)
    left = np.frombuffer(out, dtype="<i2").reshape(-1, 2)[:, 0].astype(np.float64)
    # the tone runs to the very end: no block cut short, no zero padding handed out as audio
    for start in range(0, len(left), 480):
        assert np.abs(left[start : start + 480]).max() > 1000, start
