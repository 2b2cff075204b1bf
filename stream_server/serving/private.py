"""Private rooms made known to the file servers: a ``.private`` marker in the room's HLS folder.

nginx (``deploy/nginx``) and the embedded fast path (``hls_fast``) decide "signed path
required" from the marker alone, so no request asks the room directory. The stream server
keeps the markers in step with the directory: ``PrivateMarkerSync`` writes the marker of
every private room (creating its folder, so a new private room is closed before its first
segment exists) and removes it when a room turns public (the marker of a room that left the
directory stays: its files stay closed), once at start and then every
``interval`` seconds (default 1 s). A room turned private mid-show is closed within that
interval.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from room_directory import ROOM_ID_PATTERN, RoomDirectory
from stream_server.serving.rules import PRIVATE_MARKER

log = logging.getLogger(__name__)


def is_private(hls_dir: str | Path, room_id: str) -> bool:
    """Whether the room's folder carries the private marker."""
    return os.path.exists(os.path.join(hls_dir, room_id, PRIVATE_MARKER))


def sync_markers(directory: RoomDirectory, hls_dir: Path) -> set[str]:
    """Make the markers match the directory; the private room ids."""
    rooms = directory.list_rooms(include_private=True)
    private = {room.id for room in rooms if room.private}
    public = {room.id for room in rooms if not room.private}
    for room_id in private:
        marker = hls_dir / room_id / PRIVATE_MARKER
        if not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    if hls_dir.is_dir():
        for marker in hls_dir.glob(f"*/{PRIVATE_MARKER}"):
            room_id = marker.parent.name
            if ROOM_ID_PATTERN.match(room_id) and room_id in public:  # unknown rooms stay closed
                marker.unlink(missing_ok=True)
    return private


class PrivateMarkerSync:
    """A daemon thread that runs ``sync_markers`` every ``interval`` seconds until stopped."""

    def __init__(self, directory: RoomDirectory, hls_dir: Path, interval: float = 1.0) -> None:
        self._directory = directory
        self._hls_dir = hls_dir
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="private-markers", daemon=True)

    def start(self) -> None:
        """Sync once now (so the server never starts open), then keep syncing in the background."""
        sync_markers(self._directory, self._hls_dir)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                sync_markers(self._directory, self._hls_dir)
            except Exception:  # a directory hiccup must not stop the syncing
                log.exception("syncing private-room markers failed")

    def stop(self) -> None:
        """Stop syncing (the markers stay: rooms remain closed while the server is down)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
