"""Who follows which host, and who has subscribed to live notices: the ``FollowBook`` port.

The skill writes it ("follow Mia", "unfollow Mia", and Alexa's
``ProactiveSubscriptionChanged`` event when a listener allows or stops notifications);
the stream server reads it when a host goes on air, to notify that host's subscribed
followers. It lives beside the rooms (the same SQLite file, the same DynamoDB table)
because both the skill and the server reach the directory, in the cloud as on one
machine. Hosts are matched case-insensitively; user ids are Alexa's, kept as given.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from room_directory.port import RoomDirectoryError


@dataclass(frozen=True)
class Follower:
    """A listener following a host: their Alexa user id and the locale they followed in."""

    user_id: str
    locale: str = "en-US"


def host_key(host: str) -> str:
    """The case-folded, space-normalised host name follows are keyed by."""
    return " ".join(host.casefold().split())


class FollowBook(Protocol):
    """Follows per host and notice subscriptions per listener."""

    def follow(self, user_id: str, host: str, *, locale: str = "en-US") -> bool:
        """Record that ``user_id`` follows ``host``; False when already followed."""
        ...

    def unfollow(self, user_id: str, host: str) -> bool:
        """Forget the follow; False when there was none."""
        ...

    def followers(self, host: str, *, subscribed_only: bool = False) -> list[Follower]:
        """Who follows ``host`` (only listeners subscribed to notices, when asked)."""
        ...

    def set_subscribed(self, user_id: str, subscribed: bool) -> None:
        """Record whether the listener allows live notices (Alexa tells the skill)."""
        ...

    def is_subscribed(self, user_id: str) -> bool:
        """Whether the listener allows live notices."""
        ...


class InMemoryFollowBook:
    """The follow book in a dict, for tests and one-process runs."""

    def __init__(self) -> None:
        self._follows: dict[str, dict[str, Follower]] = {}
        self._subscribed: set[str] = set()
        self._lock = threading.Lock()

    def follow(self, user_id: str, host: str, *, locale: str = "en-US") -> bool:
        """Record that ``user_id`` follows ``host``; False when already followed."""
        with self._lock:
            users = self._follows.setdefault(host_key(host), {})
            if user_id in users:
                return False
            users[user_id] = Follower(user_id, locale)
            return True

    def unfollow(self, user_id: str, host: str) -> bool:
        """Forget the follow; False when there was none."""
        with self._lock:
            return self._follows.get(host_key(host), {}).pop(user_id, None) is not None

    def followers(self, host: str, *, subscribed_only: bool = False) -> list[Follower]:
        """Who follows ``host`` (only listeners subscribed to notices, when asked)."""
        with self._lock:
            found = list(self._follows.get(host_key(host), {}).values())
            return [f for f in found if f.user_id in self._subscribed or not subscribed_only]

    def set_subscribed(self, user_id: str, subscribed: bool) -> None:
        """Record whether the listener allows live notices."""
        with self._lock:
            (self._subscribed.add if subscribed else self._subscribed.discard)(user_id)

    def is_subscribed(self, user_id: str) -> bool:
        """Whether the listener allows live notices."""
        with self._lock:
            return user_id in self._subscribed


_SCHEMA = """
CREATE TABLE IF NOT EXISTS follows (
    host_key TEXT NOT NULL, user_id TEXT NOT NULL, locale TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (host_key, user_id));
CREATE TABLE IF NOT EXISTS notice_subscriptions (
    user_id TEXT PRIMARY KEY, subscribed_at REAL NOT NULL);
"""


class SqliteFollowBook:
    """The follow book in the directory's SQLite file (its own two tables), WAL mode."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._local = threading.local()
        try:
            self._connect().executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise RoomDirectoryError(f"cannot prepare follows in {self._path}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def _run(self, query: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._connect().execute(query, params)
        except sqlite3.Error as exc:
            raise RoomDirectoryError(str(exc)) from exc

    def follow(self, user_id: str, host: str, *, locale: str = "en-US") -> bool:
        """Record that ``user_id`` follows ``host``; False when already followed."""
        cursor = self._run("INSERT OR IGNORE INTO follows VALUES (?, ?, ?, ?)",
                           (host_key(host), user_id, locale, time.time()))
        return cursor.rowcount == 1

    def unfollow(self, user_id: str, host: str) -> bool:
        """Forget the follow; False when there was none."""
        cursor = self._run("DELETE FROM follows WHERE host_key = ? AND user_id = ?",
                           (host_key(host), user_id))
        return cursor.rowcount == 1

    def followers(self, host: str, *, subscribed_only: bool = False) -> list[Follower]:
        """Who follows ``host`` (only listeners subscribed to notices, when asked)."""
        query = "SELECT f.user_id, f.locale FROM follows f"
        if subscribed_only:
            query += " JOIN notice_subscriptions s ON s.user_id = f.user_id"
        rows = self._run(query + " WHERE f.host_key = ? ORDER BY f.created_at",
                         (host_key(host),)).fetchall()
        return [Follower(user_id, locale) for user_id, locale in rows]

    def set_subscribed(self, user_id: str, subscribed: bool) -> None:
        """Record whether the listener allows live notices."""
        if subscribed:
            self._run("INSERT OR IGNORE INTO notice_subscriptions VALUES (?, ?)",
                      (user_id, time.time()))
        else:
            self._run("DELETE FROM notice_subscriptions WHERE user_id = ?", (user_id,))

    def is_subscribed(self, user_id: str) -> bool:
        """Whether the listener allows live notices."""
        row = self._run("SELECT 1 FROM notice_subscriptions WHERE user_id = ?",
                        (user_id,)).fetchone()
        return row is not None


def open_follow_book(directory_url: str) -> FollowBook:
    """The follow book beside the directory named by ``directory_url`` (see ``open_directory``)."""
    if directory_url == "memory:":
        return InMemoryFollowBook()
    if directory_url.startswith("sqlite:///"):
        path = Path(directory_url.removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteFollowBook(path)
    if directory_url.startswith("dynamodb://"):
        from room_directory.follows_dynamodb import dynamodb_follow_book

        return dynamodb_follow_book(directory_url)
    raise ValueError(f"unknown room directory {directory_url!r}")
