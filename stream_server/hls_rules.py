"""Which HLS file a request names and whether it may have it: pure rules shared by every path.

The Flask route, the embedded fast path (``hls_fast``), the nginx access-log tailer
(``nginx_log``) and the nginx recipe (``deploy/nginx``) all follow these rules:

* ``/hls/<room>/<file>`` names a file of a public room;
* ``/hls/<room>/s/<expires>/<signature>/<file>`` names a file under a signed prefix
  (``room_directory.access``); a private room is served only that way;
* ``<file>`` matches the HLS layout (``…m3u8`` or ``…ts``, no hidden names);
* a playlist fetch with ``?lt=<valid listener token>`` counts a listener.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote_plus

from room_directory import ROOM_ID_PATTERN
from room_directory.access import listener_token_valid, signature_valid
from stream_server.playlist import PLAYLIST_CONTENT_TYPE, SEGMENT_CONTENT_TYPE, playlist_max_age

#: File names of the HLS layout (the same pattern the Flask route and nginx use).
FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.(m3u8|ts)$")
#: ``<expires>`` of a signed prefix: epoch seconds.
EXPIRES_PATTERN = re.compile(r"^[0-9]{1,12}$")
#: ``<signature>``: base64url without padding of a SHA-256 HMAC (43 characters).
SIGNATURE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: Segments never change once published: their names are unique per room, show and sequence.
SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable"
#: Name of the marker file that makes a room's directory private to nginx and the fast path.
PRIVATE_MARKER = ".private"


@dataclass(frozen=True)
class HlsTarget:
    """A well-formed HLS request: room, file and, under a signed prefix, its expiry and signature."""

    room_id: str
    name: str
    expires: int | None = None
    signature: str | None = None

    @property
    def is_playlist(self) -> bool:
        """Playlists end in ``.m3u8``; everything else served is a segment."""
        return self.name.endswith(".m3u8")

    @property
    def signed(self) -> bool:
        """Whether the request came under a signed prefix."""
        return self.signature is not None


def parse_hls_path(path: str) -> HlsTarget | None:
    """The target of a request path (no query), or None when it names no HLS file (404)."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == "" and parts[1] == "hls":
        room_id, name, expires, signature = parts[2], parts[3], None, None
    elif len(parts) == 7 and parts[0] == "" and parts[1] == "hls" and parts[3] == "s":
        room_id, name = parts[2], parts[6]
        if not EXPIRES_PATTERN.match(parts[4]) or not SIGNATURE_PATTERN.match(parts[5]):
            return None
        expires, signature = int(parts[4]), parts[5]
    else:
        return None
    if not ROOM_ID_PATTERN.match(room_id) or not FILE_PATTERN.match(name) or ".." in name:
        return None
    return HlsTarget(room_id, name, expires, signature)


def access_status(target: HlsTarget, *, private: bool, secret: str, now: float) -> int | None:
    """None when the file may be served; 403 for a private room unsigned, or a bad or expired signature."""
    if target.signature is not None and target.expires is not None:
        if not secret or not signature_valid(target.room_id, target.expires, target.signature, secret,
                                             now=now):
            return 403
        return None
    return 403 if private else None


def content_type(target: HlsTarget) -> str:
    """``application/vnd.apple.mpegurl`` for playlists, ``video/mp2t`` for segments."""
    return PLAYLIST_CONTENT_TYPE if target.is_playlist else SEGMENT_CONTENT_TYPE


def cache_control(target: HlsTarget, segment_seconds: int) -> str:
    """Playlists: at most half a target duration; segments: immutable."""
    if target.is_playlist:
        return f"public, max-age={playlist_max_age(segment_seconds)}"
    return SEGMENT_CACHE_CONTROL


def listener_token(query: str, secret: str) -> str | None:
    """The valid listener token of a query string (the first ``lt=…``), or None."""
    if "lt=" not in query or not secret:
        return None
    for field in query.split("&", 20)[:20]:
        if field.startswith("lt="):
            token = unquote_plus(field[3:])
            return token if listener_token_valid(token, secret) else None
    return None
