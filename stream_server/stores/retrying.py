"""A segment store that rides out an outage of the store it wraps, losing no segment.

When the inner store (a directory, a bucket) fails, finished segments are kept in a spool
folder under the room's work dir, and playlists are held (the latest text per name). On
every later call the spool is flushed first, in order, so the DESIGN.md §4 rule holds: a
segment is always published before any playlist naming it. Listeners meanwhile see the last
playlist that made it (stale, never going backwards); the show log records every segment,
so the replay is complete once the store is back.

The spool is bounded (``max_pending`` segments per room); past that, publishing fails as
the inner store does. A spool left by an earlier process (killed while the store was down)
is picked up when the store is built and published first, since the show log already names
those segments.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from stream_server.stores.port import SegmentStore, SegmentStoreError, StrayRule

log = logging.getLogger(__name__)

#: Folder, inside ``<work root>/<room>/``, of segments waiting for the store to come back.
SPOOL_FOLDER = "spool"


@dataclass
class _Pending:
    segments: deque[tuple[str, Path]] = field(default_factory=deque)
    playlists: dict[str, str] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    #: held while this room's files are published; rooms never wait for each other
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __bool__(self) -> bool:
        return bool(self.segments or self.playlists or self.deletes)


class RetryingSegmentStore:
    """Wraps a ``SegmentStore``; failures are retried on the next call instead of losing audio."""

    def __init__(self, inner: SegmentStore, work_root: Path, *, max_pending: int = 1800) -> None:
        self.inner = inner
        self._work_root = work_root
        self._max_pending = max_pending
        self._lock = threading.Lock()  # guards the dict only; each room has its own lock
        self._pending: dict[str, _Pending] = {}
        self._recover_spools()

    def _recover_spools(self) -> None:
        """Queue segments a previous process spooled but never published, then try to flush them."""
        for folder in sorted(self._work_root.glob(f"*/{SPOOL_FOLDER}")):
            room_id = folder.parent.name
            files = sorted(folder.glob("*.ts"), key=lambda p: (p.stem.rsplit("-", 1)[-1], p.name))
            if not files:
                continue
            pending = self._room(room_id)
            with pending.lock:
                pending.segments.extend((path.name, path) for path in files)
                self._flush_locked(room_id, pending)

    def pending_segments(self, room_id: str) -> int:
        """Segments of the room waiting for the store."""
        with self._lock:
            pending = self._pending.get(room_id)
        if pending is None:
            return 0
        with pending.lock:
            return len(pending.segments)

    def _spool(self, room_id: str, name: str, source: Path, pending: _Pending) -> None:
        if len(pending.segments) >= self._max_pending:
            raise SegmentStoreError(f"store down and {room_id}'s spool is full; {name} dropped")
        folder = self._work_root / room_id / SPOOL_FOLDER
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            shutil.move(source, target)
        except OSError as exc:
            raise SegmentStoreError(f"cannot spool {room_id}/{name}: {exc}") from exc
        pending.segments.append((name, target))

    def _flush_locked(self, room_id: str, pending: _Pending) -> bool:
        """Publish what waits, in order; True when nothing is left waiting."""
        try:
            while pending.segments:
                name, path = pending.segments[0]
                self.inner.publish_segment(room_id, name, path)
                pending.segments.popleft()
            for name in list(pending.playlists):
                self.inner.publish_playlist(room_id, name, pending.playlists[name])
                del pending.playlists[name]
            while pending.deletes:
                self.inner.delete(room_id, pending.deletes[0])
                pending.deletes.pop(0)
        except (SegmentStoreError, OSError):
            return False
        log.warning("room %s: segment store is back, spool flushed", room_id)
        return True

    def _room(self, room_id: str) -> _Pending:
        with self._lock:
            pending = self._pending.get(room_id)
            if pending is None:
                pending = self._pending[room_id] = _Pending()
            return pending

    def flush(self, room_id: str) -> bool:
        """Try to publish everything waiting for the room; True when nothing is left."""
        with self._lock:
            pending = self._pending.get(room_id)
        if pending is None:
            return True
        with pending.lock:
            return not pending or self._flush_locked(room_id, pending)

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        """Publish the segment, or spool it (in order) while the store is failing."""
        pending = self._room(room_id)
        with pending.lock:
            if pending and not self._flush_locked(room_id, pending):
                self._spool(room_id, name, source, pending)
                return
            try:
                self.inner.publish_segment(room_id, name, source)
            except (SegmentStoreError, OSError) as exc:
                log.warning("room %s: segment store failing (%s); spooling", room_id, exc)
                if not source.exists():
                    raise SegmentStoreError(f"{room_id}/{name} lost: {exc}") from exc
                self._spool(room_id, name, source, pending)

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        """Publish the playlist once every earlier segment is out; else hold its latest text."""
        pending = self._room(room_id)
        with pending.lock:
            pending.playlists.pop(name, None)
            if pending and not self._flush_locked(room_id, pending):
                pending.playlists[name] = text
                return
            try:
                self.inner.publish_playlist(room_id, name, text)
            except (SegmentStoreError, OSError) as exc:
                log.warning("room %s: cannot publish %s (%s); holding it", room_id, name, exc)
                pending.playlists[name] = text

    def delete(self, room_id: str, name: str) -> None:
        """Remove a published (or still spooled) file; retried later while the store fails."""
        pending = self._room(room_id)
        with pending.lock:
            for item in list(pending.segments):
                if item[0] == name:
                    pending.segments.remove(item)
                    item[1].unlink(missing_ok=True)
                    return
            try:
                self.inner.delete(room_id, name)
            except (SegmentStoreError, OSError):
                pending.deletes.append(name)

    def sweep(self, is_stray: StrayRule) -> int:
        """Sweep the wrapped store (files still spooled here are not published, so not swept)."""
        return self.inner.sweep(is_stray)

    def listing(self) -> dict[str, dict[str, int]]:
        """The wrapped store's files (spooled ones are not published yet)."""
        return self.inner.listing()

    def read_text(self, room_id: str, name: str) -> str | None:
        """A playlist as the wrapped store has it."""
        return self.inner.read_text(room_id, name)


def spool_is_empty(work_root: Path, room_id: str) -> bool:
    """Whether the room's spool folder holds no segment (for tests and restart cleanup)."""
    folder = work_root / room_id / SPOOL_FOLDER
    return not folder.exists() or not any(os.scandir(folder))
