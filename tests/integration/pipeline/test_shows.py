"""Shows as records, replay retention and start-up cleaning, on the real stage."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import m3u8
import pytest

from room_directory import Room, RoomStatus, hash_stream_key
from stream_server.hls.names import live_media_name
from stream_server.hls.show_log import ShowLog
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.pipeline.on_air import OnAir
from tests.support import wait_for
from tests.support.shows import DAY, KEY, NOW, directory_with_room, files_of, record_show


def test_a_show_is_recorded_from_start_to_end_with_its_replay(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, segment_seconds=1, window_segments=6)
    directory = directory_with_room()
    stage = OnAir(settings, directory)
    room = directory.get("room-1")
    assert room is not None
    stream = stage.go_live(room)
    try:
        show = directory.get_show("room-1", stream.show_id)
        assert show is not None and not show.ended
        assert (show.title, show.host, show.genre) == ("Late Jazz", "Mia", "jazz")
        wait_for(lambda: stage.shows.record_progress("room-1", stream.show_id).segments >= 3,  # type: ignore[union-attr]
                 30, what="three segments recorded on the show")
    finally:
        stage.end_show("room-1")
    show = directory.get_show("room-1", stream.show_id)
    assert show is not None and show.ended and show.ended_at is not None
    replay = m3u8.loads((settings.hls_dir / "room-1" / f"{show.show_id}-64k.m3u8").read_text())
    assert show.segments == len(replay.segments) >= 3
    assert show.duration == pytest.approx(sum(s.duration for s in replay.segments), abs=0.01)
    assert [s.show_id for s in stage.shows.replays("room-1")] == [show.show_id]


def test_retention_deletes_old_replays_files_and_records_but_never_a_rooms_newest(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, replay_retention_days=30)
    directory = directory_with_room()
    record_show(settings, directory, "old-1", NOW - 50 * DAY)
    record_show(settings, directory, "old-2", NOW - 40 * DAY)
    record_show(settings, directory, "recent", NOW - 2 * DAY)
    directory.create(Room(id="room-2", title="Quiet", stream_key_hash=hash_stream_key(KEY)))
    record_show(settings, directory, "only-one", NOW - 90 * DAY, room_id="room-2")

    deleted = OnAir(settings, directory).shows.apply_retention(NOW)

    assert sorted(deleted) == ["old-1", "old-2"]
    assert files_of(settings, "old-1") == [] and files_of(settings, "old-2") == []
    assert [s.show_id for s in directory.list_shows("room-1")] == ["recent"]
    # segments of both renditions, 3 replay playlists and the 2 ended live ones
    assert len(files_of(settings, "recent")) == 2 * 2 + 3 + 2
    assert files_of(settings, "only-one", "room-2") != []  # a room's newest replay stays
    log = ShowLog(settings.work_dir / "room-1" / "segments.jsonl").segments()
    assert {s.show_id for s in log} == {"recent"} and log[-1].sequence == 5  # the sequence carries on


def test_retention_can_keep_the_last_n_replays_per_room(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, replay_retention_days=0, replay_keep_per_room=2)
    directory = directory_with_room()
    for n in range(4):
        record_show(settings, directory, f"show-{n}", NOW - (10 - n) * DAY)
    assert sorted(OnAir(settings, directory).shows.apply_retention(NOW)) == ["show-0", "show-1"]
    assert [s.show_id for s in directory.list_shows("room-1")] == ["show-3", "show-2"]


def test_start_up_removes_what_a_crash_left_and_keeps_every_named_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    directory = directory_with_room()
    record_show(settings, directory, "kept", NOW - DAY, segments=3)
    room_dir = settings.hls_dir / "room-1"
    kept = sorted(p.name for p in room_dir.iterdir())
    strays = [room_dir / ".tmp-abc.m3u8", room_dir / "kept-128k-00000099.ts",
              room_dir / "gone.m3u8", room_dir / "gone-64k.m3u8",
              settings.work_dir / "room-1" / "a1b2c3d4-128k-000007.ts"]
    for stray in strays:
        stray.write_bytes(b"x")

    removed = OnAir(settings, directory).shows.clean_orphans()

    assert removed == len(strays)
    assert not any(p.exists() for p in strays)
    assert sorted(p.name for p in room_dir.iterdir()) == kept
    assert "live.m3u8" in kept and "kept.m3u8" in kept


def test_shows_api_lists_replays_and_hides_private_rooms(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, admin_token="admin")
    directory = directory_with_room()
    record_show(settings, directory, "s1", NOW - DAY)
    secret = directory.create(Room(id="room-2", title="Hidden", stream_key_hash=hash_stream_key(KEY)))
    directory.update(replace(secret, private=True, status=RoomStatus.IDLE))
    client = create_app(settings, directory=directory, run_encoders=False).test_client()

    body = client.get("/api/rooms/room-1/shows").get_json()
    assert [s["show_id"] for s in body["shows"]] == ["s1"]
    replay = urlsplit(body["shows"][0]["replay_url"])
    assert re.fullmatch(r"/hls/room-1/t/[^/]+/s1\.m3u8", replay.path) and not replay.query
    assert body["shows"][0]["segments"] == 2 and body["shows"][0]["live"] is False
    assert client.get("/api/rooms/room-2/shows").status_code == 404
    assert client.get("/api/rooms/room-2/shows", headers={"Authorization": "Bearer admin"}).status_code == 200
    assert client.get("/api/rooms/nope/shows").status_code == 404


def test_clean_restart_continues_the_show_in_both_renditions_and_loses_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, segment_seconds=1, window_segments=6)
    directory = directory_with_room()
    first = OnAir(settings, directory)
    room = directory.get("room-1")
    assert room is not None
    show_id = first.go_live(room).show_id

    def listed(rendition: str) -> list[str]:
        path = settings.hls_dir / "room-1" / live_media_name(show_id, rendition)
        return [s.uri for s in m3u8.loads(path.read_text()).segments] if path.exists() else []

    wait_for(lambda: directory.get("room-1").is_live, 30, what="the room live")  # type: ignore[union-attr]
    assert len(listed("64k")) >= 4
    first.shutdown()  # a clean stop: the last segment is published, the show stays live
    before = {r: listed(r) for r in ("128k", "64k")}
    second = OnAir(settings, directory)
    assert second.resume_live_rooms() == ["room-1"]
    try:
        wait_for(lambda: len(set(listed("64k")) - set(before["64k"])) >= 2, 30, what="segments after")
    finally:
        second.end_show("room-1")
    for rendition in ("128k", "64k"):
        replay = m3u8.loads((settings.hls_dir / "room-1" / f"{show_id}-{rendition}.m3u8").read_text())
        uris = [s.uri for s in replay.segments]
        assert set(before[rendition]) <= set(uris)  # nothing lost
        assert sum(1 for s in replay.segments if s.discontinuity) == 1  # the restart, marked once
        assert all((settings.hls_dir / "room-1" / uri).exists() for uri in uris)
    show = directory.get_show("room-1", show_id)
    assert show is not None and show.ended and show.segments == len(uris)
