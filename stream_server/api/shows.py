"""GET /api/rooms/<id>/shows: a room's shows, the ended ones with their replay playlist.

A replay URL is built exactly as the room's own ``replay_url`` is (``listen_url``): a
fresh listener token, and for a private room the signed prefix.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, Room, Show
from room_directory.access import listen_url
from stream_server import auth
from stream_server.auth import Caller
from stream_server.hls.tracks import Track
from stream_server.ops.services import current_services

bp = Blueprint("shows_api", __name__, url_prefix="/api")


def show_view(show: Show, replay_url: str | None, tracks: Sequence[Track] = ()) -> dict[str, Any]:
    """A show as the API lists it: its record, its track list, and its replay URL once it has ended."""
    view = dict(show.public_view())
    view["tracks"] = [t.view(show.started_at) for t in tracks]
    view["live"] = not show.ended
    view["replay_url"] = replay_url if show.ended else None
    return view


def _admin_or_host(room: Room) -> bool:
    identity = auth.resolve(room, auth.bearer_token())
    return identity is not None and identity.caller in (Caller.ADMIN, Caller.HOST)


@bp.get("/rooms/<room_id>/shows")
def list_shows(room_id: str) -> ResponseReturnValue:
    """The room's shows, newest first; a private room's only for the admin and its host (the console)."""
    services = current_services()
    room = services.directory.get(room_id) if ROOM_ID_PATTERN.match(room_id) else None
    if room is None or (room.private and not _admin_or_host(room)):
        return jsonify(error="no such room"), 404
    shows_kept = services.on_air.shows
    settings = services.settings
    packager = services.on_air.packager(room_id)
    now = time.time()

    def replay_url(show: Show) -> str:
        return listen_url(settings.base_url, room.id, private=room.private,
                          secret=settings.url_secret, now=now, ttl=settings.private_url_ttl,
                          playlist=shows_kept.replay_playlist(show))

    shows = [show_view(s, replay_url(s) if s.ended else None, packager.tracks(s.show_id))
             for s in shows_kept.replays(room_id)]
    return jsonify(room_id=room_id, shows=shows)
