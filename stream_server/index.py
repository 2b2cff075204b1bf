"""GET /: the rooms on this server and their stream URLs (the full listener page comes later)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from stream_server.api import room_view
from stream_server.services import current_services

bp = Blueprint("index", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """Live rooms first, then the rest; every field escaped by Jinja."""
    rooms = sorted(current_services().directory.list_rooms(), key=lambda r: not r.is_live)
    response = render_template("index.html", rooms=[room_view(r) for r in rooms])
    return response, 200, {"Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'"}
