"""A decoder that stops on a new chained stream is started again; the performer stays on air.

ffmpeg 5.1 stops when a chained Ogg stream changes codec ("failed to create or replace
stream"): here Opus, then Vorbis, then Opus again, one tone each, made by ffmpeg and fed as a
performer's body arrives. The session decodes every part, counts each restart and logs once.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest

from stream_server.ingest.publisher import DecoderFailed, PublisherSession
from stream_server.ops.metrics import REGISTRY
from stream_server.pipeline.bus import PublisherInput, frame_bytes

SR = 48000
PARTS = [("libopus", 440), ("libvorbis", 660), ("libopus", 880), ("libvorbis", 1100)]


def ogg(path: Path, codec: str, freq: int, seconds: float = 2.0) -> bytes:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency={freq}:sample_rate=48000:duration={seconds}", "-c:a", codec,
                    "-f", "ogg", str(path)], check=True)
    return path.read_bytes()


def restarts() -> float:
    return REGISTRY.get_sample_value("livestage_ingest_recoveries_total", {"kind": "decoder_restart"}) or 0.0


def paced(body: bytes, seconds: float, pieces: int = 80) -> Iterator[bytes]:
    """``body`` in pieces over ``seconds``, as a live performer's connection delivers it."""
    size = -(-len(body) // pieces)
    for i in range(0, len(body), size):
        yield body[i:i + size]
        time.sleep(seconds / pieces)


def run_session(chunks: Iterable[bytes]) -> tuple[PublisherSession, bytes]:
    """Feed ``chunks`` to a real-ffmpeg session; the PCM (mono) its bus input received."""
    inp = PublisherInput("t", frame_bytes(SR))
    frames: list[bytes] = []
    done = threading.Event()

    def drain() -> None:
        while not (done.is_set() and inp.finished):
            frame = inp.take_frame()
            if frame is None:
                done.wait(0.005)
            else:
                frames.append(frame)

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    session = PublisherSession("ffmpeg", "ogg", SR, inp, "recovery", flood_seconds=0)
    try:
        session.feed(chunks)
        session.finish()
    finally:
        done.set()
        drainer.join(20)
    stereo = np.frombuffer(b"".join(frames), dtype=np.int16).reshape(-1, 2)
    return session, stereo.mean(axis=1).astype(np.int16).tobytes()


def strongest(pcm: bytes) -> float:
    x = np.frombuffer(pcm, dtype=np.int16).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / SR)[int(np.argmax(spectrum))])


def test_codec_changes_between_chained_streams_restart_the_decoder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"".join(ogg(tmp_path / f"{i}.ogg", codec, freq) for i, (codec, freq) in enumerate(PARTS))
    before = restarts()
    caplog.set_level(logging.INFO, logger="stream_server.ingest.publisher")
    session, pcm = run_session(paced(body, seconds=len(PARTS)))  # twice as fast as real time
    assert session.recoveries.get("decoder_restart", 0) == len(PARTS) - 1
    assert restarts() - before == len(PARTS) - 1
    seconds = len(pcm) / 2 / SR
    # every part heard; each restart loses what the stopped decoder had read (under half a second)
    assert seconds > 2.0 * len(PARTS) - 0.5 * (len(PARTS) - 1)
    quarter = len(pcm) // 2 // len(PARTS) * 2
    heard = [strongest(pcm[i * quarter + quarter // 4:(i + 1) * quarter - quarter // 4])
             for i in range(len(PARTS))]
    assert [round(f) for f in heard] == pytest.approx([f for _, f in PARTS], abs=5)
    logged = [r for r in caplog.records if "decoding again" in r.getMessage()]
    assert len(logged) == 1  # logged once per session, counted every time


def test_a_stream_that_never_decodes_still_fails(tmp_path: Path) -> None:
    with pytest.raises(DecoderFailed):
        run_session(paced(b"this is not an ogg stream at all " * 4000, seconds=1))
