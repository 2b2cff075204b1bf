"""AudioPlayer stream tokens: a fresh token per play that still names its room.

A token is ``<room id>:<32 hex digits>``. Room ids never contain ``:`` (see
``room_directory.ROOM_ID_PATTERN``), so the room is the part before the first colon.
Screens cache metadata per token, hence a new one for every Play.
"""

from __future__ import annotations

import uuid

from room_directory import ROOM_ID_PATTERN, Room, RoomDirectory


def new_stream_token(room_id: str) -> str:
    """A fresh, unique token for one play of ``room_id``."""
    return f"{room_id}:{uuid.uuid4().hex}"


def room_id_from_token(token: str | None) -> str | None:
    """The room id a token was made for, or None when the token is not one of ours."""
    if not token or ":" not in token:
        return None
    room_id = token.split(":", 1)[0]
    return room_id if ROOM_ID_PATTERN.fullmatch(room_id) else None


def room_for_token(directory: RoomDirectory, token: str | None) -> Room | None:
    """The room a token was made for, if it still exists in ``directory``."""
    room_id = room_id_from_token(token)
    return directory.get(room_id) if room_id else None
