"""HLS files are served with the content types and cache rules of DESIGN.md §4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from room_directory import InMemoryRoomDirectory, Room
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings


@pytest.fixture
def client(tmp_path: Path) -> Any:
    room = tmp_path / "hls" / "room-1"
    room.mkdir(parents=True)
    (room / "live.m3u8").write_text("#EXTM3U\n")
    (room / "show-00000001.ts").write_bytes(b"G" * 376)
    (tmp_path / "secret.txt").write_text("nope")
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="room-1", title="Room", stream_key_hash="x"))
    return create_app(Settings(data_dir=tmp_path, segment_seconds=4), directory=directory,
                      run_encoders=False).test_client()


def test_playlist_headers(client: Any) -> None:
    resp = client.get("/hls/room-1/live.m3u8")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert resp.headers["Cache-Control"] == "public, max-age=2"  # half of the 4 s target


def test_segment_headers_and_conditional_get(client: Any) -> None:
    resp = client.get("/hls/room-1/show-00000001.ts")
    assert resp.status_code == 200 and resp.data == b"G" * 376
    assert resp.headers["Content-Type"] == "video/mp2t"
    assert "immutable" in resp.headers["Cache-Control"]
    again = client.get("/hls/room-1/show-00000001.ts", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    ["/hls/room-1/missing.ts", "/hls/room-1/..%2Fsecret.txt", "/hls/room-1/../secret.txt",
     "/hls/room-1/segments.jsonl", "/hls/ROOM/live.m3u8", "/hls/room-1/.tmp-x.m3u8"],
    ids=["missing", "encoded-dotdot", "dotdot", "not-hls", "bad-room", "hidden"],
)
def test_anything_else_is_404(client: Any, path: str) -> None:
    assert client.get(path).status_code == 404
