"""Private-room markers follow the room directory."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from room_directory import InMemoryRoomDirectory, Room
from stream_server.serving.private import is_private, sync_markers


def test_markers_follow_the_private_flag(tmp_path: Path) -> None:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="open-room", title="Open", stream_key_hash="x"))
    closed = directory.create(Room(id="closed-room", title="Closed", stream_key_hash="y", private=True))
    assert sync_markers(directory, tmp_path) == {"closed-room"}
    assert is_private(tmp_path, "closed-room")  # made before the room has any segment
    assert not is_private(tmp_path, "open-room")
    directory.update(replace(closed, private=False))
    sync_markers(directory, tmp_path)
    assert not is_private(tmp_path, "closed-room")
    (tmp_path / "gone-room").mkdir()
    (tmp_path / "gone-room" / ".private").touch()  # a room no longer in the directory
    sync_markers(directory, tmp_path)
    assert is_private(tmp_path, "gone-room")  # its files stay closed
