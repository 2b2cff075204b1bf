"""``GET /status-json.xsl``: the public rooms on air in Icecast's JSON shape.

BUTT, Mixxx and station dashboards poll it for the listener count of their mount. Each
public live room is one ``source`` whose ``listenurl`` ends with the mount its performers
publish to (``/ingest/<room id>``) and whose ``title`` is the song on air. As Icecast does,
``source`` is an object when one room is live, a list when several are, absent when none.
Private rooms never appear.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, jsonify

from room_directory import Room
from stream_server.ops.services import current_services

bp = Blueprint("icecast_status", __name__)

#: ``server_id``: the Icecast version whose status document this one follows
SERVER_ID = "Icecast 2.4.4 (Live Stage)"


def _iso8601(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(when))


def _rfc822(when: float) -> str:
    """Icecast's ``stream_start`` form: ``Sun, 06 Dec 2026 05:38:00 +0000``."""
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when))


def source_view(room: Room, base_url: str, listeners: int, peak: int, song: str) -> dict[str, Any]:
    """One live room as an Icecast ``source`` entry."""
    since = room.live_since or time.time()
    return {
        "audio_info": None,
        "genre": room.genre or "various",
        "listener_peak": max(peak, listeners),
        "listeners": listeners,
        "listenurl": f"{base_url}/ingest/{room.id}",
        "server_description": room.description or room.title,
        "server_name": room.title,
        "server_type": "application/vnd.apple.mpegurl",
        "server_url": f"{base_url}/hls/{room.id}/live.m3u8",
        "stream_start": _rfc822(since),
        "stream_start_iso8601": _iso8601(since),
        "title": song,
        "dummy": None,
    }


@bp.get("/status-json.xsl")
def status_json() -> Response:
    """Icecast's status document over the public rooms on air."""
    services = current_services()
    base_url = services.settings.base_url
    sources = []
    listed = {room.id: room for room in services.directory.list_rooms(live_only=True, include_private=False)}
    for room_id in services.on_air.rooms_on_air():  # a source connected here, the room still starting
        if room_id not in listed and (room := services.directory.get(room_id)) and not room.private:
            listed[room_id] = room
    for room in listed.values():
        track = services.on_air.now_playing(room.id)
        song = "" if track is None else (f"{track.artist} - {track.title}" if track.artist else track.title)
        per_minute = services.listeners.per_minute(room.id, room.live_since or time.time())
        sources.append(source_view(room, base_url, services.listeners.count(room.id),
                                   max(per_minute, default=0), song))
    icestats: dict[str, Any] = {
        "admin": "",
        "host": base_url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0],
        "location": "",
        "server_id": SERVER_ID,
        "server_start": _rfc822(services.started_at),
        "server_start_iso8601": _iso8601(services.started_at),
    }
    if len(sources) == 1:
        icestats["source"] = sources[0]
    elif sources:
        icestats["source"] = sources
    response = jsonify(icestats=icestats)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
