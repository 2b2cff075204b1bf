"""Who is calling about a room: the admin, the room's host or one of its co-hosts.

The console signs in with the admin token or with a room's stream key (host or co-host);
every call carries it as ``Authorization: Bearer <token>``. Keys are compared in constant
time against their stored hashes; the key itself is never logged.
"""

from __future__ import annotations

import hmac
from enum import StrEnum

from flask import request

from room_directory import ROOM_ID_PATTERN, KeyRole, Room
from stream_server.publisher_keys import identify
from stream_server.services import current_services


class Caller(StrEnum):
    """The role the presented token gives its bearer for one room."""

    ADMIN = "admin"
    HOST = "host"
    COHOST = "cohost"


def bearer_token() -> str | None:
    """The token of the request's ``Authorization: Bearer …`` header, if any."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def is_admin(token: str | None) -> bool:
    """Whether ``token`` is this server's admin token."""
    admin = current_services().settings.admin_token
    return bool(admin and token) and hmac.compare_digest(str(token).encode(), admin.encode())


def caller_for(room: Room | None, token: str | None) -> Caller | None:
    """The caller's role for ``room`` (None: the token opens nothing there)."""
    if token is None:
        return None
    if is_admin(token):
        return Caller.ADMIN
    if room is None:
        return None
    publisher = identify(current_services().directory, room, token)
    if publisher is None:
        return None
    return Caller.HOST if publisher.role is KeyRole.HOST else Caller.COHOST


def room_or_none(room_id: str | None) -> Room | None:
    """The room with this id, or None when the id is malformed or unknown."""
    if not room_id or not ROOM_ID_PATTERN.match(room_id):
        return None
    return current_services().directory.get(room_id)
