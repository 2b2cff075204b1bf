"""AudioPlayer stream tokens: a fresh token per play that still names what it plays.

A token is ``<room id>:<32 hex digits>`` for a live room, followed by ``:show=<show id>``
for a replay and ``:retry`` once a failed stream was retried. Room ids never contain
``:`` (see ``room_directory.ROOM_ID_PATTERN``), so the room is the part before the first
colon. Screens cache metadata per token, hence a new one for every Play.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from room_directory.models import ROOM_ID_PATTERN

_SHOW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class StreamToken:
    """What one play is: a room, maybe a show's replay, maybe already a retry."""

    room_id: str
    nonce: str
    show_id: str | None = None
    retried: bool = False

    def encode(self) -> str:
        """The token string sent in the Play directive."""
        parts = [self.room_id, self.nonce]
        if self.show_id:
            parts.append(f"show={self.show_id}")
        if self.retried:
            parts.append("retry")
        return ":".join(parts)

    @property
    def is_replay(self) -> bool:
        """True when the token plays a show's replay rather than the live edge."""
        return self.show_id is not None


def new_stream_token(room_id: str, *, show_id: str | None = None, retried: bool = False) -> str:
    """A fresh, unique token for one play of ``room_id`` (or of its show ``show_id``)."""
    return StreamToken(room_id, uuid.uuid4().hex, show_id, retried).encode()


def parse_token(token: str | None) -> StreamToken | None:
    """The play a token names, or None when the token is not one of ours."""
    if not token or ":" not in token:
        return None
    room_id, nonce, *rest = token.split(":")
    if not ROOM_ID_PATTERN.fullmatch(room_id) or not nonce:
        return None
    show_id: str | None = None
    retried = False
    for part in rest:
        if part.startswith("show=") and _SHOW_ID.fullmatch(part[5:]):
            show_id = part[5:]
        elif part == "retry":
            retried = True
        else:
            return None
    return StreamToken(room_id, nonce, show_id, retried)


def room_id_from_token(token: str | None) -> str | None:
    """The room id a token was made for, or None when the token is not one of ours."""
    parsed = parse_token(token)
    return parsed.room_id if parsed else None

