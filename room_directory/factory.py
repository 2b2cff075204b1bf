"""Pick the room-directory adapter from configuration."""

from __future__ import annotations

from pathlib import Path

from room_directory.memory import InMemoryRoomDirectory
from room_directory.port import RoomDirectory
from room_directory.sqlite import SqliteRoomDirectory


def open_directory(url: str) -> RoomDirectory:
    """Open the directory named by ``url``: ``sqlite:///path/rooms.db`` or ``memory:``."""
    if url == "memory:":
        return InMemoryRoomDirectory()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteRoomDirectory(path)
    raise ValueError(f"unknown room directory {url!r}: use sqlite:///PATH or memory:")
