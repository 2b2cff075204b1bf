"""Which HLS file a request names and whether it may have it: pure rules shared by every path.

The Flask route, the embedded fast path (``hls_fast``), the nginx access-log tailer
(``nginx_log``), the CloudFront log reader (``cloudfront_log``), the nginx recipe
(``deploy/nginx``) and the CloudFront function (``deploy/cloudfront``) all follow these rules:

* ``/hls/<room>/<file>`` names a file of a public room (a room the directory does not
  know is 404);
* ``/hls/<room>/s/<expires>/<signature>/<file>`` names a file under a signed prefix
  (``room_directory.access``); a private room is served only that way (403 otherwise);
* either may carry a listener token before the file, ``…/t/<token>/<file>``: the same file,
  and relative URIs inside playlists inherit the token as they inherit the signed prefix;
  a token of the wrong shape is 404, a well-shaped one is served whether genuine or not
  (it counts a listener only when genuine);
* ``<file>`` matches the HLS layout (``…m3u8``, ``…ts``, caption ``…vtt`` and
  ``…-transcript.txt``, or a show's podcast episode ``…m4a`` and its chapters ``…json``;
  no hidden names);
* a playlist fetch (200 or 304) with a valid listener token, in its path or in the older
  ``?lt=<token>`` query, counts a listener; a master playlist fetched with ``?lt=`` gets the
  token added to its variant URIs (a path token needs no rewriting).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_plus

from room_directory import ROOM_ID_PATTERN
from room_directory.access import listener_token_valid, signature_valid
from stream_server.serving.headers import (
    SEGMENT_CACHE_CONTROL,
    SEGMENT_CONTENT_TYPE,
    file_headers,
    playlist_cache_control,
)

#: File names of the HLS layout (the same pattern the Flask route and nginx use).
FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}(\.(m3u8|ts|vtt|m4a|json)|-transcript\.txt)$")
#: ``<expires>`` of a signed prefix: epoch seconds.
EXPIRES_PATTERN = re.compile(r"^[0-9]{1,12}$")
#: ``<signature>``: base64url without padding of a SHA-256 HMAC (43 characters).
SIGNATURE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: ``<token>`` in a path: a listener token's shape (``<random>.<16-character tag>``, ≤ 64 characters).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,47}\.[A-Za-z0-9_-]{16}$")
#: Statuses of a playlist fetch that counts a listener (a 304 is a player polling a cached copy).
COUNTED_STATUSES = ("200", "304")
#: Name of the marker file that makes a room's directory private to nginx and the fast path.
PRIVATE_MARKER = ".private"


@dataclass(frozen=True)
class HlsTarget:
    """A well-formed HLS request: room, file, whether it came under a signed prefix, its path token.

    ``token`` is the listener token the path carries (its shape checked, not its HMAC).
    """

    room_id: str
    name: str
    signed: bool = False
    token: str | None = None

    @property
    def is_playlist(self) -> bool:
        """Playlists end in ``.m3u8``; everything else served is a segment."""
        return self.name.endswith(".m3u8")


def _split(path: str) -> tuple[str, str, tuple[str, str] | None, str | None] | None:
    """``(room, name, (expires, signature) or None, token or None)`` of an ``/hls/`` path, by shape only."""
    parts = path.split("/")
    if len(parts) < 4 or parts[0] != "" or parts[1] != "hls":
        return None
    room_id, rest = parts[2], parts[3:]
    signed = None
    if len(rest) >= 4 and rest[0] == "s":
        signed, rest = (rest[1], rest[2]), rest[3:]
    token = None
    if len(rest) == 3 and rest[0] == "t":
        token, rest = rest[1], rest[2:]
    if len(rest) != 1:
        return None
    return room_id, rest[0], signed, token


def _file_ok(name: str, token: str | None) -> bool:
    return (FILE_PATTERN.match(name) is not None and ".." not in name
            and (token is None or TOKEN_PATTERN.match(token) is not None))


def parse_hls_path(path: str) -> HlsTarget | None:
    """The room and file a request path names (signature not checked), or None for any other path."""
    split = _split(path)
    if split is None:
        return None
    room_id, name, signed, token = split
    if not ROOM_ID_PATTERN.match(room_id) or not _file_ok(name, token):
        return None
    if signed is not None and not (EXPIRES_PATTERN.match(signed[0]) and SIGNATURE_PATTERN.match(signed[1])):
        return None
    return HlsTarget(room_id, name, signed is not None, token)


def resolve(path: str, *, room_private: Callable[[str], bool | None], secret: str,
            now: float) -> HlsTarget | int:
    """The file a request may have, or the status refusing it, checked in the Flask route's order.

    404 for a path of another shape, a malformed room id or a room the directory does not
    know (``room_private`` answers None); then 403 for a private room's plain path or a signed
    prefix that is malformed, forged or expired; then 404 for a name outside the HLS layout or
    a path token of the wrong shape.
    ``room_private`` may raise (the caller answers 503).
    """
    split = _split(path)
    if split is None:
        return 404
    room_id, name, signed, token = split
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
    if not _file_ok(name, token):
        return 404
    return HlsTarget(room_id, name, signed is not None, token)


def add_token_to_variants(master: str, token: str) -> str:
    """The master playlist with ``?lt=<token>`` on every variant URI (lines not starting with #).

    A player fetches the master once and then polls a media playlist: carrying the token
    into the variant URIs keeps every poll counted. Only for the older ``?lt=`` URLs: a token
    in the path reaches the variants by itself.
    """
    lines = []
    for line in master.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "?" not in stripped:
            line = f"{stripped}?lt={token}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def content_type(target: HlsTarget) -> str:
    """The published file's content type by its extension (``video/mp2t`` for segments)."""
    headers = file_headers(target.name, 1)
    return headers[0] if headers else SEGMENT_CONTENT_TYPE


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


def request_token(target: HlsTarget, query: str, secret: str) -> str | None:
    """The valid listener token of a request: its path's if the path carries one, else ``?lt=``'s."""
    if target.token is not None:
        return target.token if secret and listener_token_valid(target.token, secret) else None
    return listener_token(query, secret)
