"""The audio bus: pre-roll, mixing, room tone, back-pressure and real-time pacing."""

from __future__ import annotations

import threading

import numpy as np

from stream_server.pipeline.bus import ROOM_TONE_DBFS, AudioBus, PublisherInput, frame_bytes

SR = 48000
FRAME = frame_bytes(SR)


def pcm(value: int, frames: int = 1) -> bytes:
    return np.full(FRAME // 2 * frames, value, dtype=np.int16).tobytes()


def dbfs(frame: bytes) -> float:
    x = np.frombuffer(frame, dtype=np.int16).astype(np.float64) / 32768
    return float(20 * np.log10(max(np.sqrt(np.mean(x**2)), 1e-12)))


def test_frame_is_20ms_of_stereo_s16le() -> None:
    assert FRAME == 960 * 2 * 2


def test_no_publisher_gives_quiet_room_tone_not_digital_silence() -> None:
    bus = AudioBus(SR, lambda _: None)
    frames = [bus.mix_next_frame() for _ in range(50)]
    levels = [dbfs(f) for f in frames]
    assert all(len(f) == FRAME for f in frames)
    assert all(ROOM_TONE_DBFS - 3 < lvl < ROOM_TONE_DBFS + 3 for lvl in levels)


def test_input_waits_for_preroll_then_plays_in_order() -> None:
    bus = AudioBus(SR, lambda _: None)
    inp = bus.add_input("a")
    inp.write(pcm(100, 5))
    assert dbfs(bus.mix_next_frame()) < -60  # still pre-rolling: room tone
    inp.write(pcm(200, 5))
    played = [np.frombuffer(bus.mix_next_frame(), dtype=np.int16)[0] for _ in range(10)]
    assert played == [100] * 5 + [200] * 5


def test_two_publishers_are_summed_and_clipped() -> None:
    bus = AudioBus(SR, lambda _: None)
    a, b = bus.add_input("a"), bus.add_input("b")
    for inp, value in ((a, 1000), (b, 2000)):
        inp.write(pcm(value, 10))
    assert set(np.frombuffer(bus.mix_next_frame(), dtype=np.int16)) == {3000}
    c, d = bus.add_input("c"), bus.add_input("d")
    for inp in (c, d):
        inp.write(pcm(30000, 10))
    bus2 = AudioBus(SR, lambda _: None)
    e, f = bus2.add_input("e"), bus2.add_input("f")
    e.write(pcm(30000, 10))
    f.write(pcm(30000, 10))
    assert set(np.frombuffer(bus2.mix_next_frame(), dtype=np.int16)) == {32767}


def test_closed_input_plays_out_then_leaves_the_bus() -> None:
    bus = AudioBus(SR, lambda _: None)
    inp = bus.add_input("a")
    inp.write(pcm(500, 3))
    inp.close()
    assert [np.frombuffer(bus.mix_next_frame(), dtype=np.int16)[0] for _ in range(3)] == [500] * 3
    bus.mix_next_frame()
    assert bus.publisher_count == 0


def test_full_input_blocks_the_writer_until_the_bus_takes_audio() -> None:
    inp = PublisherInput("a", FRAME, preroll_frames=1, capacity_frames=4)
    assert inp.write(pcm(1, 4))
    assert not inp.write(pcm(1), timeout=0.05)  # full: back-pressure, nothing dropped
    done = threading.Event()
    threading.Thread(target=lambda: (inp.write(pcm(2), timeout=5), done.set())).start()
    assert inp.take_frame() is not None
    assert done.wait(5)


def test_muted_publisher_is_silent_but_keeps_draining() -> None:
    bus = AudioBus(SR, lambda _: None)
    inp = bus.add_input("a")
    inp.write(pcm(9000, 12))
    inp.muted = True
    assert dbfs(bus.mix_next_frame()) < -60
    assert inp.frames_played == 1


def frames(out: list[bytes]) -> int:
    """How many 20 ms frames the sink was given in all."""
    assert all(len(chunk) % FRAME == 0 for chunk in out)
    return sum(len(chunk) for chunk in out) // FRAME


def test_advance_sends_the_frames_due_on_the_wall_clock() -> None:
    clock = [0.0]
    out: list[bytes] = []
    bus = AudioBus(SR, out.append, clock=lambda: clock[0])
    bus.advance()
    assert frames(out) == 1 and len(out) == 1  # the first frame is due at once
    for step in range(1, 11):  # one simulated second, in 100 ms ticks
        clock[0] = step / 10
        bus.advance()
        assert frames(out) == step * 5 + 1  # never ahead of the clock, never behind
        assert len(out) == step + 1  # one call to the sink per tick
    bus.advance()
    assert frames(out) == 51 and bus.late_frames == 0


def test_after_a_long_stall_the_bus_skips_ahead_instead_of_rushing() -> None:
    clock = [0.0]
    out: list[bytes] = []
    bus = AudioBus(SR, out.append, clock=lambda: clock[0])
    bus.advance()
    clock[0] = 5.0  # the process was stopped for five seconds
    bus.advance()
    assert frames(out) == 2 and bus.late_frames == 249
    clock[0] = 5.1 + 1e-9  # (5.1 / 0.02 is a hair under 255 in floating point)
    bus.advance()
    assert frames(out) == 7  # back to real time


def test_the_stage_gets_every_other_unmuted_input_never_its_own() -> None:
    bus = AudioBus(SR, lambda _: None)
    stage, bed, muted = bus.add_input("stage"), bus.add_input("bed"), bus.add_input("muted")
    muted.muted = True
    for inp, value in ((stage, 7000), (bed, 300), (muted, 50)):
        inp.write(pcm(value, 10))
    fed: list[bytes] = []
    bus.feed_others(stage, fed.append)
    program = bus.mix_frames(3)
    assert set(np.frombuffer(program, dtype=np.int16)) == {7300}
    assert len(fed) == 1 and set(np.frombuffer(fed[0], dtype=np.int16)) == {300}
    assert len(fed[0]) == 3 * FRAME
    bed.muted = True  # nothing else to hear: silence, not room tone
    bus.mix_frames(1)
    assert set(np.frombuffer(fed[1], dtype=np.int16)) == {0}
    bus.feed_others(stage, None)
    bus.mix_frames(1)
    assert len(fed) == 2
