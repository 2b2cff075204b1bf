"""The headers every published file carries, wherever it is served from (Flask, the fast path, S3).

One rule per kind of file, by its extension: playlists change every segment and may be
cached for at most half a target duration; segments never change once published (their
names are unique per room, show and sequence), so they are immutable, and so is a show's
podcast episode (``<show>.m4a``, made once when the show ends).
"""

from __future__ import annotations

#: Content types that players, Echo devices and CDNs expect (Debian maps .ts elsewhere).
PLAYLIST_CONTENT_TYPE = "application/vnd.apple.mpegurl"
SEGMENT_CONTENT_TYPE = "video/mp2t"
EPISODE_CONTENT_TYPE = "audio/mp4"
CHAPTERS_CONTENT_TYPE = "application/json+chapters"
#: Segments never change once published: their names are unique per room, show and sequence.
SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable"


def playlist_max_age(target_duration: int) -> int:
    """Cache lifetime of a live playlist: at most half a target duration, whole seconds."""
    return max(0, target_duration // 2)


def playlist_cache_control(target_duration: int) -> str:
    """Cache-Control of a live playlist, wherever it is served (Flask, the fast path, S3)."""
    return f"public, max-age={playlist_max_age(target_duration)}"


def file_headers(name: str, target_duration: int) -> tuple[str, str] | None:
    """``(Content-Type, Cache-Control)`` of a published file by its extension; None for any other file."""
    if name.endswith(".m3u8"):
        return PLAYLIST_CONTENT_TYPE, playlist_cache_control(target_duration)
    if name.endswith(".ts"):
        return SEGMENT_CONTENT_TYPE, SEGMENT_CACHE_CONTROL
    if name.endswith(".m4a"):
        return EPISODE_CONTENT_TYPE, SEGMENT_CACHE_CONTROL
    if name.endswith(".json"):
        return CHAPTERS_CONTENT_TYPE, SEGMENT_CACHE_CONTROL
    return None
