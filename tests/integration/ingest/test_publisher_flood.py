"""Flood or backlog: only a sender ahead of real time is cut, never one catching up after a gap.

The decoder here is ``cat`` (PCM in, PCM out), so the test controls exactly how much audio
arrives when; a drainer takes 20 ms frames in real time, as the bus does.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from stream_server.ingest.publisher import PublisherCut, PublisherSession
from stream_server.pipeline.bus import PublisherInput, frame_bytes

SR = 48000
SECOND = SR * 4


@pytest.fixture
def passthrough(tmp_path: Path) -> str:
    script = tmp_path / "decoder"
    script.write_text("#!/bin/sh\nexec cat\n")
    script.chmod(0o755)
    return str(script)


def drained_session(decoder: str, stop: threading.Event) -> PublisherSession:
    inp = PublisherInput("t", frame_bytes(SR))

    def drain() -> None:
        while not stop.wait(0.02):
            inp.take_frame()

    threading.Thread(target=drain, daemon=True).start()
    return PublisherSession(decoder, "s16le", SR, inp, "t", flood_seconds=1.0, flood_ahead=1.0)


def test_a_sender_ahead_of_real_time_is_cut_but_a_backlog_after_a_gap_is_not(passthrough: str) -> None:
    stop = threading.Event()
    flooder, catching_up = drained_session(passthrough, stop), drained_session(passthrough, stop)
    try:
        def flood() -> None:
            try:
                for _ in range(20):
                    flooder.write(b"\0" * SECOND)
            except PublisherCut:
                return

        sender = threading.Thread(target=flood, daemon=True)
        sender.start()
        time.sleep(1.5)  # the network drops: nothing arrives from the second sender
        catching_up.write(b"\0" * (SECOND * 3 // 2))  # the backlog, all at once
        for _ in range(15):  # then real time again, for longer than the flood window
            catching_up.write(b"\0" * (SECOND // 10))
            time.sleep(0.1)
        sender.join(10)
        assert flooder.cut_reason == "flood"
        assert catching_up.cut_reason is None
    finally:
        stop.set()
        flooder.abort()
        catching_up.abort()
