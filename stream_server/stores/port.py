"""The segment store port: what the packager and the sweep need from wherever files are published.

A segment is always published before any playlist that names it; playlists are replaced
atomically, so no reader ever sees half of one. Adapters: ``local`` (a folder, the embedded
default), ``memory`` (tests and tools), ``s3`` and ``retrying`` (a wrapper riding out outages).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

#: ``is_stray(room_id, name)``: whether a published file is left over and may go
StrayRule = Callable[[str, str], bool]


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

    def sweep(self, is_stray: StrayRule) -> int:
        """Remove the published files ``is_stray`` names, and the store's own temp files; how many.

        Stores whose own lifecycle rules clean up (a bucket) may remove nothing.
        """
        ...
