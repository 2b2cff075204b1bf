"""GET /hls/<room id>/<file>: playlists and segments with the headers HLS needs."""

from __future__ import annotations

import re

from flask import Blueprint, abort, send_from_directory
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN
from stream_server.playlist import PLAYLIST_CONTENT_TYPE, SEGMENT_CONTENT_TYPE, playlist_max_age
from stream_server.services import current_services

bp = Blueprint("hls", __name__)

_FILE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.(m3u8|ts)$")

#: Segments never change once published: their names are unique per room, show and sequence.
SEGMENT_CACHE_CONTROL = "public, max-age=31536000, immutable"


def playlist_cache_control(target_duration: int) -> str:
    """Cache-Control of a playlist: at most half a target duration."""
    return f"public, max-age={playlist_max_age(target_duration)}"


@bp.get("/hls/<room_id>/<name>")
def hls_file(room_id: str, name: str) -> ResponseReturnValue:
    """Serve a playlist or segment from the segment directory (conditional GET included)."""
    match = _FILE_PATTERN.match(name)
    if not ROOM_ID_PATTERN.match(room_id) or match is None or ".." in name:
        abort(404)
    settings = current_services().settings
    is_playlist = match.group(1) == "m3u8"
    response = send_from_directory(
        settings.hls_dir.resolve() / room_id,
        name,
        mimetype=PLAYLIST_CONTENT_TYPE if is_playlist else SEGMENT_CONTENT_TYPE,
        max_age=None,
        conditional=True,
    )
    response.headers["Cache-Control"] = (
        playlist_cache_control(settings.segment_seconds) if is_playlist else SEGMENT_CACHE_CONTROL
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
