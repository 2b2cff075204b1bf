"""The one owner of child processes (ffmpeg): start, watch, stop, and never leak them."""

from __future__ import annotations

import collections
import logging
import subprocess
import threading
import weakref
from collections.abc import Sequence
from typing import IO

log = logging.getLogger(__name__)

_live: weakref.WeakSet[ManagedProcess] = weakref.WeakSet()


class ManagedProcess:
    """A child process whose stderr is kept (last lines) for error messages and logs."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        stdin: bool = True,
        stdout: bool = False,
        pass_fds: Sequence[int] = (),
        redact: Sequence[str] = (),
    ) -> None:
        self.name = name
        self._redact = [r for r in redact if r]
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=tuple(pass_fds),
            bufsize=0,
            start_new_session=True,  # a Ctrl-C meant for the server must not kill encoders mid-segment
        )
        _live.add(self)
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, name=f"{name}-stderr", daemon=True
        )
        self._stderr_thread.start()

    def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            for secret in self._redact:  # stream keys never reach a log
                line = line.replace(secret, "***")
            if line:
                self._stderr_tail.append(line)
                log.debug("%s: %s", self.name, line)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self._proc.pid

    @property
    def stdin(self) -> IO[bytes]:
        """The child's standard input."""
        assert self._proc.stdin is not None
        return self._proc.stdin

    @property
    def stdout(self) -> IO[bytes]:
        """The child's standard output."""
        assert self._proc.stdout is not None
        return self._proc.stdout

    def poll(self) -> int | None:
        """The exit code, or None while it runs."""
        return self._proc.poll()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the exit code (TimeoutExpired after ``timeout``)."""
        return self._proc.wait(timeout)

    def stderr_text(self) -> str:
        """The last lines the child wrote to stderr."""
        self._stderr_thread.join(timeout=0.5)
        return "\n".join(self._stderr_tail)

    def close_stdin(self) -> None:
        """Signal end of input; the child finishes its work and exits."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            try:
                self._proc.stdin.close()
            except OSError:
                pass

    def kill(self) -> None:
        """Kill the child now (a publisher cut off): its pipes break, the exit is reaped."""
        if self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.wait(5.0)
        except subprocess.TimeoutExpired:
            log.error("%s did not die after SIGKILL", self.name)

    def stop(self, grace: float = 5.0) -> int:
        """Close stdin and wait; terminate, then kill, if it does not exit in time."""
        self.close_stdin()
        try:
            return self._proc.wait(grace)
        except subprocess.TimeoutExpired:
            self._proc.terminate()
        try:
            return self._proc.wait(2.0)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return self._proc.wait()


def stop_all() -> None:
    """Kill every child still running (server shutdown)."""
    for proc in list(_live):
        if proc.poll() is None:
            proc.stop(grace=1.0)


def decoder_argv(ffmpeg: str, input_format: str, sample_rate: int) -> list[str]:
    """ffmpeg turning one publisher's stream (any codec) into s16le stereo PCM on stdout."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-probesize", "4096", "-analyzeduration", "0",  # small: a low-bitrate stream starts at once
        "-f", input_format, "-i", "pipe:0",
        "-vn", "-f", "s16le", "-ac", "2", "-ar", str(sample_rate), "pipe:1",
    ]  # fmt: skip


def encoder_argv(
    ffmpeg: str,
    *,
    sample_rate: int,
    segment_seconds: int,
    outputs: Sequence[tuple[int, int, str]],
    aac_coder: str = "fast",
) -> list[str]:
    """One continuous encode per rendition from one PCM input, cut into MPEG-TS segments.

    ``outputs`` holds ``(kbps, list_fd, output_pattern)`` per rendition: each is its own
    AAC-LC encode and segment muxer, listing finished segments as CSV on its ``list_fd``.
    The renditions see the same frames, so every segment muxer cuts at the same times.

    One MPEG-TS muxer runs through all of a rendition's segments
    (``individual_header_trailer 0``), so continuity counters go on from one segment to
    the next on every PID; the segment muxer has it repeat PAT and PMT at each segment's
    start, and the tables are sent there only (a player starts at a segment), which saves
    about 19 kbit/s per listener over ffmpeg's every-100-ms default. The segment muxer lists
    a segment before it closes the file, and without a trailer nothing else flushes it, so
    ``flush_packets`` writes every packet at once: a listed segment is complete on disk.
    """
    argv = [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error",
        "-f", "s16le", "-ar", str(sample_rate), "-ch_layout", "stereo", "-i", "pipe:0",
    ]  # fmt: skip
    for kbps, list_fd, pattern in outputs:
        argv += [
            "-map", "0:a", "-c:a", "aac", "-aac_coder", aac_coder, "-profile:a", "aac_low",
            "-b:a", f"{kbps}k",
            "-f", "segment", "-segment_time", segment_cut(segment_seconds, sample_rate),
            "-segment_format", "mpegts", "-individual_header_trailer", "0",
            "-segment_format_options",
            f"pat_period={TABLES_PERIOD}:sdt_period={TABLES_PERIOD}:flush_packets=1",
            "-segment_list", f"pipe:{list_fd}", "-segment_list_type", "csv",
            pattern,
        ]  # fmt: skip
    return argv


def recognizer_argv(python: str) -> list[str]:
    """The speech recogniser of one captioned room (``stream_server.pipeline.captions.worker``)."""
    return [python, "-m", "stream_server.pipeline.captions.worker"]


#: Samples in one AAC-LC frame: segments can only be cut between frames.
AAC_FRAME_SAMPLES = 1024
#: Seconds between PAT/PMT repeats inside a segment: longer than any segment, so only its start has them.
TABLES_PERIOD = 3600


def segment_cut(segment_seconds: int, sample_rate: int) -> str:
    """``-segment_time`` that keeps every segment under ``segment_seconds``: one AAC frame less.

    ffmpeg cuts at the first frame at or after each multiple of the time, so a segment is at
    most the frames that time spans, rounded up: with one frame taken off, that stays under
    the target duration (at 48 kHz 1.963–1.984 s for 2 s, never the 2.005 s of whole frames past 2).
    """
    return f"{segment_seconds - AAC_FRAME_SAMPLES / sample_rate:.6f}"


def mp3_encoder_argv(ffmpeg: str, sample_rate: int) -> list[str]:
    """PCM on stdin at real-time pace, MP3 on stdout (the caller sends it; no key on the command line)."""
    return [
        ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "s16le", "-ar", str(sample_rate), "-ch_layout", "stereo", "-i", "pipe:0",
        "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3", "pipe:1",
    ]  # fmt: skip
