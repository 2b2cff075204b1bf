"""The room directory: one home for rooms, shared by the skill and the stream server.

Code talks to the ``RoomDirectory`` port and never knows which adapter it holds::

    RoomDirectoryError          any failure of the directory
    ├── RoomNotFound            no room has that id
    └── RoomExists              create() with an id already taken
"""

from __future__ import annotations

from room_directory.factory import open_directory
from room_directory.keys import hash_stream_key, new_stream_key, stream_key_matches
from room_directory.memory import InMemoryRoomDirectory
from room_directory.models import (
    ROOM_ID_PATTERN,
    Hand,
    HandState,
    KeyRole,
    Message,
    PublisherKey,
    Room,
    RoomStatus,
    Show,
    new_room_id,
    new_token_id,
)
from room_directory.port import (
    HandChanged,
    RoomDirectory,
    RoomDirectoryError,
    RoomExists,
    RoomNotFound,
)
from room_directory.sqlite import SqliteRoomDirectory

__all__ = [
    "ROOM_ID_PATTERN",
    "Hand",
    "HandChanged",
    "HandState",
    "InMemoryRoomDirectory",
    "KeyRole",
    "Message",
    "PublisherKey",
    "Room",
    "RoomDirectory",
    "RoomDirectoryError",
    "RoomExists",
    "RoomNotFound",
    "RoomStatus",
    "Show",
    "SqliteRoomDirectory",
    "hash_stream_key",
    "new_room_id",
    "new_token_id",
    "new_stream_key",
    "open_directory",
    "stream_key_matches",
]
