"""The jitter buffer: order, loss (FEC and concealment), lateness, wrap-around, trimming."""

from __future__ import annotations

import numpy as np
import pytest

from stream_server.stage.opus import FRAME_SAMPLES, OpusEncoder
from stream_server.stage.receive_buffer import MAX_FRAMES, ReceiveBuffer

FREQ = 1000.0


def packets(count: int, *, fec: bool = True) -> list[bytes]:
    """``count`` 20 ms Opus packets of a 1 kHz tone (stereo), from libopus."""
    encoder = OpusEncoder(loss_percent=20 if fec else 0)
    out = []
    for n in range(count):
        t = np.arange(n * FRAME_SAMPLES, (n + 1) * FRAME_SAMPLES) / 48000
        tone = (0.3 * np.sin(2 * np.pi * FREQ * t) * 32767).astype(np.int16)
        out.append(encoder.encode(np.repeat(tone, 2)))
    return out


def tone_rms(frame: np.ndarray) -> float:
    return float(np.sqrt(np.mean((frame.astype(np.float64) / 32768) ** 2)))


def play(buffer: ReceiveBuffer, ticks: int) -> list[np.ndarray | None]:
    return [buffer.pop() for _ in range(ticks)]


def test_nothing_plays_until_the_target_is_buffered() -> None:
    buffer = ReceiveBuffer()
    stream = packets(3)
    assert buffer.pop() is None
    buffer.push(100, stream[0], arrival=0.0)
    assert buffer.pop() is None  # one packet: below the two-frame target
    buffer.push(101, stream[1], arrival=0.02)
    first = buffer.pop()
    assert first is not None and first.size == FRAME_SAMPLES * 2


@pytest.mark.parametrize("order", [[0, 1, 2, 3, 4, 5], [0, 2, 1, 3, 5, 4], [1, 0, 3, 2, 5, 4]],
                         ids=["in-order", "swapped-pairs", "all-swapped"])
def test_reordered_packets_play_in_order_without_concealment(order: list[int]) -> None:
    buffer = ReceiveBuffer()
    stream = packets(8)
    for i in order:
        buffer.push(500 + i, stream[i], arrival=0.02 * i)
    frames = play(buffer, 5)
    assert all(f is not None and tone_rms(f) > 0.1 for f in frames)
    assert buffer.concealed == 0 and buffer.late == 0


def test_a_lost_packet_is_recovered_from_the_next_ones_fec() -> None:
    buffer = ReceiveBuffer()
    stream = packets(12)
    for i in range(12):
        if i != 5:
            buffer.push(i, stream[i], arrival=0.02 * i)
    frames = play(buffer, 10)
    assert buffer.recovered == 1 and buffer.concealed == 1
    assert all(f is not None and tone_rms(f) > 0.1 for f in frames)


def test_two_lost_in_a_row_are_concealed_and_playback_goes_on() -> None:
    buffer = ReceiveBuffer()
    stream = packets(14)
    for i in range(14):
        if i not in (5, 6):
            buffer.push(i, stream[i], arrival=0.02 * i)
    frames = play(buffer, 12)
    assert buffer.concealed == 2 and buffer.recovered == 1  # 5 by concealment, 6 from 7's FEC
    assert all(f is not None for f in frames)


def test_a_packet_after_its_turn_is_dropped_as_late() -> None:
    buffer = ReceiveBuffer()
    stream = packets(8)
    for i in (0, 1, 3, 4, 5):
        buffer.push(i, stream[i], arrival=0.02 * i)
    play(buffer, 4)  # 0, 1, (2 concealed), 3
    buffer.push(2, stream[2], arrival=0.2)
    assert buffer.late == 1


def test_sequence_numbers_wrap_around() -> None:
    buffer = ReceiveBuffer()
    stream = packets(6)
    for i, seq in enumerate([65533, 65534, 65535, 0, 1, 2]):
        buffer.push(seq, stream[i], arrival=0.02 * i)
    frames = play(buffer, 5)
    assert all(f is not None and tone_rms(f) > 0.1 for f in frames) and buffer.concealed == 0


def test_an_empty_buffer_conceals_briefly_then_goes_quiet() -> None:
    buffer = ReceiveBuffer()
    stream = packets(4)
    for i in range(4):
        buffer.push(i, stream[i], arrival=0.02 * i)
    frames = play(buffer, 12)
    assert [f is None for f in frames] == [False] * 4 + [False] * 5 + [True] * 3


def test_a_backlog_beyond_the_maximum_is_skipped() -> None:
    buffer = ReceiveBuffer()
    stream = packets(MAX_FRAMES + 10)
    buffer.push(0, stream[0], arrival=0.0)
    buffer.push(1, stream[1], arrival=0.02)
    buffer.pop()
    for i in range(2, MAX_FRAMES + 10):
        buffer.push(i, stream[i], arrival=0.04)  # a burst after a stall
    buffer.pop()
    assert buffer.skipped > 0 and buffer.depth <= MAX_FRAMES


def test_the_target_grows_with_jitter() -> None:
    calm, jittery = ReceiveBuffer(), ReceiveBuffer()
    stream = packets(40)
    rng = np.random.default_rng(7)
    for i in range(40):
        calm.push(i, stream[i], arrival=0.02 * i)
        jittery.push(i, stream[i], arrival=0.02 * i + float(rng.uniform(0, 0.06)))
    assert calm.target == 2
    assert jittery.target >= 4


@pytest.mark.parametrize("ms", [10, 40, 60])
def test_packets_of_other_lengths_come_out_as_20ms_frames(ms: int) -> None:
    samples = 48 * ms
    encoder = OpusEncoder()
    buffer = ReceiveBuffer()
    sent = 0
    frames = []
    for tick in range(50):  # a second of ticks; packets arrive as they are made
        while sent * ms <= tick * 20:
            t = np.arange(sent * samples, (sent + 1) * samples) / 48000
            tone = (0.3 * np.sin(2 * np.pi * FREQ * t) * 32767).astype(np.int16)
            buffer.push(sent, encoder.encode(np.repeat(tone, 2)), arrival=sent * ms / 1000)
            sent += 1
        frames.append(buffer.pop())
    played = [f for f in frames if f is not None]
    assert all(f.size == FRAME_SAMPLES * 2 for f in played)
    assert len(played) >= 45 and buffer.concealed == 0
    assert all(tone_rms(f) > 0.1 for f in played[2:])
