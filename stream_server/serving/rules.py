"""Which HLS file a request names and whether it may have it: pure rules shared by every path.

The Flask route, the embedded fast path (``hls_fast``), the nginx access-log tailer
(``nginx_log``) and the nginx recipe (``deploy/nginx``) all follow these rules:

* ``/hls/<room>/<file>`` names a file of a public room (a room the directory does not
  know is 404);
* ``/hls/<room>/s/<expires>/<signature>/<file>`` names a file under a signed prefix
  (``room_directory.access``); a private room is served only that way (403 otherwise);
* ``<file>`` matches the HLS layout (``…m3u8`` or ``…ts``, or a show's podcast episode
  ``…m4a`` and its chapters ``…json``; no hidden names);
* a playlist fetch with ``?lt=<valid listener token>`` counts a listener, and a master
  playlist fetched so gets the token added to its variant URIs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from room_directory import ROOM_ID_PATTERN
from room_directory.access import listener_token_valid, signature_valid
from stream_server.serving.headers import (
    CHAPTERS_CONTENT_TYPE,
    EPISODE_CONTENT_TYPE,
    PLAYLIST_CONTENT_TYPE,
    SEGMENT_CACHE_CONTROL,
    SEGMENT_CONTENT_TYPE,
    playlist_cache_control,
)

#: File names of the HLS layout (the same pattern the Flask route and nginx use).
FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.(m3u8|ts|m4a|json)$")
#: ``<expires>`` of a signed prefix: epoch seconds.
EXPIRES_PATTERN = re.compile(r"^[0-9]{1,12}$")
#: ``<signature>``: base64url without padding of a SHA-256 HMAC (43 characters).
SIGNATURE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: Statuses of a playlist fetch that counts a listener (a 304 is a player polling a cached copy).
COUNTED_STATUSES = ("200", "304")
#: Name of the marker file that makes a room's directory private to nginx and the fast path.
PRIVATE_MARKER = ".private"


@dataclass(frozen=True)
class HlsTarget:
    """A well-formed HLS request: room, file, and whether it came under a signed prefix."""

    room_id: str
    name: str
    signed: bool = False

    @property
    def is_playlist(self) -> bool:
        """Playlists end in ``.m3u8``; everything else served is a segment."""
        return self.name.endswith(".m3u8")


def _split(path: str) -> tuple[str, str, tuple[str, str] | None] | None:
    """``(room, name, (expires, signature) or None)`` of an ``/hls/`` path, by shape only."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == "" and parts[1] == "hls":
        return parts[2], parts[3], None
    if len(parts) == 7 and parts[0] == "" and parts[1] == "hls" and parts[3] == "s":
        return parts[2], parts[6], (parts[4], parts[5])
    return None


def _file_ok(name: str) -> bool:
    return FILE_PATTERN.match(name) is not None and ".." not in name


def parse_hls_path(path: str) -> HlsTarget | None:
    """The room and file a request path names (signature not checked), or None for any other path."""
    split = _split(path)
    if split is None:
        return None
    room_id, name, signed = split
    if not ROOM_ID_PATTERN.match(room_id) or not _file_ok(name):
        return None
    if signed is not None and not (EXPIRES_PATTERN.match(signed[0]) and SIGNATURE_PATTERN.match(signed[1])):
        return None
    return HlsTarget(room_id, name, signed is not None)


def resolve(path: str, *, room_private: Callable[[str], bool | None], secret: str,
            now: float) -> HlsTarget | int:
    """The file a request may have, or the status refusing it, checked in the Flask route's order.

    404 for a path of another shape, a malformed room id or a room the directory does not
    know (``room_private`` answers None); then 403 for a private room's plain path or a signed
    prefix that is malformed, forged or expired; then 404 for a name outside the HLS layout.
    ``room_private`` may raise (the caller answers 503).
    """
    split = _split(path)
    if split is None:
        return 404
    room_id, name, signed = split
    if not ROOM_ID_PATTERN.match(room_id):
        return 404
    private = room_private(room_id)
    if private is None:
        return 404
    if signed is None:
        if private:
            return 403
    else:
        expires, signature = signed
        if not (secret and EXPIRES_PATTERN.match(expires) and SIGNATURE_PATTERN.match(signature)
                and signature_valid(room_id, int(expires), signature, secret, now=now)):
            return 403
    if not _file_ok(name):
        return 404
    return HlsTarget(room_id, name, signed is not None)


def add_token_to_variants(master: str, token: str) -> str:
    """The master playlist with ``?lt=<token>`` on every variant URI (lines not starting with #).

    A player fetches the master once and then polls a media playlist: carrying the token
    into the variant URIs keeps every poll counted.
    """
    lines = []
    for line in master.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "?" not in stripped:
            line = f"{stripped}?lt={token}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def content_type(target: HlsTarget) -> str:
    """``application/vnd.apple.mpegurl`` for playlists, ``video/mp2t`` for segments."""
    if target.name.endswith(".m4a"):
        return EPISODE_CONTENT_TYPE
    if target.name.endswith(".json"):
        return CHAPTERS_CONTENT_TYPE
    return PLAYLIST_CONTENT_TYPE if target.is_playlist else SEGMENT_CONTENT_TYPE


def cache_control(target: HlsTarget, segment_seconds: int) -> str:
    """Playlists: at most half a target duration; segments: immutable."""
    return playlist_cache_control(segment_seconds) if target.is_playlist else SEGMENT_CACHE_CONTROL


def listener_token(query: str, secret: str) -> str | None:
    """The valid listener token of a query string (the first ``lt=…``), or None."""
    if "lt=" not in query or not secret:
        return None
    for field in query.split("&", 20)[:20]:
        if field.startswith("lt="):
            token = unquote_plus(field[3:])
            return token if listener_token_valid(token, secret) else None
    return None
