"""GET /api/rooms/<id>/shows and /api/shows/search: shows with their replay and transcript, found by words."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, Room, Show
from room_directory.access import room_path_prefix
from stream_server import auth
from stream_server.hls.names import transcript_name
from stream_server.ops.config import Settings
from stream_server.ops.services import current_services

bp = Blueprint("shows_api", __name__, url_prefix="/api")

#: a search takes at most this many words of at most this many characters, and answers this many shows
MAX_QUERY_WORDS, MAX_QUERY_CHARS, MAX_RESULTS = 8, 200, 20
#: lines of the transcript shown with each result
MAX_SNIPPETS = 3


def show_view(show: Show, base_url: str, replay_playlist: str) -> dict[str, Any]:
    """A show as the API lists it: its record, and its replay and transcript URLs once it has ended."""
    view = dict(show.public_view())
    view["live"] = not show.ended
    base = f"{base_url}/hls/{show.room_id}"
    view["replay_url"] = f"{base}/{replay_playlist}" if show.ended else None
    captioned = show.ended and bool(show.transcript)
    view["transcript_url"] = f"{base}/{transcript_name(show.show_id, 'vtt')}" if captioned else None
    view["transcript_text_url"] = f"{base}/{transcript_name(show.show_id, 'txt')}" if captioned else None
    return view


def _signed(view: dict[str, Any], room: Room, settings: Settings) -> dict[str, Any]:
    """A private room's show: its files are served only under the room's signed prefix."""
    if not room.private:
        return view
    prefix = room_path_prefix(room.id, private=True, secret=settings.url_secret,
                              now=time.time(), ttl=settings.private_url_ttl)
    plain = f"{settings.base_url}/hls/{room.id}"
    for field in ("replay_url", "transcript_url", "transcript_text_url"):
        if view.get(field):
            view[field] = view[field].replace(plain, f"{settings.base_url}{prefix}", 1)
    return view


@bp.get("/rooms/<room_id>/shows")
def list_shows(room_id: str) -> ResponseReturnValue:
    """The room's shows, newest first; a private room's only with the admin token."""
    services = current_services()
    room = services.directory.get(room_id) if ROOM_ID_PATTERN.match(room_id) else None
    if room is None or (room.private and not auth.is_admin(auth.bearer_token())):
        return jsonify(error="no such room"), 404
    shows_kept = services.on_air.shows
    settings = services.settings
    shows = [_signed(show_view(s, settings.base_url, shows_kept.replay_playlist(s)), room, settings)
             for s in shows_kept.replays(room_id)]
    return jsonify(room_id=room_id, shows=shows)


def query_words(query: str) -> list[str]:
    """The words of a search, lower case, letters and digits only."""
    return re.findall(r"[^\W_]+", query.casefold())[:MAX_QUERY_WORDS]


def matching_lines(transcript: str, words: list[str]) -> list[str] | None:
    """The transcript's lines holding any of ``words``, if it holds them all; None otherwise."""
    heard = set(re.findall(r"[^\W_]+", transcript.casefold()))
    if not words or not all(w in heard for w in words):
        return None
    return [line for line in transcript.splitlines()
            if set(re.findall(r"[^\W_]+", line.casefold())) & set(words)][:MAX_SNIPPETS]


@bp.get("/shows/search")
def search_shows() -> ResponseReturnValue:
    """Ended shows whose transcript holds every word of ``q``, newest first, with the lines that match."""
    query = request.args.get("q", "")
    words = query_words(query)
    if not words or len(query) > MAX_QUERY_CHARS:
        return jsonify(error=f"q must hold 1 to {MAX_QUERY_WORDS} words in at most "
                             f"{MAX_QUERY_CHARS} characters"), 400
    services = current_services()
    admin = auth.is_admin(auth.bearer_token())
    settings = services.settings
    rooms: dict[str, Room | None] = {}
    found = []
    for show in services.directory.list_shows(ended_only=True):
        lines = matching_lines(show.transcript, words) if show.transcript else None
        if lines is None:
            continue
        if show.room_id not in rooms:
            rooms[show.room_id] = services.directory.get(show.room_id)
        room = rooms[show.room_id]
        if room is None or (room.private and not admin):
            continue
        view = _signed(show_view(show, settings.base_url, services.on_air.shows.replay_playlist(show)),
                       room, settings)
        view["matches"] = lines
        found.append(view)
        if len(found) >= MAX_RESULTS:
            break
    return jsonify(query=query, shows=found)
