"""The stage when things go wrong: no encoder binary, a pipeline that never resumed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import m3u8

from room_directory import InMemoryRoomDirectory, Room, RoomStatus, hash_stream_key
from stream_server.hls.packager import Packager
from stream_server.hls.show_log import ShowLog
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.pipeline.on_air import OnAir
from stream_server.stores.local import LocalSegmentStore

KEY = "k" * 32


def test_an_encoder_that_cannot_start_is_a_clear_503_and_the_room_stays_off_air(
    tmp_path: Path,
) -> None:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="room-1", title="T", stream_key_hash=hash_stream_key(KEY)))
    app = create_app(Settings(data_dir=tmp_path, ffmpeg=str(tmp_path / "no-ffmpeg")),
                     directory=directory)
    resp = app.test_client().put("/ingest/room-1", data=b"\xff\xfb" * 100,
                                 headers={"Authorization": f"Bearer {KEY}",
                                          "Content-Type": "audio/mpeg"})
    assert resp.status_code == 503 and "encoder could not start" in resp.get_json()["error"]
    room = directory.get("room-1")
    assert room is not None and not room.is_live


def test_ending_a_live_room_without_a_running_pipeline_still_publishes_its_replay(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, renditions_kbps=(128, 64))
    log = ShowLog(settings.work_dir / "room-1" / "segments.jsonl")
    recorder = Packager("room-1", LocalSegmentStore(settings.hls_dir), log,
                        target_duration=2, window_size=6)
    for i in range(3):
        sources = {r: tmp_path / f"seg{i}-{r}.ts" for r in ("128k", "64k")}
        for src in sources.values():
            src.write_bytes(b"G" * 188)
        recorder.add_segment("show-a", sources, 2.0, 1000.0 + 2 * i)
    directory = InMemoryRoomDirectory()
    room = directory.create(Room(id="room-1", title="T", stream_key_hash=hash_stream_key(KEY)))
    directory.update(replace(room, status=RoomStatus.LIVE, show_id="show-a"))

    ended = OnAir(settings, directory).end_show("room-1")

    assert ended is not None and ended.status is RoomStatus.ENDED
    master = m3u8.loads((settings.hls_dir / "room-1" / "show-a.m3u8").read_text())
    assert [p.uri for p in master.playlists] == ["show-a-128k.m3u8", "show-a-64k.m3u8"]
    for rendition in ("128k", "64k"):
        replay = m3u8.loads((settings.hls_dir / "room-1" / f"show-a-{rendition}.m3u8").read_text())
        assert replay.is_endlist and len(replay.segments) == 3
    show = directory.get_show("room-1", "show-a")
    assert show is not None and show.ended and show.segments == 3 and show.duration == 6.0
