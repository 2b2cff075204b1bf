"""Synthesised programme for the demo rooms: short loops rendered once with numpy."""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 44100


def _tone(freq: float, seconds: float, *, harmonics: tuple[float, ...] = (1.0,),
          attack: float = 0.02, release: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    wave = sum(a * np.sin(2 * np.pi * freq * (i + 1) * t) for i, a in enumerate(harmonics))
    env = np.minimum(1.0, t / attack) * np.exp(-t / max(release, 1e-3))
    return np.asarray(wave * env)


def _place(track: np.ndarray, sound: np.ndarray, at: float) -> None:
    start = int(at * SAMPLE_RATE)
    end = min(len(track), start + len(sound))
    track[start:end] += sound[: end - start]


def _stereo(left: np.ndarray, right: np.ndarray, peak: float = 0.5) -> bytes:
    mix = np.stack([left, right], axis=1)
    mix *= peak / max(float(np.max(np.abs(mix))), 1e-9)
    return bytes((mix * 32767).astype(np.int16).tobytes())


def jazz_loop() -> bytes:
    """A ii-V-I in C on a soft electric piano, walking bass and brushed ride; 8 s."""
    seconds, beat = 8.0, 0.5
    left = np.zeros(int(seconds * SAMPLE_RATE))
    right = np.zeros_like(left)
    chords = [(146.83, 174.61, 220.0, 261.63), (98.0, 123.47, 174.61, 220.0),
              (130.81, 164.81, 196.0, 246.94), (130.81, 164.81, 196.0, 246.94)]
    bass = [73.42, 87.31, 98.0, 110.0, 98.0, 110.0, 123.47, 98.0,
            65.41, 82.41, 98.0, 110.0, 130.81, 110.0, 98.0, 82.41]
    for bar, chord in enumerate(chords):
        for hit in (0.0, 1.25):
            for note in chord:
                _place(left, 0.25 * _tone(note * 2, 1.6, harmonics=(1, 0.3, 0.1), release=0.6),
                       bar * 2.0 + hit)
    for step, note in enumerate(bass):
        _place(right, 0.6 * _tone(note, beat, harmonics=(1, 0.5, 0.2), release=0.25), step * beat)
    rng = np.random.default_rng(1)
    for step in range(int(seconds / beat)):
        _place(left, 0.05 * rng.standard_normal(4000) * np.exp(-np.arange(4000) / 900), step * beat)
    return _stereo(left + 0.4 * right, right + 0.4 * left)


def talk_loop() -> bytes:
    """Two voices taking turns: pitched, formant-shaped syllables with pauses; 10 s."""
    seconds = 10.0
    track = np.zeros(int(seconds * SAMPLE_RATE))
    rng = np.random.default_rng(7)
    at = 0.2
    speaker = 0
    while at < seconds - 1:
        pitch = (120.0, 210.0)[speaker]
        for _ in range(int(rng.integers(5, 11))):
            length = float(rng.uniform(0.12, 0.25))
            t = np.arange(int(length * SAMPLE_RATE)) / SAMPLE_RATE
            f0 = pitch * (1 + 0.08 * np.sin(2 * np.pi * rng.uniform(1, 3) * t))
            phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
            formant = rng.choice([500.0, 700.0, 1100.0])
            voice = sum(np.sin(k * phase) / k * np.exp(-((k * pitch - formant) / 600) ** 2)
                        for k in range(1, 20))
            _place(track, voice * np.sin(np.pi * t / length) ** 2, at)
            at += length + float(rng.uniform(0.02, 0.08))
        at += float(rng.uniform(0.3, 0.6))
        speaker = 1 - speaker
    return _stereo(track, track, peak=0.4)


def rock_loop() -> bytes:
    """Driving power chords, kick and snare at 120 bpm; 8 s."""
    seconds, beat = 8.0, 0.5
    left = np.zeros(int(seconds * SAMPLE_RATE))
    right = np.zeros_like(left)
    roots = [82.41, 82.41, 110.0, 98.0]
    for bar, root in enumerate(roots):
        for eighth in range(8):
            at = bar * 2.0 + eighth * beat / 2
            chord = sum(_tone(root * r, 0.24, harmonics=(1, 0.7, 0.5, 0.4, 0.3), release=0.2)
                        for r in (1, 1.5, 2))
            _place(left, 0.3 * np.tanh(3 * chord), at)
            _place(right, 0.3 * np.tanh(3 * chord), at + 0.01)
    rng = np.random.default_rng(3)
    for step in range(int(seconds / beat)):
        t = np.arange(6000) / SAMPLE_RATE
        kick = np.sin(2 * np.pi * 55 * t * (1 + 2 * np.exp(-t * 40))) * np.exp(-t * 12)
        snare = rng.standard_normal(6000) * np.exp(-t * 25)
        hit = 0.8 * kick if step % 2 == 0 else 0.35 * snare
        _place(left, hit, step * beat)
        _place(right, hit, step * beat)
    return _stereo(left, right, peak=0.6)
