"""The stage's link to a room's bus at 44.1 kHz: its mix goes in resampled, the bed comes back."""

from __future__ import annotations

import numpy as np
import pytest

from stream_server.pipeline.bus import AudioBus
from stream_server.stage.bus_link import RETURN_PREROLL_FRAMES, BusLink


def tone(freq: float, rate: int, start: int, count: int) -> np.ndarray:
    t = np.arange(start, start + count) / rate
    return np.repeat((0.25 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16), 2)


def level(stereo: np.ndarray, rate: int, freq: float) -> float:
    """Amplitude (full scale 1.0) of ``freq`` in the left channel."""
    mono = stereo.reshape(-1, 2)[:, 0].astype(np.float64) / 32768
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size))) / mono.size * 4
    freqs = np.fft.rfftfreq(mono.size, 1 / rate)
    return float(spectrum[np.abs(freqs - freq) < 5].max())


@pytest.mark.parametrize("rate", [44100, 48000])
def test_the_stage_mix_reaches_the_bus_and_the_bed_reaches_the_stage(rate: int) -> None:
    program: list[bytes] = []
    bus = AudioBus(rate, program.append)
    bed = bus.add_input("bed")
    link = BusLink(bus)
    for n in range(50):  # one second of stage mix at 48 kHz, 20 ms at a time
        link.write(tone(700.0, 48000, n * 960, 960))
    bed.write(tone(300.0, rate, 0, rate).tobytes())
    assert link.take_return() is None  # nothing has come back yet
    out = np.frombuffer(bus.mix_frames(40), dtype=np.int16)
    assert level(out, rate, 700.0) > 0.2 and level(out, rate, 300.0) > 0.2  # stage mix and bed
    returned = [link.take_return() for _ in range(RETURN_PREROLL_FRAMES + 10)]
    frames = [f for f in returned if f is not None]
    assert len(frames) >= 10 and all(f.size == 1920 for f in frames)
    back = np.concatenate(frames)
    assert level(back, 48000, 300.0) > 0.2  # the bed comes back at 48 kHz…
    assert level(back, 48000, 700.0) < 0.002  # …and never the stage's own mix
    link.close()
    while link.take_return() is not None:
        pass
    bus.mix_frames(10)
    assert link.take_return() is None  # closed: the bus feeds the stage no more
