"""GET /: the listener page: live rooms, scheduled shows and replays, with an hls.js player."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

from room_directory import Room
from room_directory.access import listen_url
from stream_server.api.rooms import room_view
from stream_server.hls.names import replay_name
from stream_server.ops.services import current_services
from stream_server.web.listing import Replay, build_listing
from stream_server.web.podcasts import host_slug
from stream_server.web.security import page_headers

bp = Blueprint("index", __name__)


def iso_utc(epoch: float | None) -> str:
    """An ISO 8601 UTC time for ``<time datetime=…>`` ("" when unknown)."""
    if not epoch:
        return ""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _art(url: str) -> str:
    """Art only from http(s) or this server; anything else is dropped."""
    return url if url.startswith(("https://", "http://", "/")) and not url.startswith("//") else ""


def _replay_view(replay: Replay, now: float) -> dict[str, Any]:
    settings = current_services().settings
    url = listen_url(settings.base_url, replay.room_id, private=False, secret=settings.url_secret, now=now,
                     playlist=replay_name(replay.show_id))
    return {
        "room_id": replay.room_id, "show_id": replay.show_id, "title": replay.title,
        "host": replay.host, "genre": replay.genre, "art_url": _art(replay.art_url),
        "started_at": iso_utc(replay.started_at), "minutes": round(replay.duration / 60),
        "url": url,
        "room_feed": f"/podcasts/rooms/{replay.room_id}.xml",
        "host_feed": f"/podcasts/hosts/{host_slug(replay.host)}.xml" if replay.host else "",
    }


def _has_stage_script() -> bool:
    """Whether this server ships the stage module (``static/stage.js``) that joins guests to the stage."""
    folder = current_app.static_folder
    return bool(folder) and Path(str(folder), "stage.js").is_file()


@bp.get("/")
def index() -> ResponseReturnValue:
    """The listener page; every room field is escaped by Jinja and set as text by the script."""
    services = current_services()
    now = time.time()
    directory = services.directory
    listing = build_listing(directory.list_rooms(), directory.list_shows(ended_only=True), now=now)

    def card(room: Room) -> dict[str, Any]:
        view = room_view(room)  # public rooms only: build_listing drops private ones
        view["art_url"] = _art(room.art_url)
        view["player_url"] = view["listen_url"]  # with a fresh listener token in its path
        view["scheduled_iso"] = iso_utc(room.scheduled_start)
        view.setdefault("listeners", None)
        return view

    base = services.settings.base_url
    html = render_template(
        "index.html",
        live=[card(r) for r in listing.live],
        upcoming=[card(r) for r in listing.upcoming],
        replays=[_replay_view(r, now) for r in listing.replays],
        stage_script=_has_stage_script(),
    )
    return html, 200, page_headers(base)
