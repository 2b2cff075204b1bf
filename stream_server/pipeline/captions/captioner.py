"""A room's captioner: taps the program on the clock thread, recognises it away from that thread.

The tap only appends a reference to the PCM to a queue: the clock thread that drives
every room's audio never waits on speech recognition. If the recogniser falls more
than ``max_lag`` seconds behind the program (a busy machine), the queued audio is
dropped, the captions show a notice, and recognition picks up at the live program:
captions are given up, never audio.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import numpy as np

from stream_server.hls.webvtt import Cue
from stream_server.ops import metrics
from stream_server.pipeline.bus import CHANNELS, SAMPLE_BYTES
from stream_server.pipeline.captions.process import ProcessRecognizer
from stream_server.pipeline.captions.recognizer import SAMPLE_RATE, Recognizer, Word

log = logging.getLogger(__name__)

#: Seconds of program waiting for the recogniser beyond which it is dropped.
MAX_LAG_SECONDS = 6.0
#: A cue holds at most this many words and lasts at most this long (two short lines).
CUE_WORDS = 8
CUE_SECONDS = 3.5
#: A pause this long between words starts a new cue.
CUE_GAP_SECONDS = 0.7
#: A cue stays up this long after its last word (unless the next one starts sooner).
CUE_LINGER_SECONDS = 1.0
NOTICE = "[captions paused: the server is behind; they resume shortly]"
#: A chunk whose air time is this far from where the previous one ended starts a new timeline.
RESYNC_SECONDS = 0.25


class CueSink(Protocol):
    """Where cues go: ``hls``'s ``CaptionTrack``."""

    def add_cues(self, cues: list[Cue], heard_until: float) -> None:
        """New final cues, and the air time up to which every cue is now known."""
        ...


def words_to_cues(words: list[Word], offset: float) -> list[Cue]:
    """Group words (stream seconds) into cues (air time = stream seconds + ``offset``)."""
    groups: list[list[Word]] = []
    for word in words:
        last = groups[-1] if groups else None
        if (last is None or len(last) >= CUE_WORDS or word.end - last[0].start > CUE_SECONDS
                or word.start - last[-1].end > CUE_GAP_SECONDS):
            groups.append([word])
        else:
            last.append(word)
    cues = []
    for i, group in enumerate(groups):
        end = group[-1].end + CUE_LINGER_SECONDS
        if i + 1 < len(groups):
            end = min(end, max(group[-1].end, groups[i + 1][0].start))
        cues.append(Cue(group[0].start + offset, end + offset, " ".join(w.text for w in group)))
    return cues


def to_recognizer_pcm(pcm: bytes, sample_rate: int, carry: np.ndarray) -> tuple[bytes, np.ndarray]:
    """s16le stereo at ``sample_rate`` → s16le mono at 16 kHz; ``carry`` is the input left over."""
    stereo = np.frombuffer(pcm, dtype=np.int16).reshape(-1, CHANNELS).astype(np.float32)
    mono = np.concatenate([carry, stereo.mean(axis=1)])
    step = sample_rate / SAMPLE_RATE
    taps = max(1, round(step))
    count = int((len(mono) - taps) // step) + 1 if len(mono) >= taps else 0
    if count <= 0:
        return b"", mono
    # a moving average over one output period: a crude but cheap anti-alias filter for speech
    smooth = np.convolve(mono, np.ones(taps, dtype=np.float32) / taps, mode="valid")
    picks = np.floor(np.arange(count) * step).astype(np.int64)
    out = np.clip(smooth[picks], -32768, 32767).astype(np.int16).tobytes()
    return out, mono[int(np.floor(count * step)):]


class RoomCaptioner:
    """Captions one room's program: a queue filled by the clock thread, a recogniser thread."""

    def __init__(self, room_id: str, sample_rate: int, sink: CueSink, *, latency: float = 0.0,
                 max_lag: float = MAX_LAG_SECONDS,
                 recognizer: Callable[[], Recognizer] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.room_id = room_id
        self._rate = sample_rate
        self._sink = sink
        self._latency = latency
        self._max_lag = max_lag
        self._make_recognizer = recognizer or (lambda: ProcessRecognizer(f"recognizer[{room_id}]"))
        self._clock = clock
        self._bytes_per_second = sample_rate * CHANNELS * SAMPLE_BYTES
        self._queue: deque[tuple[float, bytes]] = deque()
        self._queued = 0
        self._cond = threading.Condition()
        self._closing = False
        self._next_air: float | None = None
        self._behind = False
        #: recogniser thread only: input left over by the resampler, seconds fed to the recogniser,
        #: and (air time minus stream time, air time where the last chunk ended)
        self._carry = np.zeros(0, dtype=np.float32)
        self._stream_pos = 0.0
        self._timeline: tuple[float, float] | None = None
        self._thread = threading.Thread(target=self._run, name=f"captions[{room_id}]", daemon=True)
        #: seconds of program the recogniser skipped to catch up
        self.dropped_seconds = 0.0
        #: CPU seconds the captioner's thread has used (the recogniser process's are its own)
        self.cpu_seconds = 0.0
        self._recognizer: Recognizer | None = None
        self.ready = threading.Event()

    @property
    def recognizer_pid(self) -> int | None:
        """The recogniser process's id, once it runs (for CPU accounting)."""
        return getattr(self._recognizer, "pid", None)

    def start(self) -> None:
        """Start the recogniser thread (it loads the model; audio queues meanwhile)."""
        self._thread.start()

    def feed(self, pcm: bytes) -> None:
        """Queue program audio just sent to the encoder (called on the clock thread; never waits)."""
        seconds = len(pcm) / self._bytes_per_second
        air = self._clock() - self._latency  # the encoder's rule for a first sample's air time
        if self._next_air is not None and abs(air - self._next_air) < RESYNC_SECONDS:
            air = self._next_air  # keep sample-exact timing while the clock keeps time
        self._next_air = air + seconds
        with self._cond:
            self._queue.append((air, pcm))
            self._queued += len(pcm)
            if self._queued > self._max_lag * self._bytes_per_second:
                self.dropped_seconds += self._queued / self._bytes_per_second
                metrics.CAPTION_AUDIO_DROPPED.inc(self._queued / self._bytes_per_second)
                self._queue.clear()
                self._queued = 0
                self._behind = True
            self._cond.notify()

    def stop(self, timeout: float = 10.0) -> None:
        """Recognise what is queued, hand over the last words, and end the thread."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _take(self) -> tuple[list[tuple[float, bytes]], bool, bool]:
        with self._cond:
            while not self._queue and not self._closing and not self._behind:
                self._cond.wait(1.0)
            chunks = list(self._queue)
            self._queue.clear()
            self._queued = 0
            behind, self._behind = self._behind, False
            return chunks, behind, self._closing

    def _run(self) -> None:
        try:
            recognizer = self._recognizer = self._make_recognizer()
        except Exception:
            log.exception("room %s: the speech recogniser could not start; no captions", self.room_id)
            return
        self.ready.set()
        started = time.thread_time()
        while True:
            chunks, behind, closing = self._take()
            try:
                cues, heard = self._recognise(recognizer, chunks, behind=behind, closing=closing)
            except Exception:  # a bad stretch of audio or a dead process must not end the room's captions
                log.exception("room %s: speech recognition failed; starting it afresh", self.room_id)
                recognizer.close()
                if closing:
                    return
                try:
                    recognizer = self._recognizer = self._make_recognizer()
                except Exception:
                    log.exception("room %s: the speech recogniser could not restart; no captions",
                                  self.room_id)
                    return
                self._timeline = None
                continue
            if heard is not None:
                self._sink.add_cues(cues, heard)
            self.cpu_seconds = time.thread_time() - started
            if closing:
                recognizer.close()
                return

    def _recognise(self, recognizer: Recognizer, chunks: list[tuple[float, bytes]], *, behind: bool,
                   closing: bool) -> tuple[list[Cue], float | None]:
        """Feed queued chunks: the cues made final and the air time every cue is known up to."""
        cues: list[Cue] = []
        if behind:
            log.warning("room %s: captions fell %.0f s behind the program; skipping ahead",
                        self.room_id, self._max_lag)
            if self._timeline is not None:
                cues += words_to_cues(recognizer.flush(), self._timeline[0])
            self._carry = np.zeros(0, dtype=np.float32)
            resumes = chunks[0][0] if chunks else self._clock() - self._latency
            cues.append(Cue(resumes, resumes + 3.0, NOTICE))
        for air, pcm in chunks:
            if self._timeline is None or abs(air - self._timeline[1]) > RESYNC_SECONDS:
                if self._timeline is not None:  # a gap: what is pending belongs to the old timeline
                    cues += words_to_cues(recognizer.flush(), self._timeline[0])
                offset = air - self._stream_pos
            else:
                offset = self._timeline[0]
            self._timeline = (offset, air + len(pcm) / self._bytes_per_second)
            mono, self._carry = to_recognizer_pcm(pcm, self._rate, self._carry)
            self._stream_pos += len(mono) / (2 * SAMPLE_RATE)
            cues += words_to_cues(recognizer.feed(mono), offset)
        if self._timeline is None:
            return cues, None
        offset = self._timeline[0]
        if closing:
            cues += words_to_cues(recognizer.flush(), offset)
        pending = recognizer.pending_since()
        heard = (pending if pending is not None else self._stream_pos - recognizer.lookback) + offset
        return cues, heard
