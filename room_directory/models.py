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
    art_url: str = ""
    #: when the next show is announced to start (epoch seconds), for "what's on tonight"
    scheduled_start: float | None = None
    #: private rooms are never listed publicly; listeners join them by spoken code
    private: bool = False
    #: digits a listener says to join a private room ("join room 4 7 1 9"); unique
    join_code: str | None = None

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
            "art_url": self.art_url,
            "scheduled_start": self.scheduled_start,
            "private": self.private,
        }


class KeyRole(StrEnum):
    """Who a publisher key belongs to: the host, an invited co-host, or a listener brought on stage."""

    HOST = "host"
    COHOST = "cohost"
    #: a listener whose raised hand was accepted: stage only, for one show
    GUEST = "guest"


@dataclass(frozen=True, slots=True)
class PublisherKey:
    """A co-host's key for one room: stored as a hash, muteable and revocable by the host.

    The host's own key stays on the room (``Room.stream_key_hash``); these are the others.
    """

    room_id: str
    key_id: str
    name: str
    key_hash: str
    role: KeyRole = KeyRole.COHOST
    muted: bool = False
    revoked: bool = False
    created_at: float = 0.0
    #: a guest key works only during this show (None: co-host and host keys, any show)
    show_id: str | None = None

    def public_view(self) -> dict[str, object]:
        """The key as the API shows it to the host: never the key or its hash."""
        return {
            "key_id": self.key_id,
            "name": self.name,
            "role": self.role.value,
            "muted": self.muted,
            "revoked": self.revoked,
            "created_at": self.created_at,
            "show_id": self.show_id,
        }


@dataclass(frozen=True, slots=True)
class Show:
    """One show of a room, from going live to its end; an ended show is a replay."""

    room_id: str
    show_id: str
    started_at: float
    ended_at: float | None = None
    #: seconds of audio in the show's replay playlist
    duration: float = 0.0
    segments: int = 0
    title: str = ""
    genre: str = ""
    host: str = ""
    peak_listeners: int = 0
    #: distinct listeners in each minute of the show, oldest first
    listeners_per_minute: tuple[int, ...] = ()

    @property
    def ended(self) -> bool:
        """True once the show is over and is a replay."""
        return self.ended_at is not None

    def public_view(self) -> dict[str, object]:
        """The show as the API lists it on its room."""
        return {
            "room_id": self.room_id,
            "show_id": self.show_id,
            "title": self.title,
            "genre": self.genre,
            "host": self.host,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "duration": self.duration,
            "segments": self.segments,
            "peak_listeners": self.peak_listeners,
            "listeners_per_minute": list(self.listeners_per_minute),
        }


@dataclass(frozen=True, slots=True)
class Message:
    """A listener's message or request to a room's host ("tell the host: play Blue in Green")."""

    room_id: str
    message_id: str
    text: str
    sender: str = ""
    created_at: float = 0.0

    def public_view(self) -> dict[str, object]:
        """The message as the host's console shows it."""
        return {
            "message_id": self.message_id,
            "text": self.text,
            "sender": self.sender,
            "created_at": self.created_at,
        }


class HandState(StrEnum):
    """Where a listener's request to speak is: waiting, on stage, turned down or over."""

    QUEUED = "queued"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REMOVED = "removed"
    #: the show ended (or moved on) before the hand was answered or while its guest was on stage
    EXPIRED = "expired"

    @property
    def open(self) -> bool:
        """True while the hand can still change (queued or on stage)."""
        return self in (HandState.QUEUED, HandState.ACCEPTED)


@dataclass(frozen=True, slots=True)
class Hand:
    """A listener's raised hand in one room and show; accepted, it owns one guest key.

    The listener proves the hand is theirs with a token (stored hashed); a hand raised by
    voice has no token until someone types its ``call_in_code`` on the listener page.
    ``version`` grows by one on every stored change, so two writers never overwrite each other.
    """

    room_id: str
    hand_id: str
    show_id: str
    name: str
    line: str = ""
    state: HandState = HandState.QUEUED
    token_hash: str = ""
    #: digits a voice caller types on the listener page to take the hand over; unique per room
    call_in_code: str | None = None
    #: the guest key (its key id) once the listener has collected it
    key_id: str | None = None
    #: how the hand was raised: "web" or "voice"
    via: str = "web"
    created_at: float = 0.0
    updated_at: float = 0.0
    version: int = 0

    def public_view(self) -> dict[str, object]:
        """The hand as the host's console lists it: never its token or its code."""
        return {
            "hand_id": self.hand_id,
            "name": self.name,
            "line": self.line,
            "state": self.state.value,
            "via": self.via,
            "show_id": self.show_id,
            "key_id": self.key_id,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def new_token_id() -> str:
    """A short random id for keys, messages and shows (about 60 bits)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))
