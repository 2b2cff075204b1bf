"""The local-directory segment store: files under ``<hls dir>/<room>/``, as nginx or Flask serve them.

Segments are moved into place with a rename; playlists are written to a temp file beside
the target, fsynced and renamed over it, so no reader ever sees half of one.
"""

from __future__ import annotations

import os
import tempfile
from functools import partial
from pathlib import Path

from stream_server.stores.port import SegmentStoreError, StrayRule, removable


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

    def sweep(self, is_stray: StrayRule) -> int:
        """Remove temp files a crash left and every file ``is_stray`` names that no kept playlist names."""
        removed = 0
        for room_id, files in self.listing().items():
            room_dir = self.root / room_id
            temps = {name for name in files if name.startswith(".tmp-")}
            doomed = removable(set(files) - temps, partial(self.read_text, room_id),
                               partial(is_stray, room_id))
            for name in sorted(temps | doomed):
                (room_dir / name).unlink(missing_ok=True)
                removed += 1
        return removed

    def listing(self) -> dict[str, dict[str, int]]:
        """Every room folder's files and their sizes."""
        rooms = [p for p in self.root.iterdir() if p.is_dir()] if self.root.is_dir() else []
        found: dict[str, dict[str, int]] = {}
        for room_dir in rooms:
            found[room_dir.name] = {entry.name: entry.stat().st_size for entry in os.scandir(room_dir)
                                    if entry.is_file(follow_symlinks=False)}
        return found

    def read_text(self, room_id: str, name: str) -> str | None:
        """A playlist's text, or None when absent or unreadable."""
        try:
            return (self.root / room_id / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
