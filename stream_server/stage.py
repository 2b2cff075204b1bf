"""The stage: every room on air in this process, from first publisher to end of show."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from room_directory import Room, RoomDirectory, RoomStatus, Show
from stream_server.audio_bus import PublisherInput
from stream_server.bus_clock import BusClock
from stream_server.config import Settings
from stream_server.leases import RoomLeases, default_node_id
from stream_server.packager import Packager, replay_name, show_of_playlist
from stream_server.retrying_store import RetryingSegmentStore
from stream_server.room_stream import RoomStream
from stream_server.segment_store import LocalSegmentStore, SegmentStore
from stream_server.show_log import ShowLog

log = logging.getLogger(__name__)


class StageUnavailable(Exception):
    """This process does not run encoders (a skill-only or test app)."""


def new_show_id() -> str:
    """A show id: UTC date and time plus randomness, sortable and unique."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


#: How often a live show's record gets its duration and segment count (seconds).
SHOW_PROGRESS_INTERVAL = 60.0
#: How often the replay retention policy runs (seconds).
RETENTION_INTERVAL = 600.0


class Stage:
    """Starts a room's pipeline when its first publisher arrives and ends it with the show.

    Every show is a ``Show`` record in the room directory from its start: its
    duration and segment count are brought up to date every minute and at its end,
    when ``ended_at`` is set and its replay playlists are published. What other parts
    need: ``replays(room_id)`` (the room's shows, newest first), ``replay_playlist(show)``
    (the replay's master playlist name under ``/hls/<room>/``), ``apply_retention(now)``
    and ``clean_orphans()``.
    """

    def __init__(self, settings: Settings, directory: RoomDirectory, *, run_encoders: bool = True,
                 store: SegmentStore | None = None) -> None:
        self._settings = settings
        self._directory = directory
        self._run = run_encoders
        self._store = store or RetryingSegmentStore(LocalSegmentStore(settings.hls_dir), settings.work_dir)
        self._streams: dict[str, RoomStream] = {}
        self._packagers: dict[str, Packager] = {}
        self._lock = threading.RLock()
        #: one clock thread drives every room's bus (see ``bus_clock``)
        self._bus_clock = BusClock()
        self.leases = RoomLeases(directory, settings.node_id or default_node_id(settings.port),
                                 settings.lease_seconds)
        #: called with (room id, show id) once a show has ended and its record is written
        #: (the app adds the listener figures: ``analytics.save_show_listeners``)
        self.show_ended_hooks: list[Callable[[str, str], object]] = []

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
                renditions_kbps=self._settings.renditions_kbps,
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
                                self._settings.work_dir / room.id, bus_clock=self._bus_clock)
            try:
                stream.start()
            except OSError as exc:
                log.error("room %s: the encoder could not start: %s", room.id, exc)
                raise StageUnavailable(f"the encoder could not start: {exc}") from exc
            self._streams[room.id] = stream
        if not resuming:
            now = time.time()
            self._directory.update(replace(room, status=RoomStatus.LIVE, show_id=show_id, live_since=now))
            self._save_show(Show(room_id=room.id, show_id=show_id, started_at=now, title=room.title,
                                 genre=room.genre, host=room.host))
        elif self._directory.get_show(room.id, show_id) is None:
            self._save_show(Show(room_id=room.id, show_id=show_id, started_at=room.live_since or time.time(),
                                 title=room.title, genre=room.genre, host=room.host))
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
        if room.show_id and self._run:
            self.record_progress(room_id, room.show_id, ended=True)
        for hook in self.show_ended_hooks if room.show_id else ():
            try:
                hook(room_id, room.show_id or "")
            except Exception:
                log.exception("room %s: a show-ended hook failed", room_id)
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
        """Start the thread that ends dead-air shows, records show progress and applies retention."""

        def run() -> None:
            progress_due = time.monotonic() + SHOW_PROGRESS_INTERVAL
            retention_due = time.monotonic() + RETENTION_INTERVAL
            while not stop.wait(interval):
                now = time.monotonic()
                try:
                    self.end_dead_air_shows(now)
                except Exception:
                    log.exception("dead-air check failed")
                try:
                    self.leases.tick(self)
                except Exception:
                    log.exception("lease renewal failed")
                if now >= progress_due:
                    progress_due = now + SHOW_PROGRESS_INTERVAL
                    self.record_all_progress()
                if now >= retention_due:
                    retention_due = now + RETENTION_INTERVAL
                    try:
                        self.apply_retention(time.time())
                    except Exception:
                        log.exception("replay retention failed")

        thread = threading.Thread(target=run, name="stage-watch", daemon=True)
        thread.start()
        return thread

    # -- shows and replays ----------------------------------------------------------------------

    def _save_show(self, show: Show) -> None:
        try:
            self._directory.save_show(show)
        except Exception:  # the show goes on air even if its record cannot be written now
            log.exception("room %s: show %s could not be recorded", show.room_id, show.show_id)

    def record_progress(self, room_id: str, show_id: str, *, ended: bool = False) -> Show | None:
        """Bring a show's record up to date (duration, segments; ``ended_at`` when it ended)."""
        with self._lock:
            segments, duration = self._packager(room_id).show_progress(show_id)
        show = self._directory.get_show(room_id, show_id)
        if show is None:
            room = self._directory.get(room_id)
            show = Show(room_id=room_id, show_id=show_id,
                        started_at=(room.live_since if room and room.live_since else time.time()),
                        title=room.title if room else "", genre=room.genre if room else "",
                        host=room.host if room else "")
        if segments or not show.segments:
            show = replace(show, segments=segments, duration=duration)
        if ended and show.ended_at is None:
            show = replace(show, ended_at=time.time())
        self._save_show(show)
        return show

    def record_all_progress(self) -> None:
        """Update the record of every show on air here (the watcher does it every minute)."""
        with self._lock:
            live = [(room_id, stream.show_id) for room_id, stream in self._streams.items()]
        for room_id, show_id in live:
            try:
                self.record_progress(room_id, show_id)
            except Exception:
                log.exception("room %s: show progress not recorded", room_id)

    def replays(self, room_id: str) -> list[Show]:
        """The room's shows (ended ones are replays; a live one is still growing), newest first."""
        return sorted(self._directory.list_shows(room_id), key=lambda s: s.started_at, reverse=True)

    @staticmethod
    def replay_playlist(show: Show) -> str:
        """File name of a show's replay master playlist under ``/hls/<room id>/``."""
        return replay_name(show.show_id)

    def expired_replays(self, now: float) -> list[Show]:
        """Ended shows the retention policy lets go; a room's newest show is always kept."""
        days, keep = self._settings.replay_retention_days, self._settings.replay_keep_per_room
        if not days and not keep:
            return []
        by_room: dict[str, list[Show]] = {}
        for show in self._directory.list_shows(ended_only=True):
            by_room.setdefault(show.room_id, []).append(show)
        expired = []
        for shows in by_room.values():
            shows.sort(key=lambda s: s.started_at, reverse=True)
            for rank, show in enumerate(shows):
                too_old = bool(days) and (show.ended_at or show.started_at) < now - days * 86400
                too_many = bool(keep) and rank >= keep
                if rank > 0 and (too_old or too_many):
                    expired.append(show)
        return expired

    def apply_retention(self, now: float) -> list[str]:
        """Delete expired replays: their files, their log lines and their Show records."""
        deleted = []
        for show in self.expired_replays(now):
            with self._lock:
                if show.room_id in self._streams and self._streams[show.room_id].show_id == show.show_id:
                    continue
                self._packager(show.room_id).delete_show(show.show_id)
            self._directory.delete_show(show.room_id, show.show_id)
            deleted.append(show.show_id)
            log.info("room %s: replay %s deleted by the retention policy", show.room_id, show.show_id)
        return deleted

    def clean_orphans(self) -> int:
        """At start-up: delete what a crash left behind; the number of files removed.

        Encoders' partial segments and temp files in the work dir; in each room's
        published folder, temp playlists, segments no segment log names (published
        just before a crash, never recorded) and replay playlists of shows no longer
        in the log. Only for the local segment store (a bucket's lifecycle rules do it there).
        """
        store = self._store.inner if isinstance(self._store, RetryingSegmentStore) else self._store
        if not isinstance(store, LocalSegmentStore):
            return 0
        removed = 0
        for leftover in [*self._settings.work_dir.glob("*/*.ts"), *self._settings.work_dir.glob("*/.tmp-*")]:
            leftover.unlink(missing_ok=True)
            removed += 1
        root = self._settings.hls_dir
        rooms = [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
        for room_dir in rooms:
            with self._lock:
                if room_dir.name in self._streams:
                    continue
                named = self._packager(room_dir.name).referenced_files()
            for path in room_dir.iterdir():
                name = path.name
                stray = name.startswith(".tmp-") or (
                    name.endswith(".ts") and name not in named
                ) or (show_of_playlist(name) is not None and name not in named)
                if stray and path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        if removed:
            log.info("removed %d orphaned files left by an earlier run", removed)
        return removed

    def resume_live_rooms(self) -> list[str]:
        """After a restart: clean what a crash left, apply retention, put every live room back on air."""
        if self._run:
            try:
                self.clean_orphans()
                self.apply_retention(time.time())
            except Exception:
                log.exception("start-up cleaning failed")
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
        self._bus_clock.stop()
        self.leases.release_all()

    def drop(self, room_id: str) -> None:
        """Stop the room's pipeline here without ending its show (another node holds its lease)."""
        with self._lock:
            stream = self._streams.pop(room_id, None)
            self._packagers.pop(room_id, None)
        if stream is not None:
            stream.stop(end_show=False)
