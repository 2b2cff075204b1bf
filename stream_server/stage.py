"""The stage: every room on air in this process, from first publisher to end of show."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import replace

from room_directory import Room, RoomDirectory, RoomStatus
from stream_server.audio_bus import PublisherInput
from stream_server.config import Settings
from stream_server.leases import RoomLeases, default_node_id
from stream_server.packager import Packager
from stream_server.room_stream import RoomStream
from stream_server.segment_store import LocalSegmentStore, SegmentStore
from stream_server.show_log import ShowLog

log = logging.getLogger(__name__)


class StageUnavailable(Exception):
    """This process does not run encoders (a skill-only or test app)."""


def new_show_id() -> str:
    """A show id: UTC date and time plus randomness, sortable and unique."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


class Stage:
    """Starts a room's pipeline when its first publisher arrives and ends it with the show."""

    def __init__(self, settings: Settings, directory: RoomDirectory, *, run_encoders: bool = True,
                 store: SegmentStore | None = None) -> None:
        self._settings = settings
        self._directory = directory
        self._run = run_encoders
        self._store = store or LocalSegmentStore(settings.hls_dir)
        self._streams: dict[str, RoomStream] = {}
        self._packagers: dict[str, Packager] = {}
        self._lock = threading.RLock()
        self.leases = RoomLeases(directory, settings.node_id or default_node_id(settings.port),
                                 settings.lease_seconds)

    def encoder_count(self) -> int:
        """Rooms with a running encoder in this process."""
        with self._lock:
            return len(self._streams)

    def stream(self, room_id: str) -> RoomStream | None:
        """The running pipeline of a room, if on air here."""
        with self._lock:
            return self._streams.get(room_id)

    def _packager(self, room_id: str) -> Packager:
        packager = self._packagers.get(room_id)
        if packager is None:
            packager = Packager(
                room_id, self._store, ShowLog(self._settings.work_dir / room_id / "segments.jsonl"),
                target_duration=self._settings.segment_seconds,
                window_size=self._settings.window_segments,
            )
            self._packagers[room_id] = packager
        return packager

    def go_live(self, room: Room) -> RoomStream:
        """Put the room on air: continue its show after a restart, or start a new one."""
        if not self._run:
            raise StageUnavailable("this server does not run encoders")
        with self._lock:
            running = self._streams.get(room.id)
            if running is not None:
                return running
            fresh = room.id not in self.leases.held()
            if not self.leases.claim(room.id):
                raise StageUnavailable(f"room {room.id} is on air on another node")
            if fresh:  # another node may have run it meanwhile: start from the shared segment log
                self._packagers.pop(room.id, None)
            resuming = room.status is RoomStatus.LIVE and room.show_id
            show_id = room.show_id if resuming and room.show_id else new_show_id()
            stream = RoomStream(room.id, show_id, self._settings, self._packager(room.id),
                                self._settings.work_dir / room.id)
            try:
                stream.start()
            except OSError as exc:
                log.error("room %s: the encoder could not start: %s", room.id, exc)
                raise StageUnavailable(f"the encoder could not start: {exc}") from exc
            self._streams[room.id] = stream
        if not resuming:
            self._directory.update(
                replace(room, status=RoomStatus.LIVE, show_id=show_id, live_since=time.time())
            )
        log.info("room %s on air (show %s%s)", room.id, show_id, ", resumed" if resuming else "")
        return stream

    def open_publisher(self, room: Room, label: str) -> PublisherInput:
        """A bus input for a new publisher of ``room``, putting the room on air if needed."""
        return self.go_live(room).add_publisher(label)

    def end_show(self, room_id: str) -> Room | None:
        """End the room's show: last segment, EXT-X-ENDLIST, the replay, status ended."""
        with self._lock:
            stream = self._streams.pop(room_id, None)
        if stream is not None:
            stream.stop(end_show=True)
        self.leases.release(room_id)
        room = self._directory.get(room_id)
        if room is None:
            return None
        if stream is None and room.is_live and room.show_id and self._run:
            # live in the directory, but its pipeline is not running here (it failed to
            # resume): its recorded segments still become the replay
            with self._lock:
                self._packager(room_id).end_show(room.show_id)
        if room.status is RoomStatus.LIVE:
            room = self._directory.update(replace(room, status=RoomStatus.ENDED))
        log.info("room %s: show %s ended", room_id, room.show_id)
        return room

    def end_dead_air_shows(self, now: float) -> list[str]:
        """End every show whose room has had no publisher for ``dead_air_seconds`` (monotonic ``now``)."""
        limit = self._settings.dead_air_seconds
        if limit <= 0:
            return []
        with self._lock:
            silent = [room_id for room_id, stream in self._streams.items()
                      if stream.bus.publisher_count == 0 and now - stream.bus.last_audio_at > limit]
        for room_id in silent:
            log.info("room %s: no publisher for %ss, ending the show", room_id, limit)
            self.end_show(room_id)
        return silent

    def watch(self, stop: threading.Event, interval: float = 1.0) -> threading.Thread:
        """Start the thread that ends dead-air shows until ``stop`` is set."""

        def run() -> None:
            while not stop.wait(interval):
                try:
                    self.end_dead_air_shows(time.monotonic())
                    self.leases.tick(self)
                except Exception:
                    log.exception("dead-air check failed")

        thread = threading.Thread(target=run, name="stage-watch", daemon=True)
        thread.start()
        return thread

    def resume_live_rooms(self) -> list[str]:
        """After a restart: put every room the directory still calls live back on air."""
        resumed = []
        for room in self._directory.list_rooms(live_only=True, include_private=True):
            try:
                self.go_live(room)
                resumed.append(room.id)
            except Exception:
                log.exception("room %s could not be resumed", room.id)
        return resumed

    def shutdown(self) -> None:
        """Stop every pipeline, keeping the shows live so a restart continues them."""
        with self._lock:
            streams = list(self._streams.values())
            self._streams.clear()
        for stream in streams:
            stream.stop(end_show=False)
        self.leases.release_all()

    def drop(self, room_id: str) -> None:
        """Stop the room's pipeline here without ending its show (another node holds its lease)."""
        with self._lock:
            stream = self._streams.pop(room_id, None)
            self._packagers.pop(room_id, None)
        if stream is not None:
            stream.stop(end_show=False)
