"""Per-listener state storage behind ask-sdk's persistence port.

Adapters implement ``AbstractPersistenceAdapter`` (get/save/delete of one JSON object
per Alexa user). ``persistence_from_url`` picks one from configuration
(``LIVESTAGE_SKILL_STATE``) and builds nothing until the first request uses it:

==============================  ==================================================
``sqlite:///PATH``              ``SqlitePersistenceAdapter`` (the embedded default)
``dynamodb://TABLE[?region=R]`` ask-sdk's ``DynamoDbAdapter`` (``skill.storage.state_dynamodb``)
``memory:``                     ``MemoryPersistenceAdapter`` (tests, throwaway runs)
==============================  ==================================================

Every backend failure surfaces as ``PersistenceException`` (the SDK's one type).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_model import RequestEnvelope

from room_directory.private_files import private_database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS listener_state (
    id TEXT PRIMARY KEY,
    attributes TEXT NOT NULL
)
"""


def user_key(request_envelope: RequestEnvelope) -> str:
    """The partition key of a request: its Alexa user id (``context.System.user``)."""
    context = request_envelope.context
    system = context.system if context is not None else None
    user = system.user if system is not None else None
    user_id = user.user_id if user is not None else None
    if not user_id:
        raise PersistenceException("request has no user id")
    return str(user_id)


class MemoryPersistenceAdapter(AbstractPersistenceAdapter):
    """State in a dict: for tests and one-process runs."""

    def __init__(self) -> None:
        self._store: dict[str, str] = {}
        self._lock = threading.Lock()

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """The user's attributes, or an empty dict."""
        with self._lock:
            raw = self._store.get(user_key(request_envelope))
        return dict(json.loads(raw)) if raw else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        """Replace the user's attributes."""
        with self._lock:
            self._store[user_key(request_envelope)] = json.dumps(attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the user."""
        with self._lock:
            self._store.pop(user_key(request_envelope), None)


class SqlitePersistenceAdapter(AbstractPersistenceAdapter):
    """State in one SQLite table (WAL mode), one row per Alexa user, JSON attributes."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                private_database(self._path)
                connection = sqlite3.connect(self._path, check_same_thread=False, timeout=5.0)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute(_SCHEMA)
                connection.commit()
            except (OSError, sqlite3.Error) as exc:
                raise PersistenceException(f"cannot open listener state {self._path}: {exc}") from exc
            self._connection = connection
        return self._connection

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """The user's attributes, or an empty dict."""
        key = user_key(request_envelope)
        with self._lock:
            try:
                row = self._connect().execute(
                    "SELECT attributes FROM listener_state WHERE id = ?", (key,)).fetchone()
            except sqlite3.Error as exc:
                raise PersistenceException(f"cannot read listener state: {exc}") from exc
        return dict(json.loads(row[0])) if row else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        """Insert or replace the user's attributes."""
        key = user_key(request_envelope)
        with self._lock:
            try:
                connection = self._connect()
                connection.execute(
                    "INSERT INTO listener_state (id, attributes) VALUES (?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET attributes = excluded.attributes",
                    (key, json.dumps(attributes)))
                connection.commit()
            except sqlite3.Error as exc:
                raise PersistenceException(f"cannot write listener state: {exc}") from exc

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Forget the user."""
        key = user_key(request_envelope)
        with self._lock:
            try:
                connection = self._connect()
                connection.execute("DELETE FROM listener_state WHERE id = ?", (key,))
                connection.commit()
            except sqlite3.Error as exc:
                raise PersistenceException(f"cannot delete listener state: {exc}") from exc


class LazyPersistenceAdapter(AbstractPersistenceAdapter):
    """Builds its real adapter on the first call (no client or file opened at start-up)."""

    def __init__(self, factory: Callable[[], AbstractPersistenceAdapter]) -> None:
        self._factory = factory
        self._adapter: AbstractPersistenceAdapter | None = None
        self._lock = threading.Lock()

    @property
    def adapter(self) -> AbstractPersistenceAdapter:
        """The real adapter, built once."""
        with self._lock:
            if self._adapter is None:
                self._adapter = self._factory()
            return self._adapter

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        """Delegate to the real adapter."""
        attributes: dict[str, Any] = self.adapter.get_attributes(request_envelope)
        return attributes

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        """Delegate to the real adapter."""
        self.adapter.save_attributes(request_envelope, attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        """Delegate to the real adapter."""
        self.adapter.delete_attributes(request_envelope)


def persistence_from_url(url: str, *, data_dir: Path | None = None) -> AbstractPersistenceAdapter:
    """The adapter a ``LIVESTAGE_SKILL_STATE`` URL names, built lazily.

    An empty URL means ``skill-state.db`` in ``data_dir`` (or memory without one).
    """
    if not url:
        if data_dir is None:
            return MemoryPersistenceAdapter()
        url = f"sqlite://{Path(data_dir).resolve() / 'skill-state.db'}"
    if url == "memory:":
        return MemoryPersistenceAdapter()
    if url.startswith("sqlite:///"):
        # sqlite:///abs/path.db names /abs/path.db, as LIVESTAGE_DIRECTORY does
        if not url.removeprefix("sqlite:///"):
            raise ValueError("LIVESTAGE_SKILL_STATE sqlite:/// needs a file path")
        path = Path(url.removeprefix("sqlite://"))
        return LazyPersistenceAdapter(lambda: SqlitePersistenceAdapter(path))
    if url.startswith("dynamodb://"):
        if not url.removeprefix("dynamodb://").partition("?")[0].strip("/"):
            raise ValueError("LIVESTAGE_SKILL_STATE dynamodb:// needs a table name")
        from skill.storage.state_dynamodb import skill_state_adapter  # boto3 only when asked for

        return LazyPersistenceAdapter(lambda: skill_state_adapter(url))
    raise ValueError(f"LIVESTAGE_SKILL_STATE: unknown scheme in {url!r} "
                     "(sqlite:///PATH, dynamodb://TABLE or memory:)")
