"""Raised hands in the SQLite room directory: one row per hand, a version for safe updates."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from typing import Any

from room_directory.models import Hand, HandState
from room_directory.port import HandChanged, RoomExists, RoomNotFound

_HAND_COLUMNS = (
    "room_id, hand_id, show_id, name, line, state, token_hash, call_in_code, key_id, via, "
    "created_at, updated_at, version"
)


def _row_to_hand(row: sqlite3.Row) -> Hand:
    return Hand(
        room_id=row["room_id"], hand_id=row["hand_id"], show_id=row["show_id"], name=row["name"],
        line=row["line"], state=HandState(row["state"]), token_hash=row["token_hash"],
        call_in_code=row["call_in_code"], key_id=row["key_id"], via=row["via"],
        created_at=row["created_at"], updated_at=row["updated_at"], version=row["version"],
    )


def _hand_params(hand: Hand) -> tuple[Any, ...]:
    return (hand.room_id, hand.hand_id, hand.show_id, hand.name, hand.line, hand.state.value,
            hand.token_hash, hand.call_in_code, hand.key_id, hand.via, hand.created_at,
            hand.updated_at, hand.version)


class SqliteHands:
    """The hands half of ``SqliteRoomDirectory`` (it supplies ``_run``)."""

    def _run(self, query: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        raise NotImplementedError

    def add_hand(self, hand: Hand) -> Hand:
        """Store a new hand; ``RoomExists`` when its id or its room's call-in code is taken."""
        now = time.time()
        stored = replace(hand, created_at=hand.created_at or now, updated_at=now, version=0)
        try:
            self._run(f"INSERT INTO hands ({_HAND_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                      _hand_params(stored))
        except sqlite3.IntegrityError as exc:
            raise RoomExists(hand.hand_id) from exc
        return stored

    def get_hand(self, room_id: str, hand_id: str) -> Hand | None:
        """One hand of a room, or None."""
        row = self._run(f"SELECT {_HAND_COLUMNS} FROM hands WHERE room_id = ? AND hand_id = ?",
                        (room_id, hand_id)).fetchone()
        return _row_to_hand(row) if row else None

    def list_hands(self, room_id: str, *, show_id: str | None = None) -> list[Hand]:
        """The room's hands (of one show when ``show_id``), oldest first."""
        query = f"SELECT {_HAND_COLUMNS} FROM hands WHERE room_id = ?"
        params: tuple[Any, ...] = (room_id,)
        if show_id is not None:
            query += " AND show_id = ?"
            params += (show_id,)
        rows = self._run(query + " ORDER BY created_at, hand_id", params).fetchall()
        return [_row_to_hand(r) for r in rows]

    def replace_hand(self, hand: Hand) -> Hand:
        """Store ``hand`` if its version is still the stored one: one conditional UPDATE."""
        stored = replace(hand, updated_at=time.time(), version=hand.version + 1)
        try:
            cur = self._run(
                "UPDATE hands SET show_id = ?, name = ?, line = ?, state = ?, token_hash = ?, "
                "call_in_code = ?, key_id = ?, via = ?, updated_at = ?, version = ? "
                "WHERE room_id = ? AND hand_id = ? AND version = ?",
                (stored.show_id, stored.name, stored.line, stored.state.value, stored.token_hash,
                 stored.call_in_code, stored.key_id, stored.via, stored.updated_at, stored.version,
                 hand.room_id, hand.hand_id, hand.version),
            )
        except sqlite3.IntegrityError as exc:
            raise RoomExists(hand.hand_id) from exc
        if cur.rowcount == 0:
            current = self.get_hand(hand.room_id, hand.hand_id)
            if current is None:
                raise RoomNotFound(hand.hand_id)
            raise HandChanged(hand.hand_id)
        current = self.get_hand(hand.room_id, hand.hand_id)
        return current if current is not None else stored

    def find_hand_by_code(self, room_id: str, code: str) -> Hand | None:
        """The room's hand holding this call-in code, or None."""
        row = self._run(f"SELECT {_HAND_COLUMNS} FROM hands WHERE room_id = ? AND call_in_code = ?",
                        (room_id, code)).fetchone()
        return _row_to_hand(row) if row else None
