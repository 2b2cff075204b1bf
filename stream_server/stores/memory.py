"""The in-memory segment store: published files kept as bytes, for tests and tools.

It keeps the port's promises a reader can check: a playlist replaces the old text at once,
a segment's file is taken from its source (moved, as the local store does), and every
call is recorded in ``calls`` in order, so a test can see that a segment went out before
the playlist naming it. ``fail_with`` makes every later call raise (an outage).
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

from stream_server.stores.port import SegmentStoreError, StrayRule, removable


class MemorySegmentStore:
    """Files per room in a dict; ``calls`` lists ``(op, room_id, name)`` in the order they came."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, bytes]] = {}
        self.calls: list[tuple[str, str, str]] = []
        #: when set, every call raises this (an outage of the store)
        self.fail_with: SegmentStoreError | None = None
        self._lock = threading.Lock()

    def _record(self, op: str, room_id: str, name: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.calls.append((op, room_id, name))

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        """Take the segment's bytes and remove its source file, as a rename would."""
        with self._lock:
            self._record("segment", room_id, name)
            try:
                data = source.read_bytes()
                source.unlink()
            except OSError as exc:
                raise SegmentStoreError(f"cannot publish {room_id}/{name}: {exc}") from exc
            self.files.setdefault(room_id, {})[name] = data

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        """Replace the playlist's text."""
        with self._lock:
            self._record("playlist", room_id, name)
            self.files.setdefault(room_id, {})[name] = text.encode()

    def delete(self, room_id: str, name: str) -> None:
        """Forget a file, if there."""
        with self._lock:
            self._record("delete", room_id, name)
            self.files.get(room_id, {}).pop(name, None)

    def sweep(self, is_stray: StrayRule) -> int:
        """Forget every file ``is_stray`` names that no kept playlist names; how many."""
        with self._lock:
            stray = [(room, name) for room, names in self.files.items()
                     for name in removable(names, partial(self._text, room), partial(is_stray, room))]
            for room, name in stray:
                del self.files[room][name]
            return len(stray)

    def listing(self) -> dict[str, dict[str, int]]:
        """Every room's files and their sizes."""
        with self._lock:
            return {room: {name: len(data) for name, data in names.items()}
                    for room, names in self.files.items()}

    def read_text(self, room_id: str, name: str) -> str | None:
        """A published file's text, or None."""
        with self._lock:
            return self._text(room_id, name)

    def _text(self, room_id: str, name: str) -> str | None:
        data = self.files.get(room_id, {}).get(name)
        return None if data is None else data.decode("utf-8", errors="replace")

    def read(self, room_id: str, name: str) -> bytes | None:
        """A published file's bytes, or None."""
        with self._lock:
            return self.files.get(room_id, {}).get(name)

    def text(self, room_id: str, name: str) -> str:
        """A published playlist's text (KeyError when absent)."""
        data = self.read(room_id, name)
        if data is None:
            raise KeyError(f"{room_id}/{name} is not published")
        return data.decode()
