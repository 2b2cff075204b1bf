"""Where published segments and playlists go: the port and its local-directory adapter.

A segment is always published before any playlist that names it; playlists are
replaced atomically (temp file + rename), so no reader ever sees half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol


class SegmentStoreError(Exception):
    """Publishing or removing a file failed."""


class SegmentStore(Protocol):
    """A place listeners read from: a local directory (nginx, Flask) or a bucket (CloudFront)."""

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        """Take the finished segment file at ``source`` and publish it as ``name``."""
        ...

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        """Publish (or atomically replace) a playlist."""
        ...

    def delete(self, room_id: str, name: str) -> None:
        """Remove a published file; absent files are fine."""
        ...


class LocalSegmentStore:
    """Segments and playlists under ``root/<room id>/``, as nginx or Flask serve them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _room_dir(self, room_id: str) -> Path:
        path = self.root / room_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        """Move the finished file into place (same filesystem: an atomic rename)."""
        try:
            os.replace(source, self._room_dir(room_id) / name)
        except OSError as exc:
            raise SegmentStoreError(f"cannot publish {room_id}/{name}: {exc}") from exc

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        """Write to a temp file beside the target, fsync, then rename over it."""
        directory = self._room_dir(room_id)
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".m3u8")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, directory / name)
        except OSError as exc:
            raise SegmentStoreError(f"cannot publish {room_id}/{name}: {exc}") from exc

    def delete(self, room_id: str, name: str) -> None:
        """Remove a published file, if there."""
        try:
            (self.root / room_id / name).unlink(missing_ok=True)
        except OSError as exc:
            raise SegmentStoreError(f"cannot delete {room_id}/{name}: {exc}") from exc
