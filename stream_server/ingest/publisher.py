"""One performer's publishing session: its decoder process and the thread feeding the bus.

A session takes the performer's bytes (one long Icecast body, or browser chunks one
request at a time), decodes them with one ffmpeg to PCM and writes that into the
room's bus input. A decoder that stops on a bad packet after it has decoded audio is
started again at the next chunk (MP3, ADTS; for Ogg: at the next page, after the chain's
header pages), up to ``MAX_RESTARTS`` times a minute; Ogg streams are repaired on the way in
(``ogg_pages``) and the songs their chains name are handed to ``on_song``. Every recovery
is counted in ``livestage_ingest_recoveries{kind}`` and logged once per session. A session
ends in one of three ways:

* cleanly, when the input ends (``finish``);
* ``DecoderFailed``: the bytes are not the codec the Content-Type named (nothing
  decodes from them, or the decoder keeps stopping on them);
* ``PublisherCut``: this server ended it, with a reason (``flood``, ``revoked``, …).

None of these touches any other session or room.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

from stream_server.ingest.ogg_pages import OggRepair
from stream_server.ingest.song_titles import SongTitle
from stream_server.ops.metrics import INGEST_BYTES, INGEST_RECOVERIES
from stream_server.pipeline.bus import PublisherInput
from stream_server.pipeline.processes import ManagedProcess, decoder_argv

log = logging.getLogger(__name__)

#: Content-Type (without parameters) → ffmpeg demuxer.  Icecast clients must name their codec.
CONTENT_TYPES: dict[str, str] = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/aac": "aac",
    "audio/aacp": "aac",
    "audio/x-aac": "aac",
    "audio/ogg": "ogg",
    "application/ogg": "ogg",
    "audio/opus": "ogg",
    "audio/webm": "matroska",
    "video/webm": "matroska",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
}

#: Without decoded audio for this long while bytes keep coming, the stream is not its codec.
DECODE_GRACE_SECONDS = 5.0
#: … and at least this many bytes arrived meanwhile (a slow start is not a wrong codec).
DECODE_GRACE_BYTES = 32 * 1024
#: A publisher that has delivered this much more audio than wall-clock time allows, for the
#: whole flood window, is flooding (its bus input holds 5 s; real tools run at most 1-2 s ahead).
FLOOD_AHEAD_SECONDS = 4.0

#: A decoder that stopped on bad input is started again at most this often per minute.
MAX_RESTARTS = 10
#: Formats a fresh decoder can pick up mid-stream: MP3 and ADTS frames carry their own sync,
#: Ogg gets the chain's header pages first. WebM, FLAC and WAV need their file header.
RESTARTABLE_FORMATS = frozenset({"mp3", "aac", "ogg"})

#: Why this server ended a session, as told to the publisher.
CUT_MESSAGES: dict[str, str] = {
    "flood": "cut off: sending far faster than real time for too long",
    "stall": "closed: no audio arrived for too long",
    "revoked": "cut off: this key was revoked",
    "rotated": "cut off: the room's stream key was rotated",
    "replaced": "replaced by a newer connection with the same key",
    "room_ended": "the room's show ended",
}


def input_format(content_type: str | None) -> str | None:
    """The ffmpeg input format for a Content-Type, or None when we do not take it."""
    if not content_type:
        return None
    return CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())


class DecoderFailed(Exception):
    """The publisher's audio could not be decoded as its Content-Type says."""


class PublisherCut(Exception):
    """This server ended the session; ``reason`` is a key of ``CUT_MESSAGES``."""

    def __init__(self, reason: str) -> None:
        super().__init__(CUT_MESSAGES.get(reason, reason))
        self.reason = reason


class PublisherSession:
    """Decodes one publisher's stream to PCM and writes it into its bus input."""

    def __init__(self, ffmpeg: str, fmt: str, sample_rate: int, bus_input: PublisherInput,
                 label: str, *, flood_seconds: float = 30.0,
                 flood_ahead: float = FLOOD_AHEAD_SECONDS,
                 on_song: Callable[[SongTitle], object] = lambda song: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.fmt = fmt
        self.label = label
        self.bytes_in = 0
        self.pcm_bytes = 0
        self.cut_reason: str | None = None
        self._clock = clock
        self.last_activity = clock()
        self._input = bus_input
        self._flood_seconds = flood_seconds
        self._flood_ahead = flood_ahead
        self._ahead_since: float | None = None
        self._started = self.last_activity
        self._pcm_rate = sample_rate * 4  # bytes per second of s16le stereo
        self._progress = (self.last_activity, 0, 0)  # (when, pcm bytes, bytes in) at last progress
        self._lock = threading.Lock()
        self._argv = decoder_argv(ffmpeg, fmt, sample_rate)
        self._on_song = on_song
        self._ogg = OggRepair() if fmt == "ogg" else None
        self._repairs_seen = (0, 0)  # (empty packets, resyncs) already counted
        self._restarts: deque[float] = deque()
        self.recoveries: dict[str, int] = {}
        self._proc, self._reader = self._start_decoder()

    def _start_decoder(self) -> tuple[ManagedProcess, threading.Thread]:
        proc = ManagedProcess(f"decoder[{self.label}]", self._argv, stdout=True)
        reader = threading.Thread(target=self._pump_pcm, args=(proc,), name=f"pcm[{self.label}]",
                                  daemon=True)
        reader.start()
        return proc, reader

    @property
    def input(self) -> PublisherInput:
        """The bus input this session feeds."""
        return self._input

    def _pump_pcm(self, proc: ManagedProcess) -> None:
        """Move one decoder's PCM into the bus input until it ends (the input stays open for a restart)."""
        fd = proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.pcm_bytes += len(chunk)
            if not self._input.write(chunk):
                if self.cut_reason is None:
                    self.cut("room_ended")  # the bus stopped taking audio: the show is over
                break
            if self._flooding():
                log.warning("publisher %s: sending far faster than real time; cutting it off",
                            self.label)
                self.cut("flood")
                break

    def _flooding(self) -> bool:
        """Whether the publisher has stayed ``flood_ahead`` seconds ahead of real time for the flood window.

        Ahead means: more audio delivered since the session began than wall-clock time
        has passed. A real-time source never gets there (it cannot send what it has not
        recorded yet, so a backlog after a network gap does not count); only a sender
        far faster than real time does, held back by back-pressure.
        """
        if self._flood_seconds <= 0:
            return False
        now = self._clock()
        ahead = self.pcm_bytes / self._pcm_rate - (now - self._started)
        if ahead < self._flood_ahead:
            self._ahead_since = None
            return False
        if self._ahead_since is None:
            self._ahead_since = now
        return now - self._ahead_since >= self._flood_seconds

    def write(self, chunk: bytes) -> None:
        """Send bytes to the decoder; raise DecoderFailed on bad audio, PublisherCut once cut."""
        if self.cut_reason:
            raise PublisherCut(self.cut_reason)
        if not chunk:
            return
        now = self._clock()
        self.bytes_in += len(chunk)
        self.last_activity = now
        INGEST_BYTES.inc(len(chunk))
        self._check_decoding(now)
        data = self._repair(chunk)
        try:
            self._proc.stdin.write(data)
        except (OSError, ValueError) as exc:
            if self.cut_reason:
                raise PublisherCut(self.cut_reason) from exc
            if not self._restart_decoder("decoder_restart"):
                raise DecoderFailed(self._failure_reason()) from exc

    def _repair(self, chunk: bytes) -> bytes:
        """An Ogg stream's whole, repaired pages (other codecs pass as they are); songs handed on."""
        if self._ogg is None:
            return chunk
        data = self._ogg.feed(chunk)
        for song in self._ogg.songs:
            try:
                self._on_song(song)
            except Exception:
                log.exception("publisher %s: the song title could not be taken", self.label)
        self._ogg.songs.clear()
        empty, resyncs = self._ogg.empty_packets, self._ogg.resyncs
        seen_empty, seen_resyncs = self._repairs_seen
        self._count("empty_ogg_packet", empty - seen_empty,
                    "dropping zero-length Ogg packets (written at each title change by some tools)")
        self._count("ogg_resync", resyncs - seen_resyncs, "skipping bytes that are not Ogg pages")
        self._repairs_seen = (empty, resyncs)
        return data

    def _count(self, kind: str, times: int, what: str) -> None:
        """Count a recovery; the first of each kind in a session is logged."""
        if times <= 0:
            return
        INGEST_RECOVERIES.labels(kind=kind).inc(times)
        if kind not in self.recoveries:
            log.info("publisher %s: %s (counted in livestage_ingest_recoveries)", self.label, what)
        self.recoveries[kind] = self.recoveries.get(kind, 0) + times

    def _restart_decoder(self, kind: str) -> bool:
        """Start a fresh decoder after one stopped on bad input; False when it must not (see class doc)."""
        now = self._clock()
        while self._restarts and now - self._restarts[0] > 60.0:
            self._restarts.popleft()
        if (self.fmt not in RESTARTABLE_FORMATS or self.pcm_bytes == 0
                or len(self._restarts) >= MAX_RESTARTS or self.cut_reason):
            return False
        self._restarts.append(now)
        old = self._proc
        reason = old.stderr_text().splitlines()[-1:] or ["it stopped"]
        old.kill()
        self._reader.join(timeout=5.0)
        self._proc, self._reader = self._start_decoder()
        if self.cut_reason:  # cut off meanwhile (``cut`` killed the old decoder): no new one
            self._proc.kill()
            return False
        self._progress = (now, self.pcm_bytes, self.bytes_in)
        self._count(kind, 1, f"the decoder stopped ({reason[0]}); decoding again from the next "
                    "page or frame")
        if self._ogg is not None:
            try:
                self._proc.stdin.write(self._ogg.header_pages())
            except (OSError, ValueError):
                return False
        return True

    def feed(self, chunks: Iterable[bytes]) -> None:
        """Send the publisher's bytes to the decoder until they end (see ``write``); then ``finish``."""
        for chunk in chunks:
            self.write(chunk)

    def _check_decoding(self, now: float) -> None:
        when, pcm_then, bytes_then = self._progress
        if self.pcm_bytes > pcm_then:
            self._progress = (now, self.pcm_bytes, self.bytes_in)
        elif now - when > DECODE_GRACE_SECONDS and self.bytes_in - bytes_then > DECODE_GRACE_BYTES:
            if self._restart_decoder("decoder_restart"):  # it decoded before: stuck on bad input
                return
            self.cut_reason = self.cut_reason or "decode"
            self._input.drop()
            self._proc.kill()
            what = "from the stream" if pcm_then == 0 else "any more"
            raise DecoderFailed(
                f"could not decode the stream as {self.fmt}: no audio {what} "
                f"in {self.bytes_in - bytes_then} bytes"
            )

    def finish(self) -> None:
        """End of input: let the decoder flush, then wait for the PCM to be queued."""
        code = self._proc.stop(grace=5.0)
        self._reader.join(timeout=5.0)
        self._input.close()
        if self.cut_reason and self.cut_reason != "decode":
            raise PublisherCut(self.cut_reason)
        if code != 0 and self.pcm_bytes == 0:
            raise DecoderFailed(self._failure_reason())

    def abort(self) -> None:
        """Drop the connection's decoder and its buffered audio now."""
        self._input.drop()
        self._proc.kill()

    def cut(self, reason: str, *, keep_audio: bool = False) -> None:
        """End the session from outside (flood, revoke, rotation, …): audio stops now.

        With ``keep_audio`` (a stalled source) what was sent still plays out; ``finish``
        then reports the reason.
        """
        with self._lock:
            if self.cut_reason:
                return
            self.cut_reason = reason
        if not keep_audio:
            self.abort()

    def _failure_reason(self) -> str:
        self._proc.stop(grace=1.0)
        detail = self._proc.stderr_text().splitlines()
        last = detail[-1] if detail else "the decoder stopped"
        return f"could not decode the stream as {self.fmt}: {last}"
