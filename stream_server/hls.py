"""GET /hls/<room id>/<file>: playlists and segments with the headers HLS needs, and who may hear them.

Access rules (room_directory/access.py holds the signing scheme):

* a **public** room's files are served on the plain path ``/hls/<room>/<file>``;
* a **private** room's files are served only under a signed prefix
  ``/hls/<room>/s/<expires>/<sig>/<file>``; its plain path answers 403, and so does the
  signed path when the signature is forged or has expired;
* the signed path of a public room is served as well when its signature is genuine (a room
  made public mid-show keeps playing for listeners who hold signed URLs); a forged or
  expired one is 403 whatever the room;
* files of a room the directory does not know are 404, as is any name outside the HLS
  file pattern (so no path ever leaves ``<hls_dir>/<room>/``).

A playlist fetch carrying a valid listener token (``?lt=``) counts that listener. A master
playlist fetched with a token is served with the token added to its variant URIs, so the
player's polls of the media playlist keep counting.
"""

from __future__ import annotations

import re
import time

from flask import Blueprint, Response, abort, request, send_from_directory
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, RoomDirectoryError
from room_directory.access import listener_token_valid, signature_valid
from stream_server.playlist import PLAYLIST_CONTENT_TYPE, SEGMENT_CONTENT_TYPE, playlist_max_age
from stream_server.services import Services, current_services

bp = Blueprint("hls", __name__)

_FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.(m3u8|ts)$")
#: epoch seconds, at most 12 digits (no sign, no spaces)
_EXPIRES_PATTERN = re.compile(r"^[0-9]{1,12}$")
#: base64url of a SHA-256 HMAC, no padding: 43 characters
_SIGNATURE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
#: the characters a listener token may have (base64url and the dot before its tag)
_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{16}$")

#: Segments never change once published: their names are unique per room, show and sequence.
SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable"


def playlist_cache_control(target_duration: int) -> str:
    """Cache-Control of a playlist: at most half a target duration."""
    return f"public, max-age={playlist_max_age(target_duration)}"


def _room_private(services: Services, room_id: str) -> bool:
    """Whether the room is private; 404 when the directory does not know it, 503 when it fails."""
    try:
        room = services.directory.get(room_id)
    except RoomDirectoryError:
        abort(503)
    if room is None:
        abort(404)
    return room.private


def _listener_token(services: Services) -> str | None:
    token = request.args.get("lt", "")
    if _TOKEN_PATTERN.match(token) and listener_token_valid(token, services.settings.url_secret):
        return token
    return None


def add_token_to_variants(master: str, token: str) -> str:
    """The master playlist with ``?lt=<token>`` on every variant URI (lines not starting with #)."""
    lines = []
    for line in master.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "?" not in stripped:
            line = f"{stripped}?lt={token}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _serve(room_id: str, name: str) -> ResponseReturnValue:
    match = _FILE_PATTERN.match(name)
    if match is None or ".." in name:
        abort(404)
    services = current_services()
    settings = services.settings
    is_playlist = match.group(1) == "m3u8"
    token = _listener_token(services) if is_playlist else None
    room_dir = settings.hls_dir.resolve() / room_id
    response: Response
    if token is not None:
        services.listeners.seen(room_id, token)
        path = room_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            abort(404)
        if "#EXT-X-STREAM-INF" in text:
            text = add_token_to_variants(text, token)
        response = Response(text, mimetype=PLAYLIST_CONTENT_TYPE)
    else:
        response = send_from_directory(
            room_dir, name,
            mimetype=PLAYLIST_CONTENT_TYPE if is_playlist else SEGMENT_CONTENT_TYPE,
            max_age=None, conditional=True,
        )
    response.headers["Cache-Control"] = (
        playlist_cache_control(settings.segment_seconds) if is_playlist else SEGMENT_CACHE_CONTROL
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/hls/<room_id>/<name>")
def hls_file(room_id: str, name: str) -> ResponseReturnValue:
    """A public room's playlist or segment (conditional GET included); 403 for a private room."""
    if not ROOM_ID_PATTERN.match(room_id):
        abort(404)
    if _room_private(current_services(), room_id):
        abort(403)
    return _serve(room_id, name)


@bp.get("/hls/<room_id>/s/<expires>/<signature>/<name>")
def signed_hls_file(room_id: str, expires: str, signature: str, name: str) -> ResponseReturnValue:
    """A file under a signed prefix: 403 unless the signature is genuine and not expired."""
    if not ROOM_ID_PATTERN.match(room_id):
        abort(404)
    services = current_services()
    _room_private(services, room_id)  # 404 for unknown rooms
    if not (_EXPIRES_PATTERN.match(expires) and _SIGNATURE_PATTERN.match(signature)
            and signature_valid(room_id, int(expires), signature, services.settings.url_secret,
                                now=time.time())):
        abort(403)
    return _serve(room_id, name)
