"""What the skill asks of the room directory: the narrow Protocols its parts declare.

The skill only reads rooms and shows, leaves listeners' messages and raises their hands;
it never creates rooms, holds leases or manages keys. Each handler names the smallest of these it uses,
so a test can hand it a small fake and a reader sees at a glance what a handler touches.
Every ``room_directory`` adapter satisfies all of them; ``SkillDirectory`` is the sum the
builder needs.
"""

from __future__ import annotations

from typing import Protocol

from room_directory.hands import HandQueue
from room_directory.models import Message, Room, Show


class RoomReader(Protocol):
    """Rooms by id and the listing (``live_only`` for what is on air)."""

    def get(self, room_id: str) -> Room | None: ...

    def list_rooms(self, *, live_only: bool = False) -> list[Room]: ...


class ShowReader(Protocol):
    """Shows of a room: the replays."""

    def get_show(self, room_id: str, show_id: str) -> Show | None: ...

    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]: ...


class RoomsAndShows(RoomReader, ShowReader, Protocol):
    """Rooms and their shows: what playing, resuming and replaying need."""


class ScheduleReader(Protocol):
    """Public rooms by their scheduled start."""

    def scheduled_between(self, start: float, end: float) -> list[Room]: ...


class JoinCodeReader(Protocol):
    """Private rooms by their spoken join code."""

    def find_by_join_code(self, code: str) -> Room | None: ...


class MessageBox(RoomReader, Protocol):
    """Rooms, and a listener's message left for a room's host."""

    def add_message(self, message: Message) -> Message: ...


class FollowIndex(Protocol):
    """Who follows which host and who allows live notices (``room_directory.follows``)."""

    def follow(self, user_id: str, host: str, *, locale: str = "en-US") -> bool: ...

    def unfollow(self, user_id: str, host: str) -> bool: ...

    def set_subscribed(self, user_id: str, subscribed: bool) -> None: ...

    def is_subscribed(self, user_id: str) -> bool: ...


class HandRaiser(RoomReader, HandQueue, Protocol):
    """Rooms, and a listener's hand raised by voice in a live room."""


class SkillDirectory(RoomsAndShows, ScheduleReader, JoinCodeReader, MessageBox, HandRaiser, Protocol):
    """Everything the skill uses of the directory (what ``build_skill`` takes)."""
