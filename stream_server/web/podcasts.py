"""GET /podcasts/rooms/<room>.xml and /podcasts/hosts/<host>.xml: ended shows as podcasts.

A room's feed lists its ended shows that have an episode (``<show>.m4a`` beside the
replay, made by ``hls.episodes``); a host's feed lists those of every public room they
host. Private rooms have no feed (404). A chapters file (``<show>.chapters.json``, JSON
chapters) beside an episode is linked when present.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue

from room_directory import ROOM_ID_PATTERN, Room, Show
from stream_server.hls.names import episode_name
from stream_server.ops.services import current_services
from stream_server.web.podcast_feed import Episode, FeedInfo, render_feed

bp = Blueprint("podcasts", __name__, url_prefix="/podcasts")

#: The artwork of a feed whose room has none (1400 px square, as podcast directories ask).
DEFAULT_COVER = "/static/podcast-cover.png"
#: Most episodes one feed lists.
MAX_EPISODES = 100


def host_slug(host: str) -> str:
    """A host's name in a feed URL: ``Mia Santos`` → ``mia-santos``."""
    return re.sub(r"[^a-z0-9]+", "-", host.casefold()).strip("-")


def _episodes(rooms: list[Room]) -> list[Episode]:
    services = current_services()
    base = services.settings.base_url
    found: list[tuple[Show, Room]] = []
    for room in rooms:
        found += [(show, room) for show in services.directory.list_shows(room.id, ended_only=True)]
    episodes = []
    for show, room in sorted(found, key=lambda pair: -(pair[0].ended_at or 0.0))[:MAX_EPISODES]:
        path = services.settings.hls_dir / room.id / episode_name(show.show_id)
        if not path.is_file():
            continue
        chapters = path.with_name(f"{show.show_id}.chapters.json")
        episodes.append(Episode(
            guid=f"livestage:{room.id}:{show.show_id}", title=show.title or room.title,
            description=room.description or f"{show.title or room.title} with {room.host}",
            url=f"{base}/hls/{room.id}/{episode_name(show.show_id)}",
            length=path.stat().st_size, published=show.ended_at or show.started_at,
            duration=show.duration, image_url=room.art_url,
            chapters_url=f"{base}/hls/{room.id}/{chapters.name}" if chapters.is_file() else ""))
    return episodes


def _feed(info: FeedInfo, rooms: list[Room]) -> Response:
    body = render_feed(info, _episodes(rooms))
    return Response(body, mimetype="application/rss+xml",
                    headers={"Cache-Control": "public, max-age=300"})


@bp.get("/rooms/<room_id>.xml")
def room_feed(room_id: str) -> ResponseReturnValue:
    """A public room's ended shows."""
    services = current_services()
    room = services.directory.get(room_id) if ROOM_ID_PATTERN.match(room_id) else None
    if room is None or room.private:
        abort(404)
    base = services.settings.base_url
    return _feed(FeedInfo(
        title=room.title, link=f"{base}/", feed_url=f"{base}/podcasts/rooms/{room.id}.xml",
        description=room.description or f"Shows of {room.title} on Live Stage.",
        author=room.host or room.title, image_url=room.art_url or base + DEFAULT_COVER), [room])


@bp.get("/hosts/<slug>.xml")
def host_feed(slug: str) -> ResponseReturnValue:
    """Every public room's ended shows of one host."""
    services = current_services()
    rooms = [r for r in services.directory.list_rooms() if r.host and host_slug(r.host) == slug]
    if not rooms:
        abort(404)
    host = rooms[0].host
    base = services.settings.base_url
    art = next((r.art_url for r in rooms if r.art_url), "") or base + DEFAULT_COVER
    return _feed(FeedInfo(
        title=f"{host} on Live Stage", link=f"{base}/",
        feed_url=f"{base}/podcasts/hosts/{slug}.xml",
        description=f"Every show {host} hosted on Live Stage.", author=host, image_url=art), rooms)
