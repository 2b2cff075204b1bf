"""The port every room-directory adapter implements, and its one error family."""

from __future__ import annotations

from typing import Protocol

from room_directory.models import Room


class RoomDirectoryError(Exception):
    """Any failure of the room directory, whichever backend holds it."""


class RoomNotFound(RoomDirectoryError):
    """No room has the requested id."""


class RoomExists(RoomDirectoryError):
    """A room with this id exists already."""


class RoomDirectory(Protocol):
    """Where rooms live: SQLite on one machine, DynamoDB on AWS, memory in unit tests."""

    def create(self, room: Room) -> Room:
        """Store a new room; raise ``RoomExists`` when its id is taken."""
        ...

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        ...

    def list_rooms(self, *, live_only: bool = False) -> list[Room]:
        """Every room (or only live ones), newest first."""
        ...

    def update(self, room: Room) -> Room:
        """Replace a stored room with this value; raise ``RoomNotFound`` when it is absent."""
        ...
