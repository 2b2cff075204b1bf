"""Live captions: word error rate, CPU per captioned room, and delay from speech to cue available.

Test set: the eight sentences of ``tests.support.speech.SENTENCES`` read by espeak-ng
(Debian's, US English voice, 140 words a minute), a second of silence before each.

- **Word error rate**: the set through the server's own path to the recogniser (48 kHz
  stereo program → ``to_recognizer_pcm`` → pocketsphinx with the English model its wheel
  ships), all sentences against all words heard, computed by jiwer.
- **CPU per captioned room**: a real room (``RoomStream``: bus, loudness, encoder,
  packager on a local store) with captions on, fed the set in real time; CPU seconds of
  its recogniser process (``/proc/<pid>/stat``) plus the captioner thread's own CPU time
  (``time.thread_time``) once the model is loaded, divided by the wall time the room ran
  from then (the set, then 3 s of room tone). CPU time, not wall
  clock, so other load on the machine matters less. The peer is the same room's
  encoder (ffmpeg, both renditions) over the same time: what the room costs anyway.
- **Caption delay**: per cue, from the air time at which its words start (the cue's start,
  on the audio's PROGRAM-DATE-TIME) to the wall time its WebVTT segment was published
  (what a player can fetch). A player that plays three segments behind the live edge
  (hls.js's default, the listener page's setting) shows a cue in time when this delay is
  under about three segment durations plus one.
- **Audio untouched**: the 20 ms frames the room's bus had to skip during the run (it
  skips only when its clock thread is held up for over a second).
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import time
from pathlib import Path

import jiwer
import m3u8
import numpy as np
import webvtt

from bench.percentile import nearest_rank
from bench.results import BenchOptions, Result
from stream_server.hls.names import replay_subtitles_name
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.pipeline.captions.captioner import to_recognizer_pcm
from stream_server.pipeline.captions.recognizer import SphinxRecognizer
from stream_server.pipeline.room_stream import RoomStream
from stream_server.stores.local import LocalSegmentStore
from tests.support.speech import SENTENCES, speech_pcm

NAME = "captions"
ROOM = "bench-captions"
SAMPLE_RATE = 48000
#: the bus's chunk: five 20 ms frames per clock tick
CHUNK = int(SAMPLE_RATE * 0.1) * 4


class TimedStore(LocalSegmentStore):
    """The local store, noting when each caption file was published."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.published_at: dict[str, float] = {}

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        super().publish_playlist(room_id, name, text)
        self.published_at.setdefault(name, time.time())


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def word_error_rate(pcm: bytes) -> tuple[float, str]:
    """(WER, words heard) of the test set through the server's resampler and pocketsphinx."""
    recognizer = SphinxRecognizer()
    carry = np.zeros(0, dtype=np.float32)
    heard = []
    for i in range(0, len(pcm), CHUNK):
        mono, carry = to_recognizer_pcm(pcm[i : i + CHUNK], SAMPLE_RATE, carry)
        heard += recognizer.feed(mono)
    heard += recognizer.flush()
    text = " ".join(w.text for w in heard)
    return float(jiwer.wer(" ".join(SENTENCES), text)), text


def live_room(pcm: bytes, folder: Path) -> tuple[float, float, float, list[float], int]:
    """A captioned room fed ``pcm`` in real time: wall s, its captions' CPU s, its encoder's CPU s,
    caption delays, and audio frames the bus had to skip."""
    settings = Settings(data_dir=folder)
    store = TimedStore(settings.hls_dir)
    packager = Packager(ROOM, store, ShowLog(settings.work_dir / ROOM / "log.jsonl"),
                        target_duration=settings.segment_seconds, window_size=settings.window_segments,
                        renditions_kbps=settings.renditions_kbps)
    stream = RoomStream(ROOM, "bench", settings, packager, settings.work_dir / ROOM, captions=True)
    assert stream.captioner is not None
    stream.start()
    stream.captioner.ready.wait(30)  # the model loaded: its start-up is not a running cost
    pid = stream.captioner.recognizer_pid
    if pid is None:
        raise RuntimeError("the recogniser process did not start")
    started, cpu_before = time.monotonic(), cpu_seconds(pid) + stream.captioner.cpu_seconds
    encoder_before = cpu_seconds(stream.encoder.pid) if stream.encoder.pid else 0.0
    inp = stream.add_publisher("bench")
    feeder = threading.Thread(target=lambda: [inp.write(pcm[i : i + CHUNK], timeout=30)
                                              for i in range(0, len(pcm), CHUNK)], daemon=True)
    feeder.start()
    feeder.join(len(pcm) / (SAMPLE_RATE * 4) + 30)
    inp.close()
    time.sleep(3.0)  # the last sentence's words and segment
    recogniser_cpu = cpu_seconds(pid) + stream.captioner.cpu_seconds - cpu_before
    encoder_cpu = (cpu_seconds(stream.encoder.pid) if stream.encoder.pid else 0.0) - encoder_before
    wall = time.monotonic() - started
    stream.stop(end_show=True)
    subtitles = m3u8.loads((settings.hls_dir / ROOM / replay_subtitles_name("bench")).read_text())
    delays = []
    for seg in subtitles.segments:
        base = seg.program_date_time.timestamp()
        text = (settings.hls_dir / ROOM / seg.uri).read_text()
        for cue in webvtt.from_buffer(io.StringIO(text)):
            delays.append(store.published_at[seg.uri] - (base + cue.start_in_seconds))
    return wall, recogniser_cpu, encoder_cpu, delays, stream.bus.late_frames


def run(options: BenchOptions) -> list[Result]:
    """Measure WER, CPU per captioned room and caption delay on the espeak-ng test set."""
    with tempfile.TemporaryDirectory(prefix="bench-captions-") as tmp:
        folder = Path(tmp)
        pcm, _ = speech_pcm(SENTENCES, folder, sample_rate=SAMPLE_RATE)
        wer, _ = word_error_rate(pcm)
        wall, cpu, encoder_cpu, delays, late = live_room(pcm, folder / "room")
    if not delays:
        raise RuntimeError("no caption was published")
    return [
        Result(NAME, f"word error rate, espeak-ng test set ({len(SENTENCES)} sentences)", 100 * wer, "%"),
        Result(NAME, "CPU per captioned room (recogniser process + captioner thread)",
               100 * cpu / wall, "% core", 100 * encoder_cpu / wall, "the room's encoder, same run"),
        Result(NAME, f"caption delay p50, speech start → cue published ({len(delays)} cues)",
               1000 * nearest_rank(sorted(delays), 50), "ms"),
        Result(NAME, "caption delay max", 1000 * max(delays), "ms"),
        Result(NAME, "audio frames the bus skipped while captioning (20 ms each)", late, ""),
    ]
