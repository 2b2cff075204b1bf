"""The SQLite room directory: the embedded default, one file in WAL mode."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Collection
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from room_directory.models import KeyRole, Message, PublisherKey, Room, RoomStatus, Show
from room_directory.port import RoomDirectoryError, RoomExists, RoomNotFound
from room_directory.private_files import private_database
from room_directory.sqlite_hands import SqliteHands

_COLUMNS = (
    "id, title, stream_key_hash, host, genre, topics, description, status, "
    "show_id, live_since, created_at, updated_at, tags, art_url, scheduled_start, private, join_code, "
    "captions"
)
_COLUMN_COUNT = len(_COLUMNS.split(","))

#: columns added after the first release: table → name → declaration
_ADDED_COLUMNS = {
    "rooms": {
        "art_url": "TEXT NOT NULL DEFAULT ''",
        "scheduled_start": "REAL",
        "private": "INTEGER NOT NULL DEFAULT 0",
        "join_code": "TEXT",
        "captions": "INTEGER",
    },
    "publisher_keys": {"show_id": "TEXT"},
    "shows": {"transcript": "TEXT NOT NULL DEFAULT ''"},
}
_SHOW_COLUMNS = (
    "room_id, show_id, started_at, ended_at, duration, segments, title, genre, host, "
    "peak_listeners, listeners_per_minute, transcript"
)
_KEY_COLUMNS = "room_id, key_id, name, key_hash, role, muted, revoked, created_at, show_id"


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
        art_url=row["art_url"],
        scheduled_start=row["scheduled_start"],
        private=bool(row["private"]),
        join_code=row["join_code"],
        captions=None if row["captions"] is None else bool(row["captions"]),
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
        room.art_url,
        room.scheduled_start,
        int(room.private),
        room.join_code,
        None if room.captions is None else int(room.captions),
    )


def _row_to_show(row: sqlite3.Row) -> Show:
    return Show(
        room_id=row["room_id"],
        show_id=row["show_id"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        duration=row["duration"],
        segments=row["segments"],
        title=row["title"],
        genre=row["genre"],
        host=row["host"],
        peak_listeners=row["peak_listeners"],
        listeners_per_minute=tuple(json.loads(row["listeners_per_minute"])),
        transcript=row["transcript"],
    )


def _row_to_key(row: sqlite3.Row) -> PublisherKey:
    return PublisherKey(
        room_id=row["room_id"],
        key_id=row["key_id"],
        name=row["name"],
        key_hash=row["key_hash"],
        role=KeyRole(row["role"]),
        muted=bool(row["muted"]),
        revoked=bool(row["revoked"]),
        created_at=row["created_at"],
        show_id=row["show_id"],
    )


class SqliteRoomDirectory(SqliteHands):
    """Rooms in one SQLite file; one connection per thread, WAL so readers never wait."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._local = threading.local()
        private_database(self._path)  # join codes and key hashes: nobody else's to read
        schema = resources.files("room_directory").joinpath("schema.sql").read_text()
        conn = self._connect()
        try:
            conn.executescript(schema)
            for table, added in _ADDED_COLUMNS.items():
                present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                for name, declaration in added.items():
                    if name not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
            conn.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS rooms_by_join_code ON rooms (join_code) "
                "WHERE join_code IS NOT NULL"
            )
            conn.execute(
                "CREATE INDEX IF NOT EXISTS rooms_by_schedule ON rooms (scheduled_start) "
                "WHERE scheduled_start IS NOT NULL"
            )
        except sqlite3.Error as exc:
            raise RoomDirectoryError(f"cannot prepare room directory {self._path}: {exc}") from exc

    def _run(self, query: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._connect().execute(query, params)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc

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
        placeholders = ", ".join("?" * _COLUMN_COUNT)
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

    def list_rooms(
        self,
        *,
        live_only: bool = False,
        genre: str | None = None,
        host: str | None = None,
        include_private: bool = False,
    ) -> list[Room]:
        """Rooms newest first; private rooms only when ``include_private``."""
        clauses: list[str] = []
        params: list[Any] = []
        if live_only:
            clauses.append("status = ?")
            params.append(RoomStatus.LIVE.value)
        if not include_private:
            clauses.append("private = 0")
        if genre is not None:
            clauses.append("genre = ? COLLATE NOCASE")
            params.append(genre)
        if host is not None:
            clauses.append("host = ? COLLATE NOCASE")
            params.append(host)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM rooms{where} ORDER BY created_at DESC, id DESC", tuple(params)
        ).fetchall()
        return [_row_to_room(r) for r in rows]

    def scheduled_between(self, start: float, end: float) -> list[Room]:
        """Public rooms whose ``scheduled_start`` lies in ``[start, end)``, soonest first."""
        rows = self._run(
            f"SELECT {_COLUMNS} FROM rooms WHERE private = 0 AND scheduled_start >= ? "
            "AND scheduled_start < ? ORDER BY scheduled_start, id",
            (start, end),
        ).fetchall()
        return [_row_to_room(r) for r in rows]

    def find_by_join_code(self, code: str) -> Room | None:
        """The room with this spoken join code, or None."""
        row = self._run(f"SELECT {_COLUMNS} FROM rooms WHERE join_code = ?", (code,)).fetchone()
        return _row_to_room(row) if row else None

    def update(self, room: Room) -> Room:
        """Replace a stored room; raise ``RoomNotFound`` when it is absent."""
        stored = replace(room, updated_at=time.time())
        params = _room_to_params(stored)
        assignments = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(",")[1:])
        try:
            cur = self._connect().execute(
                f"UPDATE rooms SET {assignments} WHERE id = ?", (*params[1:], room.id)
            )
        except sqlite3.IntegrityError as exc:
            raise RoomExists(room.id) from exc
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc
        if cur.rowcount == 0:
            raise RoomNotFound(room.id)
        return stored

    # -- leases --------------------------------------------------------------------------

    def claim(self, room_id: str, node_id: str, until: float, *, now: float) -> bool:
        """Take or renew the room's lease (one conditional upsert, atomic in SQLite)."""
        cur = self._run(
            "INSERT INTO leases (room_id, node_id, until) VALUES (?, ?, ?) "
            "ON CONFLICT (room_id) DO UPDATE SET node_id = excluded.node_id, until = excluded.until "
            "WHERE leases.node_id = excluded.node_id OR leases.until < ?",
            (room_id, node_id, until, now),
        )
        return cur.rowcount == 1

    def release(self, room_id: str, node_id: str) -> None:
        """Give the lease up if ``node_id`` holds it."""
        self._run("UPDATE leases SET until = 0 WHERE room_id = ? AND node_id = ?", (room_id, node_id))

    def lease_of(self, room_id: str) -> tuple[str, float] | None:
        """``(node_id, until)`` of the room's lease, or None."""
        row = self._run("SELECT node_id, until FROM leases WHERE room_id = ?", (room_id,)).fetchone()
        return (row["node_id"], row["until"]) if row else None

    # -- publisher keys ------------------------------------------------------------------

    def add_key(self, key: PublisherKey) -> PublisherKey:
        """Store a new co-host key."""
        stored = replace(key, created_at=key.created_at or time.time())
        try:
            self._run(
                f"INSERT INTO publisher_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stored.room_id, stored.key_id, stored.name, stored.key_hash, stored.role.value,
                 int(stored.muted), int(stored.revoked), stored.created_at, stored.show_id),
            )
        except sqlite3.IntegrityError as exc:
            raise RoomExists(key.key_id) from exc
        return stored

    def list_keys(self, room_id: str) -> list[PublisherKey]:
        """The room's co-host keys, oldest first."""
        rows = self._run(
            f"SELECT {_KEY_COLUMNS} FROM publisher_keys WHERE room_id = ? ORDER BY created_at, key_id",
            (room_id,),
        ).fetchall()
        return [_row_to_key(r) for r in rows]

    def update_key(self, key: PublisherKey) -> PublisherKey:
        """Replace a stored key."""
        cur = self._run(
            "UPDATE publisher_keys SET name = ?, key_hash = ?, role = ?, muted = ?, revoked = ?, "
            "show_id = ? WHERE room_id = ? AND key_id = ?",
            (key.name, key.key_hash, key.role.value, int(key.muted), int(key.revoked), key.show_id,
             key.room_id, key.key_id),
        )
        if cur.rowcount == 0:
            raise RoomNotFound(key.key_id)
        return key

    # -- shows ---------------------------------------------------------------------------

    def save_show(self, show: Show) -> Show:
        """Insert or replace a show record."""
        self._run(
            f"INSERT OR REPLACE INTO shows ({_SHOW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (show.room_id, show.show_id, show.started_at, show.ended_at, show.duration,
             show.segments, show.title, show.genre, show.host, show.peak_listeners,
             json.dumps(list(show.listeners_per_minute)), show.transcript),
        )
        return show

    def get_show(self, room_id: str, show_id: str) -> Show | None:
        """One show of a room, or None."""
        row = self._run(
            f"SELECT {_SHOW_COLUMNS} FROM shows WHERE room_id = ? AND show_id = ?", (room_id, show_id)
        ).fetchone()
        return _row_to_show(row) if row else None

    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]:
        """Shows of one room (or all), newest start first."""
        clauses: list[str] = []
        params: list[Any] = []
        if room_id is not None:
            clauses.append("room_id = ?")
            params.append(room_id)
        if ended_only:
            clauses.append("ended_at IS NOT NULL")
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._run(
            f"SELECT {_SHOW_COLUMNS} FROM shows{where} ORDER BY started_at DESC, show_id DESC",
            tuple(params),
        ).fetchall()
        return [_row_to_show(r) for r in rows]

    def delete_show(self, room_id: str, show_id: str) -> None:
        """Forget a show record."""
        self._run("DELETE FROM shows WHERE room_id = ? AND show_id = ?", (room_id, show_id))

    # -- messages ------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store a listener's message to the room's host."""
        stored = replace(message, created_at=message.created_at or time.time())
        try:
            self._run(
                "INSERT INTO messages (room_id, message_id, text, sender, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (stored.room_id, stored.message_id, stored.text, stored.sender, stored.created_at),
            )
        except sqlite3.IntegrityError as exc:
            raise RoomExists(message.message_id) from exc
        return stored

    def list_messages(self, room_id: str, *, since: float = 0.0, limit: int = 50) -> list[Message]:
        """The room's messages after ``since``, oldest first."""
        rows = self._run(
            "SELECT room_id, message_id, text, sender, created_at FROM messages "
            "WHERE room_id = ? AND created_at > ? ORDER BY created_at, message_id LIMIT ?",
            (room_id, since, limit),
        ).fetchall()
        return [
            Message(room_id=r["room_id"], message_id=r["message_id"], text=r["text"],
                    sender=r["sender"], created_at=r["created_at"])
            for r in rows
        ]

    def add_listeners(self, room_id: str, minute: int, listeners: Collection[str]) -> None:
        """Add the listener ids seen in one minute of a room (a set union: duplicates are ignored)."""
        conn = self._connect()
        try:
            conn.execute("BEGIN")  # one transaction for the minute: thousands of ids in one write
            try:
                conn.executemany("INSERT OR IGNORE INTO listener_minutes (room_id, minute, listener) "
                                 "VALUES (?, ?, ?)", [(room_id, minute, listener) for listener in listeners])
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc

    def listener_minutes(self, room_id: str, first: int, last: int) -> dict[int, int]:
        """Distinct listeners of each minute in ``[first, last]`` that has any."""
        rows = self._run("SELECT minute, COUNT(*) FROM listener_minutes WHERE room_id = ? "
                         "AND minute BETWEEN ? AND ? GROUP BY minute ORDER BY minute", (room_id, first, last))
        return {int(minute): int(count) for minute, count in rows.fetchall()}
