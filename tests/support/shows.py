"""Finished shows as the stage leaves them, for tests of records, retention and the start-up sweep."""

from __future__ import annotations

from pathlib import Path

from room_directory import InMemoryRoomDirectory, Room, Show, hash_stream_key
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.config import Settings
from stream_server.stores.local import LocalSegmentStore

KEY = "k" * 32
DAY = 86400.0
NOW = 1_800_000_000.0


def directory_with_room(room_id: str = "room-1", **fields: object) -> InMemoryRoomDirectory:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id=room_id, title="Late Jazz", host="Mia", genre="jazz",
                          stream_key_hash=hash_stream_key(KEY), **fields))  # type: ignore[arg-type]
    return directory


def record_show(settings: Settings, directory: InMemoryRoomDirectory, show_id: str, started: float,
                segments: int = 2, room_id: str = "room-1") -> None:
    """A finished show as the stage leaves it: segments, replay playlists, an ended record."""
    packager = Packager(room_id, LocalSegmentStore(settings.hls_dir),
                        ShowLog(settings.work_dir / room_id / "segments.jsonl"),
                        target_duration=2, window_size=6, renditions_kbps=settings.renditions_kbps)
    for i in range(segments):
        sources = {}
        for rendition in ("128k", "64k"):
            sources[rendition] = settings.data_dir / f"src-{show_id}-{rendition}-{i}.ts"
            sources[rendition].write_bytes(b"G" * 188)
        packager.add_segment(show_id, sources, 2.0, started + 2 * i)
    packager.end_show(show_id)
    directory.save_show(Show(room_id=room_id, show_id=show_id, started_at=started,
                             ended_at=started + 2 * segments, segments=segments, duration=2.0 * segments))


def files_of(settings: Settings, show_id: str, room_id: str = "room-1") -> list[str]:
    return sorted(p.name for p in (settings.hls_dir / room_id).glob(f"{show_id}*"))


def show_log(settings: Settings, room_id: str = "room-1") -> Path:
    """The path of a room's segment log."""
    return settings.work_dir / room_id / "segments.jsonl"
