"""The room directory: one home for rooms, shared by the skill and the stream server.

Code talks to the ``RoomDirectory`` port and never knows which adapter it holds::

    RoomDirectoryError          any failure of the directory
    ├── RoomNotFound            no room has that id
    └── RoomExists              create() with an id already taken

The values, the port and the key helpers load with the package; the adapters
(``SqliteRoomDirectory``, ``InMemoryRoomDirectory``, ``open_directory``) on first use, so
code that only needs ``Room`` (the skill's pure cores) loads no database module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from room_directory.keys import hash_stream_key, new_stream_key, stream_key_matches
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

if TYPE_CHECKING:
    from room_directory.factory import open_directory
    from room_directory.memory import InMemoryRoomDirectory
    from room_directory.sqlite import SqliteRoomDirectory

#: The adapters and the module each lives in, imported when first asked for.
_ADAPTERS = {
    "InMemoryRoomDirectory": "room_directory.memory",
    "SqliteRoomDirectory": "room_directory.sqlite",
    "open_directory": "room_directory.factory",
}

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


def __getattr__(name: str) -> object:
    """An adapter of ``_ADAPTERS``, imported on first use."""
    if name not in _ADAPTERS:
        raise AttributeError(f"module 'room_directory' has no attribute {name!r}")
    return getattr(importlib.import_module(_ADAPTERS[name]), name)
