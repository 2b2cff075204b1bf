"""Shows as records: progress, replays, the retention policy and the start-up sweep.

Every show is a ``Show`` record in the room directory from its start; its duration and
segment count are brought up to date every minute and at its end, when ``ended_at`` is set.
Ended shows are replays until the retention policy lets them go (a room's newest show is
always kept). At start-up the sweep removes what a crash left: encoders' partial segments in
the work dir, and published files that neither a segment log, a show record nor a kept
playlist names. A segment log that is missing or has lines that do not parse is rebuilt from
the published files first and never used as a list of what to delete.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Protocol

from room_directory import Room, Show
from stream_server.hls.log_rebuild import parse_segment_name, rebuild_segments
from stream_server.hls.names import rendition_name, replay_name, segment_files, show_of_playlist
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.stores.port import SegmentStore

log = logging.getLogger(__name__)


class ShowDirectory(Protocol):
    """The part of the room directory show records use (``room_directory.RoomDirectory`` has it)."""

    def get(self, room_id: str) -> Room | None: ...
    def save_show(self, show: Show) -> Show: ...
    def get_show(self, room_id: str, show_id: str) -> Show | None: ...
    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]: ...
    def delete_show(self, room_id: str, show_id: str) -> None: ...


class Packagers(Protocol):
    """What show records need from the rooms on air: each room's packager and its live show."""

    def packager(self, room_id: str) -> Packager:
        """The room's packager (one per room and process)."""
        ...

    def live_show(self, room_id: str) -> str | None:
        """The show on air in the room here, if any."""
        ...


class ShowRecords:
    """Keeps the ``Show`` records of one process's rooms, their replays and the retention policy."""

    def __init__(self, settings: Settings, directory: ShowDirectory, store: SegmentStore,
                 packagers: Packagers) -> None:
        self._settings = settings
        self._directory = directory
        self._store = store
        self._packagers = packagers

    def save(self, show: Show) -> None:
        """Write the record; a failure is logged (the show goes on air all the same)."""
        try:
            self._directory.save_show(show)
        except Exception:
            log.exception("room %s: show %s could not be recorded", show.room_id, show.show_id)

    def record_progress(self, room_id: str, show_id: str, *, ended: bool = False,
                        transcript: str = "") -> Show | None:
        """Bring a show's record up to date (duration, segments; ``ended_at`` and transcript at its end)."""
        segments, duration = self._packagers.packager(room_id).show_progress(show_id)
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
        if transcript:
            show = replace(show, transcript=transcript)
        self.save(show)
        return show

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
            if self._packagers.live_show(show.room_id) == show.show_id:
                continue
            self._packagers.packager(show.room_id).delete_show(show.show_id)
            self._directory.delete_show(show.room_id, show.show_id)
            deleted.append(show.show_id)
            log.info("room %s: replay %s deleted by the retention policy", show.room_id, show.show_id)
        return deleted

    def repair_logs(self) -> list[str]:
        """Rebuild every segment log that is missing or damaged from the room's published files.

        Lines that still parse are kept; every published segment they miss is added back from
        the playlists listing it. The damaged log is kept beside the new one (``.damaged``).
        Returns the rooms whose log was rebuilt.
        """
        repaired = []
        renditions = tuple(rendition_name(k) for k in self._settings.renditions_kbps)
        for room_id, files in self._store.listing().items():
            if self._packagers.live_show(room_id) is not None:
                continue
            show_log = ShowLog(self._settings.work_dir / room_id / "segments.jsonl")
            state = show_log.read()
            kept, unreadable = state if state is not None else ([], 0)
            named = {name for segment in kept for name in segment_files(segment)}
            published = [n for n in files if parse_segment_name(n) is not None and n not in named]
            if not unreadable and (state is not None or not published):
                continue  # a sound log; a segment it misses was published just before a crash
            playlists = [self._store.read_text(room_id, n) or "" for n in files if n.endswith(".m3u8")]
            rebuilt = rebuild_segments(kept, files, playlists, target_duration=self._settings.segment_seconds,
                                       renditions=renditions)
            show_log.replace_all(rebuilt)
            repaired.append(room_id)
            log.warning("room %s: segment log %s (%d unreadable lines); rebuilt from %d published "
                        "segment files, nothing deleted", room_id, "missing" if state is None else "damaged",
                        unreadable, len(published))
        return repaired

    def clean_orphans(self) -> int:
        """At start-up: delete what a crash left behind; the number of files removed.

        Encoders' partial segments and temp files in the work dir; through the store, temp
        playlists, segments no segment log names (published just before a crash, never
        recorded) and replay playlists of shows neither in the log nor recorded. Nothing a
        kept playlist names goes (the store's ``removable``), rooms on air here are left alone,
        and damaged or missing logs are rebuilt first (``repair_logs``). A bucket's own
        lifecycle rules clean up there.
        """
        removed = 0
        work = self._settings.work_dir
        for leftover in [*work.glob("*/*.ts"), *work.glob("*/.tmp-*")]:
            leftover.unlink(missing_ok=True)
            removed += 1
        self.repair_logs()
        named: dict[str, set[str] | None] = {}

        def is_stray(room_id: str, name: str) -> bool:
            if room_id not in named:
                live = self._packagers.live_show(room_id) is not None
                named[room_id] = None if live else self._packagers.packager(room_id).referenced_files()
            files = named[room_id]
            if files is None or name in files:
                return False
            if name.endswith(".ts"):
                return True
            show_id = show_of_playlist(name)
            return show_id is not None and self._directory.get_show(room_id, show_id) is None

        swept = self._store.sweep(is_stray)
        if swept:
            log.warning("removed %d published files no log, show or playlist names", swept)
        removed += swept
        if removed:
            log.info("removed %d orphaned files left by an earlier run", removed)
        return removed
