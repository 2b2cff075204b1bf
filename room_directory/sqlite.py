"""The SQLite room directory: the embedded default, one file in WAL mode."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from room_directory.models import Room, RoomStatus
from room_directory.port import RoomDirectoryError, RoomExists, RoomNotFound

_COLUMNS = (
    "id, title, stream_key_hash, host, genre, topics, description, status, "
    "show_id, live_since, created_at, updated_at, tags"
)


def _row_to_room(row: sqlite3.Row) -> Room:
    return Room(
        id=row["id"],
        title=row["title"],
        stream_key_hash=row["stream_key_hash"],
        host=row["host"],
        genre=row["genre"],
        topics=tuple(json.loads(row["topics"])),
        description=row["description"],
        status=RoomStatus(row["status"]),
        show_id=row["show_id"],
        live_since=row["live_since"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        tags=tuple(json.loads(row["tags"])),
    )


def _room_to_params(room: Room) -> tuple[Any, ...]:
    return (
        room.id,
        room.title,
        room.stream_key_hash,
        room.host,
        room.genre,
        json.dumps(list(room.topics)),
        room.description,
        room.status.value,
        room.show_id,
        room.live_since,
        room.created_at,
        room.updated_at,
        json.dumps(list(room.tags)),
    )


class SqliteRoomDirectory:
    """Rooms in one SQLite file; one connection per thread, WAL so readers never wait."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._local = threading.local()
        schema = resources.files("room_directory").joinpath("schema.sql").read_text()
        with self._connect() as conn:
            conn.executescript(schema)

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self._path, timeout=10, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as exc:
                raise RoomDirectoryError(f"cannot open room directory {self._path}: {exc}") from exc
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def create(self, room: Room) -> Room:
        """Store a new room; raise ``RoomExists`` when its id is taken."""
        now = time.time()
        stored = replace(room, created_at=room.created_at or now, updated_at=now)
        placeholders = ", ".join("?" * 13)
        try:
            self._connect().execute(
                f"INSERT INTO rooms ({_COLUMNS}) VALUES ({placeholders})", _room_to_params(stored)
            )
        except sqlite3.IntegrityError as exc:
            raise RoomExists(room.id) from exc
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc
        return stored

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        try:
            row = self._connect().execute(
                f"SELECT {_COLUMNS} FROM rooms WHERE id = ?", (room_id,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc
        return _row_to_room(row) if row else None

    def list_rooms(self, *, live_only: bool = False) -> list[Room]:
        """Every room (or only live ones), newest first."""
        query = f"SELECT {_COLUMNS} FROM rooms"
        params: tuple[str, ...] = ()
        if live_only:
            query += " WHERE status = ?"
            params = (RoomStatus.LIVE.value,)
        query += " ORDER BY created_at DESC, id DESC"
        try:
            rows = self._connect().execute(query, params).fetchall()
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc
        return [_row_to_room(r) for r in rows]

    def update(self, room: Room) -> Room:
        """Replace a stored room; raise ``RoomNotFound`` when it is absent."""
        stored = replace(room, updated_at=time.time())
        params = _room_to_params(stored)
        assignments = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(",")[1:])
        try:
            cur = self._connect().execute(
                f"UPDATE rooms SET {assignments} WHERE id = ?", (*params[1:], room.id)
            )
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc
        if cur.rowcount == 0:
            raise RoomNotFound(room.id)
        return stored
