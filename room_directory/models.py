"""Room values: what a room is, independent of where it is stored."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

#: Room ids are short, URL-safe and safe as a directory name.
ROOM_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")

_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


class RoomStatus(StrEnum):
    """Where a room is in its life: created, on air, or its last show ended."""

    IDLE = "idle"
    LIVE = "live"
    ENDED = "ended"


def new_room_id() -> str:
    """A fresh random room id (10 characters, about 50 bits)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


@dataclass(frozen=True, slots=True)
class Room:
    """A live audio room: its listing, its state and the hash of its stream key."""

    id: str
    title: str
    stream_key_hash: str
    host: str = ""
    genre: str = ""
    topics: tuple[str, ...] = ()
    description: str = ""
    status: RoomStatus = RoomStatus.IDLE
    show_id: str | None = None
    live_since: float | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    tags: tuple[str, ...] = field(default=())

    @property
    def is_live(self) -> bool:
        """True while the room is on air."""
        return self.status is RoomStatus.LIVE

    def public_view(self) -> dict[str, object]:
        """The room as the API shows it to anyone: never the key or its hash."""
        return {
            "id": self.id,
            "title": self.title,
            "host": self.host,
            "genre": self.genre,
            "topics": list(self.topics),
            "description": self.description,
            "status": self.status.value,
            "live": self.is_live,
            "show_id": self.show_id,
            "live_since": self.live_since,
            "created_at": self.created_at,
            "tags": list(self.tags),
        }
