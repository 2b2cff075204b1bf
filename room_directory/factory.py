"""Pick the room-directory adapter from configuration."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from room_directory.memory import InMemoryRoomDirectory
from room_directory.port import RoomDirectory
from room_directory.sqlite import SqliteRoomDirectory


def open_directory(url: str) -> RoomDirectory:
    """Open the directory named by ``url``.

    ``sqlite:///path/rooms.db``, ``memory:`` or ``dynamodb://<table>[?region=R&endpoint=URL]``
    (region and endpoint default to boto3's own resolution; the client is made on first use).
    """
    if url == "memory:":
        return InMemoryRoomDirectory()
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteRoomDirectory(path)
    if url.startswith("dynamodb://"):
        from room_directory.dynamodb import DynamoDbRoomDirectory

        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if not parts.netloc:
            raise ValueError(f"room directory {url!r} names no table: use dynamodb://TABLE")
        return DynamoDbRoomDirectory(parts.netloc, region=query.get("region") or None,
                                     endpoint_url=query.get("endpoint") or None)
    raise ValueError(
        f"unknown room directory {url!r}: use sqlite:///PATH, memory: or dynamodb://TABLE"
    )
