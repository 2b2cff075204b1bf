"""Rooms on air: each room's pipeline, from its first publisher to the end of its show."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from room_directory import Room, RoomStatus, Show
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.hls.tracks import Track, TrackLog
from stream_server.ops.config import Settings
from stream_server.pipeline.bus import PublisherInput
from stream_server.pipeline.clock import BusClock
from stream_server.pipeline.leases import LeaseDirectory, RoomLeases
from stream_server.pipeline.room_stream import RoomStream
from stream_server.pipeline.shows import ShowDirectory, ShowRecords
from stream_server.stores.factory import open_segment_store
from stream_server.stores.port import SegmentStore

log = logging.getLogger(__name__)


class OnAirDirectory(ShowDirectory, LeaseDirectory, Protocol):
    """The part of the room directory rooms on air use: shows, leases, and a room's status."""

    def update(self, room: Room) -> Room: ...


class OnAirUnavailable(Exception):
    """This process does not run encoders (a skill-only or test app)."""


def new_show_id() -> str:
    """A show id: UTC date and time plus randomness, sortable and unique."""
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


#: How often a live show's record gets its duration and segment count (seconds).
SHOW_PROGRESS_INTERVAL = 60.0
#: How often the replay retention policy runs (seconds).
RETENTION_INTERVAL = 600.0


class OnAir:
    """Starts a room's pipeline when its first publisher arrives and ends it with the show.

    A show's record, its replays and the retention policy are ``shows`` (``ShowRecords``);
    a watcher thread ends dead-air shows, renews leases, records progress and applies
    retention. The segment store comes from ``stores.factory`` unless one is given.
    """

    def __init__(self, settings: Settings, directory: OnAirDirectory, *, run_encoders: bool = True,
                 store: SegmentStore | None = None) -> None:
        self._settings = settings
        self._directory = directory
        self._run = run_encoders
        self._store = store or open_segment_store(settings)
        self._streams: dict[str, RoomStream] = {}
        self._packagers: dict[str, Packager] = {}
        self._lock = threading.RLock()
        #: one clock thread drives every room's bus (see ``bus_clock``)
        self._bus_clock = BusClock()
        self.leases = RoomLeases(directory, settings.node_name,
                                 settings.lease_seconds)
        #: called with (room id, show id) once a show has ended and its record is written
        #: (the app adds the listener figures: ``analytics.save_show_listeners``)
        self.show_ended_hooks: list[Callable[[str, str], object]] = []
        #: called with (room, show id) when a new show goes on air (not when one resumes);
        #: a hook must return at once (the app's live notices send from their own thread)
        self.show_started_hooks: list[Callable[[Room, str], object]] = []
        self.shows = ShowRecords(settings, directory, self._store, self)

    def rooms_on_air(self) -> list[str]:
        """Ids of the rooms with a running pipeline here (listed live or still starting)."""
        with self._lock:
            return list(self._streams)

    def encoder_count(self) -> int:
        """Rooms with a running encoder in this process."""
        with self._lock:
            return len(self._streams)

    def not_publishing(self) -> list[str]:
        """Why rooms on air here are not reaching listeners: one line per kind of trouble, no room ids.

        A room is stalled when it has published nothing for five target durations since its
        last segment or its start (a restarted encoder is back within one or two); unstable
        when its encoder restarted three times in the last minute; and behind when its
        segments wait in the spool because the store refuses them.
        """
        now, clock = time.time(), time.monotonic()
        limit = 5.0 * self._settings.segment_seconds
        with self._lock:
            streams = list(self._streams.values())
        stalled = [s for s in streams if now - (s.last_segment_at or s.started_at) > limit]
        unstable = [s for s in streams if sum(clock - t < 60 for t in s.encoder.restarted_at) >= 3]
        pending = getattr(self._store, "pending_segments", None)
        behind = [s for s in streams if pending is not None and pending(s.room_id) > 0]
        reasons = []
        if stalled:
            reasons.append(f"{len(stalled)} of {len(streams)} rooms on air published no segment "
                           f"for over {limit:.0f} s")
        if unstable:
            reasons.append(f"{len(unstable)} of {len(streams)} rooms on air had their encoder restart "
                           "3 or more times in a minute")
        if behind:
            reasons.append(f"{len(behind)} of {len(streams)} rooms on air have segments waiting in the "
                           "spool: the segment store refuses them")
        return reasons

    def stream(self, room_id: str) -> RoomStream | None:
        """The running pipeline of a room, if on air here."""
        with self._lock:
            return self._streams.get(room_id)

    def live_show(self, room_id: str) -> str | None:
        """The show on air in the room here, if any."""
        with self._lock:
            stream = self._streams.get(room_id)
            return stream.show_id if stream is not None else None

    def packager(self, room_id: str) -> Packager:
        """The room's packager, made on first use (one per room and process)."""
        with self._lock:
            return self._packager(room_id)

    def _packager(self, room_id: str) -> Packager:
        packager = self._packagers.get(room_id)
        if packager is None:
            packager = Packager(
                room_id, self._store, ShowLog(self._settings.work_dir / room_id / "segments.jsonl"),
                target_duration=self._settings.segment_seconds,
                window_size=self._settings.window_segments,
                renditions_kbps=self._settings.renditions_kbps,
                track_log=TrackLog(self._settings.work_dir / room_id / "tracks.jsonl"),
            )
            self._packagers[room_id] = packager
        return packager

    def set_now_playing(self, room_id: str, title: str, artist: str = "") -> Track | None:
        """A performer's tool announced a song: it is the room's now-playing from now on.

        None when the room is not on air here (there is no show to play it in).
        """
        show_id = self.live_show(room_id)
        if show_id is None:
            return None
        track = Track(show_id, time.time(), title, artist)
        self.packager(room_id).add_track(track)
        log.info("room %s: now playing %r%s", room_id, title, f" by {artist!r}" if artist else "")
        return track

    def now_playing(self, room_id: str) -> Track | None:
        """The song on air in the room here, if one was announced in its current show."""
        show_id = self.live_show(room_id)
        return None if show_id is None else self.packager(room_id).now_playing(show_id)

    def go_live(self, room: Room) -> RoomStream:
        """Put the room on air: continue its show after a restart, or start a new one."""
        if not self._run:
            raise OnAirUnavailable("this server does not run encoders")
        with self._lock:
            running = self._streams.get(room.id)
            if running is not None:
                return running
            fresh = room.id not in self.leases.held()
            if not self.leases.claim(room.id):
                raise OnAirUnavailable(f"room {room.id} is on air on another node")
            if fresh:  # another node may have run it meanwhile: start from the shared segment log
                self._packagers.pop(room.id, None)
            resuming = room.status is RoomStatus.LIVE and room.show_id
            show_id = room.show_id if resuming and room.show_id else new_show_id()
            now = time.time()
            announce = None if resuming else (lambda: self._announce(room.id, show_id, now))
            stream = RoomStream(room.id, show_id, self._settings, self._packager(room.id),
                                self._settings.work_dir / room.id, bus_clock=self._bus_clock,
                                captions=self._settings.captions if room.captions is None else room.captions,
                                on_playable=announce)
            try:
                stream.start()
            except OSError as exc:
                log.error("room %s: the encoder could not start: %s", room.id, exc)
                raise OnAirUnavailable(f"the encoder could not start: {exc}") from exc
            self._streams[room.id] = stream
        if not resuming:
            self.shows.save(Show(room_id=room.id, show_id=show_id, started_at=now, title=room.title,
                                 genre=room.genre, host=room.host))
            for hook in self.show_started_hooks:
                try:
                    hook(room, show_id)
                except Exception:  # a failing hook must never keep a room off air
                    log.exception("room %s: a show-start hook failed", room.id)
        elif self._directory.get_show(room.id, show_id) is None:
            self.shows.save(Show(room_id=room.id, show_id=show_id, started_at=room.live_since or time.time(),
                                 title=room.title, genre=room.genre, host=room.host))
        if resuming:
            log.info("room %s on air (show %s, resumed)", room.id, show_id)
        else:
            log.info("room %s: show %s starting, offered live once its entry playlist plays",
                     room.id, show_id)
        return stream

    def _announce(self, room_id: str, show_id: str, since: float) -> None:
        """Mark the room live in the directory: its entry playlist now plays ``show_id``.

        Until then the room API, the listings and the skill do not offer it, as a player
        would find nothing (or the previous show) there. Under the lock, so that an end of
        the show cannot slip in between the check and the write.
        """
        with self._lock:
            stream = self._streams.get(room_id)
            room = self._directory.get(room_id)
            if stream is None or stream.show_id != show_id or room is None:
                return  # ended meanwhile
            self._directory.update(replace(room, status=RoomStatus.LIVE, show_id=show_id, live_since=since))
        log.info("room %s is live: its entry playlist plays show %s", room_id, show_id)

    def open_publisher(self, room: Room, label: str) -> PublisherInput:
        """A bus input for a new publisher of ``room``, putting the room on air if needed."""
        return self.go_live(room).add_publisher(label)

    def end_show(self, room_id: str) -> Room | None:
        """End the room's show: last segment, EXT-X-ENDLIST, the replay, status ended."""
        with self._lock:
            stream = self._streams.pop(room_id, None)
        if stream is not None:
            stream.stop(end_show=True)
        transcript = stream.captions.transcript if stream is not None and stream.captions else ""
        self.leases.release(room_id)
        room = self._directory.get(room_id)
        if room is None:
            return None
        if stream is not None and room.show_id != stream.show_id:
            # ended before it ever played: never announced, yet its replay is the room's latest
            room = self._directory.update(replace(room, status=RoomStatus.ENDED, show_id=stream.show_id))
        if stream is None and room.is_live and room.show_id and self._run:
            # live in the directory, but its pipeline is not running here (it failed to
            # resume): its recorded segments still become the replay
            with self._lock:
                self._packager(room_id).end_show(room.show_id)
        if room.status is RoomStatus.LIVE:
            room = self._directory.update(replace(room, status=RoomStatus.ENDED))
        if room.show_id and self._run:
            self.shows.record_progress(room_id, room.show_id, ended=True, transcript=transcript)
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
                        self.shows.apply_retention(time.time())
                    except Exception:
                        log.exception("replay retention failed")

        thread = threading.Thread(target=run, name="stage-watch", daemon=True)
        thread.start()
        return thread

    def record_all_progress(self) -> None:
        """Update the record of every show on air here (the watcher does it every minute)."""
        with self._lock:
            live = [(room_id, stream.show_id) for room_id, stream in self._streams.items()]
        for room_id, show_id in live:
            try:
                self.shows.record_progress(room_id, show_id)
            except Exception:
                log.exception("room %s: show progress not recorded", room_id)

    def resume_live_rooms(self) -> list[str]:
        """After a restart: clean what a crash left, apply retention, put every live room back on air."""
        if self._run:
            try:
                self.shows.clean_orphans()
                self.shows.apply_retention(time.time())
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
