"""The performer console: GET /console (the page) and GET /api/console/session (sign-in check).

The page signs in with the admin token or a room's stream key, keeps it in the tab's
sessionStorage only, and sends it as ``Authorization: Bearer`` to the room API, the chunked
browser ingest, the co-host key API and the message API.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from stream_server import auth
from stream_server.auth import Caller, room_or_none
from stream_server.ops.services import current_services
from stream_server.web.security import page_headers

bp = Blueprint("console", __name__)


@bp.get("/console")
def console_page() -> ResponseReturnValue:
    """The console page (static HTML: everything room-specific is fetched by its script)."""
    return render_template("console.html"), 200, page_headers(current_services().settings.base_url)


@bp.get("/api/console/session")
def console_session() -> ResponseReturnValue:
    """Which role the presented token has: ``admin``, or ``host``/``cohost`` of ``?room=``."""
    room_id = request.args.get("room") or None
    room = room_or_none(room_id)
    identity = auth.caller(room, count=True)
    if identity is None:
        hint = ("a room id and its stream key, or the admin token (see DATA_DIR/admin-token)"
                if room_id else "the admin token, or a room id with its stream key")
        response = jsonify(error=f"not signed in: give {hint}")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, 401
    role = identity.caller
    return jsonify(role=role.value, room=room.id if room and role is not Caller.ADMIN else room_id)
