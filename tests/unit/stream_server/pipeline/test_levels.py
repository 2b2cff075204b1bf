"""Level meters: peak and RMS in dBFS, smoothed, floored, and the bus meters before mute."""

from __future__ import annotations

import numpy as np
import pytest

from stream_server.pipeline.bus import AudioBus, frame_bytes
from stream_server.pipeline.levels import FLOOR_DBFS, LevelMeter, to_dbfs

SR = 48000
FRAME = frame_bytes(SR)


def sine_frame(amplitude: float, n: int = FRAME // 2) -> np.ndarray:
    t = np.arange(n) / SR
    return (amplitude * 32767 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)


@pytest.mark.parametrize(("amplitude", "dbfs"), [(1.0, 0.0), (0.5, -6.0), (0.001, -60.0), (0.0, FLOOR_DBFS)],
                         ids=["full", "half", "quiet", "silence"])
def test_to_dbfs(amplitude: float, dbfs: float) -> None:
    assert to_dbfs(amplitude) == pytest.approx(dbfs, abs=0.1)


def test_a_steady_sine_settles_at_its_peak_and_rms() -> None:
    meter = LevelMeter()
    for _ in range(100):  # two seconds
        meter.update(sine_frame(0.5))
    levels = meter.snapshot()
    assert levels["peak_dbfs"] == pytest.approx(-6.0, abs=0.2)
    assert levels["rms_dbfs"] == pytest.approx(-9.0, abs=0.3)  # sine RMS is 3 dB under its peak


def test_the_meter_falls_when_the_audio_stops() -> None:
    meter = LevelMeter()
    for _ in range(50):
        meter.update(sine_frame(0.5))
    for _ in range(50):  # one second without audio
        meter.idle()
    levels = meter.snapshot()
    assert -30 < levels["peak_dbfs"] < -20  # falls 20 dB per second
    assert levels["rms_dbfs"] < -20  # a 0.3 s average: down about 14 dB after a second


def test_the_bus_meters_each_input_before_mute_and_the_program_after() -> None:
    bus = AudioBus(SR, lambda _: None)
    loud, muted = bus.add_input("loud"), bus.add_input("muted")
    stereo = np.repeat(sine_frame(0.25)[::2], 2).tobytes()
    for inp in (loud, muted):
        inp.write(stereo * 60)
    muted.muted = True
    for _ in range(50):
        bus.mix_next_frame()
    assert loud.meter.snapshot()["peak_dbfs"] == pytest.approx(-12, abs=0.5)
    assert muted.meter.snapshot()["peak_dbfs"] == pytest.approx(-12, abs=0.5)  # the host still sees it
    assert bus.program_meter.snapshot()["peak_dbfs"] == pytest.approx(-12, abs=0.5)  # only one in the mix
