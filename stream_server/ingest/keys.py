"""Who is publishing: the room's host key, a co-host key or a guest key, and their mute state.

The host's key hash stays on the room (``Room.stream_key_hash``). Co-host keys are
``PublisherKey`` records (role ``cohost``) in the room directory, hashes only. The
host's own mute switch is kept as one more record, key id ``host`` with role
``host`` and an empty hash (which no key ever matches), so it survives restarts
like a co-host's. A guest key (role ``guest``, issued when the host accepts a listener's
hand) opens the room only while the show it was issued for is the room's live show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from room_directory import (
    KeyRole,
    PublisherKey,
    Room,
    RoomDirectory,
    hash_stream_key,
    new_stream_key,
    new_token_id,
    stream_key_matches,
)

#: the key id under which the host appears among publishers
HOST_KEY_ID = "host"
#: co-host keys a room may hold at once (revoked ones do not count)
MAX_COHOST_KEYS = 32


@dataclass(frozen=True)
class Publisher:
    """The identity behind a presented key."""

    room_id: str
    key_id: str
    name: str
    role: KeyRole
    muted: bool

    @property
    def is_host(self) -> bool:
        """True for the room's host key."""
        return self.role is KeyRole.HOST


def _host_record(keys: list[PublisherKey]) -> PublisherKey | None:
    return next((k for k in keys if k.key_id == HOST_KEY_ID and k.role is KeyRole.HOST), None)


def identify(directory: RoomDirectory, room: Room, key: str) -> Publisher | None:
    """The publisher ``key`` belongs to in ``room``, or None (every hash compared, in constant time)."""
    keys = directory.list_keys(room.id)
    is_host = stream_key_matches(key, room.stream_key_hash)
    match: PublisherKey | None = None
    for record in keys:
        if usable(record, room) and stream_key_matches(key, record.key_hash) and match is None:
            match = record
    if is_host:
        host = _host_record(keys)
        return Publisher(room.id, HOST_KEY_ID, room.host or "host", KeyRole.HOST,
                         bool(host and host.muted))
    if match is not None:
        return Publisher(room.id, match.key_id, match.name, match.role, match.muted)
    return None


def usable(record: PublisherKey, room: Room) -> bool:
    """Whether a stored co-host or guest key opens ``room`` now (a guest's only in its live show)."""
    if record.revoked or not record.key_hash:
        return False
    if record.role is KeyRole.COHOST:
        return True
    return record.role is KeyRole.GUEST and room.is_live and record.show_id == room.show_id


def host_view(directory: RoomDirectory, room: Room) -> dict[str, object]:
    """The host's entry in the key list (never a key or hash)."""
    host = _host_record(directory.list_keys(room.id))
    return {"key_id": HOST_KEY_ID, "name": room.host or "host", "role": KeyRole.HOST.value,
            "muted": bool(host and host.muted), "revoked": False, "created_at": room.created_at}


def cohost_keys(directory: RoomDirectory, room_id: str) -> list[PublisherKey]:
    """The room's co-host keys, revoked ones too, oldest first."""
    return [k for k in directory.list_keys(room_id) if k.role is KeyRole.COHOST]


def guest_keys(directory: RoomDirectory, room: Room) -> list[PublisherKey]:
    """The guest keys that open the room now (its live show's, not revoked), oldest first."""
    return [k for k in directory.list_keys(room.id) if k.role is KeyRole.GUEST and usable(k, room)]


class TooManyKeys(Exception):
    """The room already holds ``MAX_COHOST_KEYS`` live co-host keys."""


def issue_cohost_key(directory: RoomDirectory, room_id: str, name: str) -> tuple[PublisherKey, str]:
    """A new co-host key: the stored record and the key itself (shown once, never stored)."""
    active = [k for k in cohost_keys(directory, room_id) if not k.revoked]
    if len(active) >= MAX_COHOST_KEYS:
        raise TooManyKeys(f"a room holds at most {MAX_COHOST_KEYS} co-host keys; revoke one first")
    key = new_stream_key()
    record = directory.add_key(PublisherKey(room_id=room_id, key_id=new_token_id(), name=name,
                                            key_hash=hash_stream_key(key)))
    return record, key


def set_muted(directory: RoomDirectory, room: Room, key_id: str, muted: bool) -> dict[str, object] | None:
    """Mute or unmute the host (``key_id == "host"``), a co-host or a guest; its view, or None if unknown."""
    if key_id == HOST_KEY_ID:
        host = _host_record(directory.list_keys(room.id))
        if host is None:
            directory.add_key(PublisherKey(room_id=room.id, key_id=HOST_KEY_ID, name="host",
                                           key_hash="", role=KeyRole.HOST, muted=muted))
        else:
            directory.update_key(replace(host, muted=muted))
        return host_view(directory, room)
    record = next((k for k in cohost_keys(directory, room.id) + guest_keys(directory, room)
                   if k.key_id == key_id), None)
    if record is None:
        return None
    return directory.update_key(replace(record, muted=muted)).public_view()


def revoke(directory: RoomDirectory, room_id: str, key_id: str) -> PublisherKey | None:
    """Revoke a co-host key for good; the stored record, or None if unknown."""
    record = next((k for k in cohost_keys(directory, room_id) if k.key_id == key_id), None)
    if record is None:
        return None
    return directory.update_key(replace(record, revoked=True))


def rotate_host_key(directory: RoomDirectory, room: Room) -> tuple[Room, str]:
    """A new host key for the room (returned once); the old one stops working at once."""
    key = new_stream_key()
    fresh = directory.get(room.id) or room
    return directory.update(replace(fresh, stream_key_hash=hash_stream_key(key))), key
