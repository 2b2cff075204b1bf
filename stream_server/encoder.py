"""The room encoder: one ffmpeg for the whole show, restarted only if it crashes.

The bus writes PCM into it; ffmpeg encodes AAC-LC continuously (no priming gap
at segment joins) and cuts MPEG-TS segments, listing each finished one as a CSV
line on an extra pipe. Each finished segment goes to ``on_segment`` with its
duration and air time.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from stream_server.config import Settings
from stream_server.processes import ManagedProcess, encoder_argv

log = logging.getLogger(__name__)

#: (finished file, duration in seconds, air time of its first sample)
SegmentCallback = Callable[[Path, float, float], None]


class RoomEncoder:
    """Supervises the encoder process of one room."""

    def __init__(self, room_id: str, settings: Settings, work_dir: Path,
                 on_segment: SegmentCallback, on_restart: Callable[[], None]) -> None:
        self.room_id = room_id
        self._settings = settings
        self._work_dir = work_dir
        self._on_segment = on_segment
        self._on_restart = on_restart
        self._proc: ManagedProcess | None = None
        self._reader: threading.Thread | None = None
        self._prefix = ""
        self._epoch: float | None = None
        self._stopping = False
        self._last_start = 0.0
        self._write_failed = False
        self.restarts = 0
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
        read_fd, write_fd = os.pipe()
        self._prefix = secrets.token_hex(4)
        argv = encoder_argv(
            self._settings.ffmpeg,
            sample_rate=self._settings.sample_rate,
            bitrate_kbps=self._settings.bitrate_kbps,
            segment_seconds=self._settings.segment_seconds,
            list_fd=write_fd,
            output_pattern=str(self._work_dir / f"{self._prefix}-%06d.ts"),
        )
        try:
            self._proc = ManagedProcess(f"encoder[{self.room_id}]", argv, pass_fds=(write_fd,))
        except OSError:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        self._epoch = None
        self._write_failed = False
        self._last_start = time.monotonic()
        self._reader = threading.Thread(
            target=self._read_segment_list, args=(read_fd, self._proc),
            name=f"segments[{self.room_id}]", daemon=True,
        )
        self._reader.start()

    def write(self, pcm: bytes) -> None:
        """Feed one frame; a dead encoder is restarted (at most once a second), frames meanwhile dropped."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            if self._stopping or time.monotonic() - self._last_start < 1.0:
                return
            try:
                self._restart()
            except OSError as exc:  # the bus thread must survive; try again in a second
                self._last_start = time.monotonic()
                log.error("encoder of room %s could not restart: %s", self.room_id, exc)
                return
            proc = self._proc
            assert proc is not None
        if self._epoch is None:
            self._epoch = time.time()
        try:
            proc.stdin.write(pcm)
        except (BrokenPipeError, OSError, ValueError):
            if not self._write_failed:  # once per process; the restart logs its stderr
                self._write_failed = True
                log.warning("encoder of room %s stopped taking audio", self.room_id)

    def _restart(self) -> None:
        old = self._proc
        if old is not None:
            log.error("encoder of room %s died (exit %s); restarting: %s", self.room_id,
                      old.poll(), old.stderr_text())
            if self._reader is not None:
                self._reader.join(timeout=2)
        for partial in self._work_dir.glob(f"{self._prefix}-*.ts"):
            partial.unlink(missing_ok=True)
        self.restarts += 1
        self._on_restart()
        self.start()

    def _read_segment_list(self, fd: int, proc: ManagedProcess) -> None:
        epoch_wait = time.monotonic() + 30
        with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as lines:
            for line in lines:
                parts = line.strip().rsplit(",", 2)
                try:
                    name, start, end = parts[0], float(parts[1]), float(parts[2])
                except (IndexError, ValueError):
                    log.warning("room %s: ignoring segment list line %r", self.room_id, line)
                    continue
                while self._epoch is None and time.monotonic() < epoch_wait:
                    time.sleep(0.01)
                air_time = (self._epoch or time.time()) + start
                path = self._work_dir / Path(name).name
                try:
                    self._on_segment(path, end - start, air_time)
                    self.segments += 1
                except Exception:
                    log.exception("room %s: publishing segment %s failed", self.room_id, name)

    def stop(self, timeout: float = 10.0) -> None:
        """Close the input: ffmpeg finishes the last segment, which is published before this returns."""
        self._stopping = True
        proc = self._proc
        if proc is None:
            return
        proc.stop(grace=timeout)
        if self._reader is not None:
            self._reader.join(timeout=timeout)
