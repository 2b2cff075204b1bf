"""The captioner: words grouped into cues, the program resampled, and the clock thread never held up."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from stream_server.hls.webvtt import Cue
from stream_server.pipeline.captions.captioner import NOTICE, RoomCaptioner, to_recognizer_pcm, words_to_cues
from stream_server.pipeline.captions.recognizer import SAMPLE_RATE, Word
from tests.support.audio import dominant_frequency


@pytest.mark.parametrize(("words", "expected"), [
    ([(0.0, 0.3, "a"), (0.3, 0.6, "b")], [(0.0, 1.6, "a b")]),
    ([(0.0, 0.3, "a"), (1.5, 1.8, "b")], [(0.0, 1.3, "a"), (1.5, 2.8, "b")]),
    ([(i * 0.3, i * 0.3 + 0.3, f"w{i}") for i in range(10)],
     [(0.0, 2.4, "w0 w1 w2 w3 w4 w5 w6 w7"), (2.4, 4.0, "w8 w9")]),
    ([(0.0, 0.5, "a"), (0.5, 3.0, "b"), (3.0, 3.8, "c")], [(0.0, 3.0, "a b"), (3.0, 4.8, "c")]),
    ([], []),
], ids=["one-phrase", "pause-splits", "eight-words-a-cue", "three-and-a-half-seconds", "nothing"])
def test_words_become_short_cues(words: list[tuple[float, float, str]],
                                 expected: list[tuple[float, float, str]]) -> None:
    cues = words_to_cues([Word(*w) for w in words], offset=100.0)
    assert [(round(c.start - 100, 3), round(c.end - 100, 3), c.text) for c in cues] == expected


@pytest.mark.parametrize("rate", [48000, 44100])
def test_the_program_reaches_the_recogniser_as_16_khz_mono_in_tune(rate: int) -> None:
    t = np.arange(rate) / rate
    left = (8000 * np.sin(2 * np.pi * 700 * t)).astype(np.int16)
    stereo = np.repeat(left[:, None], 2, axis=1).tobytes()
    carry = np.zeros(0, dtype=np.float32)
    out = b""
    for i in range(0, len(stereo), rate // 10 * 4):  # the bus's 100 ms chunks
        mono, carry = to_recognizer_pcm(stereo[i : i + rate // 10 * 4], rate, carry)
        out += mono
    assert abs(len(out) / 2 - SAMPLE_RATE) <= 3
    assert abs(dominant_frequency(out, SAMPLE_RATE) - 700) < 5


class SlowRecognizer:
    """A recogniser that hears one word per chunk and may be made to stall."""

    lookback = 0.5

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.fed = 0.0
        self.flushes = 0

    def feed(self, pcm: bytes) -> list[Word]:
        self.gate.wait(30)
        start = self.fed
        self.fed += len(pcm) / (2 * SAMPLE_RATE)
        return [Word(start, start + 0.05, "word")]

    def flush(self) -> list[Word]:
        self.flushes += 1
        return []

    def pending_since(self) -> float | None:
        return None

    def close(self) -> None:
        pass


class Sink:
    def __init__(self) -> None:
        self.cues: list[Cue] = []
        self.heard: list[float] = []

    def add_cues(self, cues: list[Cue], heard_until: float) -> None:
        self.cues += cues
        self.heard.append(heard_until)


CHUNK = b"\1\0" * 2 * 4800  # 100 ms of stereo at 48 kHz


def test_words_are_placed_on_air_time_and_progress_is_reported() -> None:
    sink, recognizer, now = Sink(), SlowRecognizer(), [1000.0]
    captioner = RoomCaptioner("r", 48000, sink, latency=0.2, recognizer=lambda: recognizer,
                              clock=lambda: now[0])
    captioner.start()
    for _ in range(10):
        captioner.feed(CHUNK)
        now[0] += 0.1
    deadline = time.monotonic() + 10
    while len(sink.cues) < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    captioner.stop()
    starts = sorted(round(c.start, 3) for c in sink.cues)
    assert starts[:3] == [999.8, 999.9, 1000.0]  # the first chunk's air time: the clock less the latency
    assert max(sink.heard) == pytest.approx(999.8 + 1.0 - 0.5, abs=0.01)


def test_a_stalled_recogniser_never_holds_the_clock_thread_and_captions_skip_ahead_with_a_notice() -> None:
    sink, recognizer = Sink(), SlowRecognizer()
    recognizer.gate.clear()
    captioner = RoomCaptioner("r", 48000, sink, max_lag=2.0, recognizer=lambda: recognizer)
    captioner.start()
    slowest = 0.0
    for _ in range(40):  # 4 s of program while the recogniser is stuck
        began = time.perf_counter()
        captioner.feed(CHUNK)
        slowest = max(slowest, time.perf_counter() - began)
    assert slowest < 0.005
    assert captioner.dropped_seconds >= 2.0
    recognizer.gate.set()
    captioner.feed(CHUNK)
    deadline = time.monotonic() + 10
    while not any(c.text == NOTICE for c in sink.cues) and time.monotonic() < deadline:
        time.sleep(0.01)
    captioner.stop()
    assert any(c.text == NOTICE for c in sink.cues)
    assert recognizer.flushes >= 1
