"""GET /api/rooms/<id>/shows and /api/shows/search: shows with their replay and transcript, found by words.

A replay URL is built exactly as the room's own ``replay_url`` is (``listen_url``): a
fresh listener token, and for a private room the signed prefix; a transcript URL is under
the same prefix.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, Room, Show
from room_directory.access import listen_url, room_path_prefix
from stream_server import auth
from stream_server.auth import Caller
from stream_server.hls.names import transcript_name
from stream_server.hls.tracks import Track
from stream_server.ops.config import Settings
from stream_server.ops.services import current_services

bp = Blueprint("shows_api", __name__, url_prefix="/api")

#: a search takes at most this many words of at most this many characters, and answers this many shows
MAX_QUERY_WORDS, MAX_QUERY_CHARS, MAX_RESULTS = 8, 200, 20
#: lines of the transcript shown with each result
MAX_SNIPPETS = 3


def show_view(show: Show, replay_url: str | None, tracks: Sequence[Track] = (),
              files_url: str | None = None) -> dict[str, Any]:
    """A show as the API lists it: its record, its track list, and its replay and transcript
    URLs once it has ended (``files_url``: where the room's files are served to this caller)."""
    view = dict(show.public_view())
    view["tracks"] = [t.view(show.started_at) for t in tracks]
    view["live"] = not show.ended
    view["replay_url"] = replay_url if show.ended else None
    captioned = show.ended and bool(show.transcript) and files_url is not None
    view["transcript_url"] = f"{files_url}/{transcript_name(show.show_id, 'vtt')}" if captioned else None
    view["transcript_text_url"] = f"{files_url}/{transcript_name(show.show_id, 'txt')}" if captioned else None
    return view


def _urls(room: Room, settings: Settings, now: float) -> tuple[Callable[[Show], str], str]:
    """How a show's replay URL is built for ``room``, and the URL its files are served under."""
    shows_kept = current_services().on_air.shows

    def replay_url(show: Show) -> str:
        return listen_url(settings.base_url, room.id, private=room.private,
                          secret=settings.url_secret, now=now, ttl=settings.private_url_ttl,
                          playlist=shows_kept.replay_playlist(show))

    prefix = room_path_prefix(room.id, private=room.private, secret=settings.url_secret,
                              now=now, ttl=settings.private_url_ttl)
    return replay_url, f"{settings.base_url}{prefix}"


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
    replay_url, files_url = _urls(room, settings, time.time())
    shows = [show_view(s, replay_url(s) if s.ended else None, packager.tracks(s.show_id), files_url)
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
    now = time.time()
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
        replay_url, files_url = _urls(room, settings, now)
        view = show_view(show, replay_url(show), services.on_air.packager(show.room_id).tracks(show.show_id),
                         files_url)
        view["matches"] = lines
        found.append(view)
        if len(found) >= MAX_RESULTS:
            break
    return jsonify(query=query, shows=found)
