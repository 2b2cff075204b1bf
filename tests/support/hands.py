"""Hands in tests: a room put on air in the directory (no encoder), bearer headers, a hook spy."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from room_directory import RoomDirectory, RoomStatus


def bearer(token: str) -> dict[str, str]:
    """An ``Authorization: Bearer`` header."""
    return {"Authorization": f"Bearer {token}"}


def put_on_air(directory: RoomDirectory, room_id: str, show_id: str) -> None:
    """Mark a room live with ``show_id``, as going live does (the pipeline itself is not needed)."""
    room = directory.get(room_id)
    assert room is not None
    directory.update(replace(room, status=RoomStatus.LIVE, show_id=show_id, live_since=time.time()))


class RevocationSpy:
    """A stand-in stage engine: records every key-revoked event and says it cut a session."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def __call__(self, room_id: str, key_id: str, reason: str) -> bool:
        self.events.append((room_id, key_id, reason))
        return True

    def attach(self, app: Any) -> RevocationSpy:
        """Subscribe to ``app``'s key events, as a stage engine would."""
        from stream_server import auth

        auth.key_events(app).on_revoked.append(self)
        return self
