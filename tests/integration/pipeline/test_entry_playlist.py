"""The room's entry playlist on the real stage: live only once it plays, ended playlists never reopened."""

from __future__ import annotations

from pathlib import Path

import m3u8

from room_directory import InMemoryRoomDirectory, Room, RoomStatus, hash_stream_key
from stream_server.hls.names import LIVE_PLAYLIST, live_media_name
from stream_server.ops.config import Settings
from stream_server.pipeline.on_air import OnAir
from tests.support import wait_for

ROOM = "room-1"
RENDITIONS = ("128k", "64k")


def stage(tmp: Path) -> tuple[OnAir, InMemoryRoomDirectory, Path]:
    settings = Settings(data_dir=tmp, segment_seconds=1, window_segments=6)
    directory = InMemoryRoomDirectory()
    directory.create(Room(id=ROOM, title="Late Jazz", stream_key_hash=hash_stream_key("k" * 32)))
    return OnAir(settings, directory), directory, settings.hls_dir / ROOM


def room(directory: InMemoryRoomDirectory) -> Room:
    found = directory.get(ROOM)
    assert found is not None
    return found


def entry(folder: Path) -> list[str]:
    path = folder / LIVE_PLAYLIST
    return [p.uri for p in m3u8.loads(path.read_text()).playlists] if path.exists() else []


def go_live_and_wait(on_air: OnAir, directory: InMemoryRoomDirectory, folder: Path) -> str:
    """Start a show; check it is not offered before its entry plays, and that it plays once offered."""
    show_id = on_air.go_live(room(directory)).show_id
    assert not room(directory).is_live and live_media_name(show_id, "128k") not in entry(folder)
    wait_for(lambda: room(directory).is_live, 30, what="the room announced live")
    assert room(directory).show_id == show_id
    assert entry(folder) == [live_media_name(show_id, r) for r in RENDITIONS]
    for name in entry(folder):
        media = m3u8.loads((folder / name).read_text())
        # a player starting three target durations from the end finds a segment there
        assert sum(s.duration for s in media.segments) >= 3 * media.target_duration
        assert not media.is_endlist
    return show_id


def test_a_room_is_offered_live_only_once_its_entry_playlist_plays(tmp_path: Path) -> None:
    on_air, directory, folder = stage(tmp_path)
    try:
        go_live_and_wait(on_air, directory, folder)
    finally:
        on_air.end_show(ROOM)
    assert room(directory).status is RoomStatus.ENDED


def test_the_next_show_reaches_players_through_the_entry_never_through_an_ended_playlist(
    tmp_path: Path,
) -> None:
    on_air, directory, folder = stage(tmp_path)
    first = go_live_and_wait(on_air, directory, folder)
    on_air.end_show(ROOM)
    ended = {r: (folder / live_media_name(first, r)).read_text() for r in RENDITIONS}
    assert all(m3u8.loads(text).is_endlist for text in ended.values())
    try:
        second = go_live_and_wait(on_air, directory, folder)
        wait_for(lambda: len(m3u8.loads((folder / live_media_name(second, "64k")).read_text()).segments) >= 6,
                 30, what="the second show's window full")
    finally:
        on_air.end_show(ROOM)
    assert second != first
    for rendition in RENDITIONS:
        assert (folder / live_media_name(first, rendition)).read_text() == ended[rendition]
        new = m3u8.loads((folder / live_media_name(second, rendition)).read_text())
        old = m3u8.loads(ended[rendition])
        assert new.is_endlist and new.media_sequence > old.media_sequence
        assert not {s.uri for s in new.segments} & {s.uri for s in old.segments}
        assert not any(s.discontinuity for s in new.segments)


def test_a_show_ended_before_it_plays_is_never_announced(tmp_path: Path) -> None:
    on_air, directory, folder = stage(tmp_path)
    show_id = on_air.go_live(room(directory)).show_id
    ended = on_air.end_show(ROOM)
    assert ended is not None and ended.status is RoomStatus.ENDED and ended.show_id == show_id
    assert not room(directory).is_live
