"""Room helpers of the browser tests: create rooms, read their playlists like a player."""

from __future__ import annotations

import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any

import m3u8

from room_directory import Room, SqliteRoomDirectory
from tests.support import LiveServer


def create_room(server: LiveServer, **fields: Any) -> dict[str, Any]:
    """Create a room through the API (admin) and return its view with the stream key."""
    status, body = server.request("POST", "/api/rooms", fields, admin=True)
    assert status == 201, body
    return dict(body)


def edit_room(server: LiveServer, room_id: str, **changes: Any) -> Room:
    """Change a room directly in the server's SQLite directory (test set-up only)."""
    directory = SqliteRoomDirectory(server.data_dir / "rooms.db")
    room = directory.get(room_id)
    assert room is not None
    return directory.update(replace(room, **changes))


def media_playlist(server: LiveServer, room_id: str, name: str = "live.m3u8") -> m3u8.M3U8 | None:
    """The room's media playlist: the entry playlist, or its first variant when it is a master."""
    text = server.get_text(f"/hls/{room_id}/{name}")
    if not text:
        return None
    parsed = m3u8.loads(text)
    if parsed.is_variant:
        variant = parsed.playlists[0].uri.split("?")[0]
        text = server.get_text(f"/hls/{room_id}/{variant}")
        return m3u8.loads(text) if text else None
    return parsed


def listed(server: LiveServer, room_id: str) -> int:
    """How many segments the room has listed so far (media sequence + window)."""
    parsed = media_playlist(server, room_id)
    return 0 if parsed is None else int(parsed.media_sequence or 0) + len(parsed.segments)


def download_segments(server: LiveServer, room_id: str, uris: list[str], dest: Path) -> Path:
    """Fetch segments and join them into one MPEG-TS file."""
    joined = dest / f"{room_id}-joined.ts"
    with joined.open("wb") as out:
        for uri in uris:
            with urllib.request.urlopen(f"{server.url}/hls/{room_id}/{uri}", timeout=5) as resp:
                out.write(resp.read())
    return joined
