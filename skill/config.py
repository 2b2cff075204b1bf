"""What the skill is told from outside: where streams live, which skill it is, its secrets."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from room_directory.access import PRIVATE_URL_TTL, listen_url
from room_directory.models import Room

__all__ = ["PRIVATE_URL_TTL", "SkillConfig"]


@dataclass(frozen=True)
class SkillConfig:
    """Configuration of one skill instance (never speech, never per-request data)."""

    #: Base of the stream URLs in Play directives, e.g. ``https://live.example.com``.
    public_url: str
    #: The Alexa skill id the skill answers; empty accepts any (local testing only).
    skill_id: str = ""
    #: ``LIVESTAGE_URL_SECRET``: signs listener tokens and private-room paths.
    url_secret: str = ""
    #: How long a private room's signed Play URL stays valid (``LIVESTAGE_PRIVATE_URL_TTL``).
    url_ttl: float = PRIVATE_URL_TTL
    #: Listeners of a room now, when the stream server's tracker is at hand (Flask host);
    #: None in Lambda, where the skill then says nothing about listeners.
    listener_count: Callable[[str], int] | None = None
    #: (title, artist) of the song on air in a room, when the stream server is at hand (Flask
    #: host); None in Lambda, where the skill then names the room only.
    now_playing: Callable[[str], tuple[str, str] | None] | None = None
    #: The time zone schedules are spoken in when the device's is unknown.
    time_zone: str = "UTC"
    #: The clock (epoch seconds); tests pass a fixed one.
    clock: Callable[[], float] = field(default=time.time)

    def stream_url(self, room: Room) -> str:
        """The live entry playlist of a room with a fresh listener token (signed if private)."""
        return listen_url(self.public_url.rstrip("/"), room.id, private=room.private,
                          secret=self.url_secret, now=self.clock(), ttl=self.url_ttl)

    def replay_url(self, room: Room, show_id: str) -> str:
        """The replay playlist ``<show id>.m3u8`` of a room's show, with a listener token."""
        return listen_url(self.public_url.rstrip("/"), room.id, private=room.private,
                          secret=self.url_secret, now=self.clock(), ttl=self.url_ttl,
                          playlist=f"{show_id}.m3u8")
