"""The segment store port: what the packager and the sweep need from wherever files are published.

A segment is always published before any playlist that names it; playlists are replaced
atomically, so no reader ever sees half of one. Adapters: ``local`` (a folder, the embedded
default), ``memory`` (tests and tools), ``s3`` and ``retrying`` (a wrapper riding out outages).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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

        A file that a kept playlist of its room names is never removed, whatever ``is_stray``
        says (``removable``). Stores whose own lifecycle rules clean up (a bucket) may remove
        nothing.
        """
        ...

    def listing(self) -> dict[str, dict[str, int]]:
        """Every room's published files and their sizes in bytes; empty where the store cannot list."""
        ...

    def read_text(self, room_id: str, name: str) -> str | None:
        """A published playlist's text, or None (absent, unreadable, or a store that cannot read)."""
        ...


def playlist_uris(text: str) -> set[str]:
    """The URIs a playlist names: its lines that are neither blank nor tags."""
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def removable(names: Iterable[str], read_text: Callable[[str], str | None],
              is_stray: Callable[[str], bool]) -> set[str]:
    """The files of one room a sweep may remove: stray, and named by no playlist that stays.

    What a kept playlist names is kept too, and so on down (a master keeps its media
    playlists, they keep their segments), so no playlist left behind points at nothing.
    """
    every = set(names)
    kept = {name for name in every if not is_stray(name)}
    todo = [name for name in kept if name.endswith(".m3u8")]
    while todo:
        text = read_text(todo.pop())
        for uri in playlist_uris(text or ""):
            if uri in every and uri not in kept:
                kept.add(uri)
                if uri.endswith(".m3u8"):
                    todo.append(uri)
    return every - kept
