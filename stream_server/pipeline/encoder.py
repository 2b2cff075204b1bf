"""The room encoder: one ffmpeg for the whole show, restarted only if it crashes.

The bus writes PCM into it; ffmpeg encodes AAC-LC continuously, once per
rendition (no priming gap at segment joins), and cuts MPEG-TS segments, each
rendition listing its finished ones as CSV lines on its own pipe. When every
rendition has finished segment *n*, the set goes to ``on_segment`` with its
duration and air time.
"""

from __future__ import annotations

import collections
import logging
import os
import secrets
import select
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from stream_server.hls.names import rendition_name
from stream_server.ops import metrics
from stream_server.ops.config import Settings
from stream_server.pipeline.bus import CHANNELS, SAMPLE_BYTES
from stream_server.pipeline.processes import ManagedProcess, encoder_argv

log = logging.getLogger(__name__)

#: How far (seconds of audio) the encoder may fall behind before it counts as hung and is
#: restarted. Writes never block: the bus clock drives every room from one thread.
MAX_BACKLOG_SECONDS = 5.0

#: (finished file per rendition name, duration in seconds, air time of its first sample)
SegmentCallback = Callable[[Mapping[str, Path], float, float], None]


class RoomEncoder:
    """Supervises the encoder process of one room."""

    def __init__(self, room_id: str, settings: Settings, work_dir: Path,
                 on_segment: SegmentCallback, on_restart: Callable[[], None], *,
                 latency: float = 0.0) -> None:
        self.room_id = room_id
        #: seconds between audio leaving the bus and reaching the encoder (air time is shifted back)
        self.latency = latency
        self.renditions = {rendition_name(kbps): kbps for kbps in settings.renditions_kbps}
        self._settings = settings
        self._work_dir = work_dir
        self._on_segment = on_segment
        self._on_restart = on_restart
        self._proc: ManagedProcess | None = None
        self._readers: list[threading.Thread] = []
        self._pending: dict[int, dict[str, tuple[Path, float, float]]] = {}
        self._publish_lock = threading.Lock()
        self._prefix = ""
        self._epoch: float | None = None
        self._stopping = False
        #: held while the process is replaced or stopped (never by the clock thread)
        self._lifecycle = threading.Lock()
        self._restarting = False
        self._last_start = 0.0
        self._write_failed = False
        self._backlog = bytearray()
        self._max_backlog = int(MAX_BACKLOG_SECONDS * settings.sample_rate) * CHANNELS * SAMPLE_BYTES
        self.restarts = 0
        #: when the last restarts happened (monotonic), for health: one now and then is fine
        self.restarted_at: collections.deque[float] = collections.deque(maxlen=8)
        self.segments = 0
        work_dir.mkdir(parents=True, exist_ok=True)
        for leftover in work_dir.glob("*.ts"):  # partial segments of a process that died
            leftover.unlink(missing_ok=True)

    @property
    def pid(self) -> int | None:
        """The running encoder's process id."""
        return self._proc.pid if self._proc else None

    def start(self) -> None:
        """Start a fresh encoder process."""
        with self._lifecycle:
            self._start()

    def _start(self) -> None:
        pipes = {name: os.pipe() for name in self.renditions}
        self._prefix = secrets.token_hex(4)
        argv = encoder_argv(
            self._settings.ffmpeg,
            sample_rate=self._settings.sample_rate,
            segment_seconds=self._settings.segment_seconds,
            outputs=[(kbps, pipes[name][1], str(self._work_dir / f"{self._prefix}-{name}-%06d.ts"))
                     for name, kbps in self.renditions.items()],
            aac_coder=self._settings.aac_coder,
        )
        try:
            proc = ManagedProcess(f"encoder[{self.room_id}]", argv,
                                  pass_fds=tuple(w for _, w in pipes.values()))
        except OSError:
            for read_fd, _ in pipes.values():
                os.close(read_fd)
            raise
        finally:
            for _, write_fd in pipes.values():
                os.close(write_fd)
        os.set_blocking(proc.stdin.fileno(), False)
        # the clock thread sees the new process only once everything it needs is ready
        self._backlog.clear()
        self._epoch = None
        self._write_failed = False
        self._last_start = time.monotonic()
        with self._publish_lock:
            self._pending.clear()
            self._proc = proc
        self._readers = [
            threading.Thread(target=self._read_segment_list, args=(name, read_fd, proc),
                             name=f"segments[{self.room_id}/{name}]", daemon=True)
            for name, (read_fd, _) in pipes.items()
        ]
        for reader in self._readers:
            reader.start()

    def write(self, pcm: bytes) -> None:
        """Feed audio without ever blocking: the clock thread that calls this drives every room.

        A dead encoder is replaced on a thread of its own, at most once a second. Audio is
        dropped meanwhile, and the playlists mark the gap as a discontinuity.
        """
        proc = self._proc
        if proc is None or proc.poll() is not None:
            self._request_restart()
            return
        if self._epoch is None:
            self._epoch = time.time() - self.latency
        self._backlog += pcm
        try:
            written = os.write(proc.stdin.fileno(), self._backlog)
        except BlockingIOError:
            written = 0  # the pipe is full: the encoder is behind for now
        except (BrokenPipeError, OSError, ValueError):
            self._backlog.clear()
            if not self._write_failed:  # once per process; the restart logs its stderr
                self._write_failed = True
                log.warning("encoder of room %s stopped taking audio", self.room_id)
            return
        del self._backlog[:written]
        if len(self._backlog) > self._max_backlog:
            log.error("encoder of room %s is over %.0f s behind; restarting it", self.room_id,
                      MAX_BACKLOG_SECONDS)
            self._backlog.clear()
            proc.kill()  # the next write starts a new one, marked as a discontinuity

    def _drain(self, proc: ManagedProcess, timeout: float) -> None:
        """Write what is still queued for ``proc`` (at the end of a show), for at most ``timeout``."""
        deadline = time.monotonic() + timeout
        fd = proc.stdin.fileno()
        while self._backlog and proc.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.warning("encoder of room %s did not take its last %d bytes", self.room_id,
                            len(self._backlog))
                return
            select.select([], [fd], [], min(remaining, 0.5))
            try:
                del self._backlog[: os.write(fd, self._backlog)]
            except BlockingIOError:
                continue
            except (OSError, ValueError):
                return

    def _request_restart(self) -> None:
        if self._stopping or self._restarting or time.monotonic() - self._last_start < 1.0:
            return
        self._restarting = True
        threading.Thread(target=self._restart, name=f"encoder-restart[{self.room_id}]",
                         daemon=True).start()

    def _restart(self) -> None:
        """Replace a dead encoder (on its own thread: joining the old one's readers takes time)."""
        try:
            with self._lifecycle:
                if self._stopping:
                    return
                old = self._proc
                if old is not None:
                    log.error("encoder of room %s died (exit %s); restarting: %s", self.room_id,
                              old.poll(), old.stderr_text())
                    for reader in self._readers:
                        reader.join(timeout=2)
                for partial in self._work_dir.glob(f"{self._prefix}-*.ts"):
                    partial.unlink(missing_ok=True)
                self.restarts += 1
                self.restarted_at.append(time.monotonic())
                metrics.ENCODER_RESTARTS.inc()
                self._on_restart()
                self._start()
        except OSError as exc:  # no process: try again in a second
            self._last_start = time.monotonic()
            log.error("encoder of room %s could not restart: %s", self.room_id, exc)
        except Exception:  # e.g. the discontinuity could not be marked: the same, with its trace
            self._last_start = time.monotonic()
            log.exception("encoder of room %s could not restart", self.room_id)
        finally:
            self._restarting = False

    def _read_segment_list(self, rendition: str, fd: int, proc: ManagedProcess) -> None:
        epoch_wait = time.monotonic() + 30
        with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as lines:
            for line in lines:
                parts = line.strip().rsplit(",", 2)
                try:
                    name, start, end = parts[0], float(parts[1]), float(parts[2])
                    index = int(Path(name).stem.rsplit("-", 1)[1])
                except (IndexError, ValueError):
                    log.warning("room %s: ignoring segment list line %r", self.room_id, line)
                    continue
                while self._epoch is None and time.monotonic() < epoch_wait:
                    time.sleep(0.01)
                self._finished(index, rendition, self._work_dir / Path(name).name, start, end, proc)

    def _finished(self, index: int, rendition: str, path: Path, start: float, end: float,
                  proc: ManagedProcess) -> None:
        """Note one rendition's finished segment; publish the set once every rendition has it."""
        with self._publish_lock:  # also keeps sets in order: n is handed over before n + 1
            if proc is not self._proc:
                path.unlink(missing_ok=True)  # a late line of a process already replaced
                return
            done = self._pending.setdefault(index, {})
            done[rendition] = (path, start, end)
            if len(done) < len(self.renditions):
                return
            del self._pending[index]
            first = done[next(iter(self.renditions))]
            air_time = (self._epoch or time.time()) + first[1]
            try:
                self._on_segment({r: p for r, (p, _, _) in done.items()}, first[2] - first[1], air_time)
                self.segments += 1
            except Exception:
                log.exception("room %s: publishing segment %d failed", self.room_id, index)
                for p, _, _ in done.values():
                    p.unlink(missing_ok=True)

    def stop(self, timeout: float = 10.0) -> None:
        """Close the input: ffmpeg finishes the last segment, which is published before this returns."""
        self._stopping = True
        with self._lifecycle:  # a restart under way finishes first; none starts after this
            proc = self._proc
            if proc is None:
                return
            self._drain(proc, timeout)
            proc.stop(grace=timeout)
            for reader in self._readers:
                reader.join(timeout=timeout)
