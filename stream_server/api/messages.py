"""GET /api/rooms/<id>/messages: listeners' messages to the host ("tell the host …").

For the room's host (its stream key) or the admin, as ``Authorization: Bearer``. The
console polls it with ``?since=<created_at of the last message it has>``.
"""

from __future__ import annotations

import math

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from stream_server import auth
from stream_server.auth import Caller, room_or_none
from stream_server.ops.services import current_services

bp = Blueprint("api_messages", __name__, url_prefix="/api")

#: most messages one call returns (default 50)
MAX_LIMIT = 200


@bp.get("/rooms/<room_id>/messages")
def list_messages(room_id: str) -> ResponseReturnValue:
    """The room's messages newer than ``since`` (epoch seconds), oldest first."""
    room = room_or_none(room_id)
    auth.require(room, Caller.ADMIN, Caller.HOST, room_id=room_id, hide_private=True,
                 message="the room's stream key or the admin token is required")
    if room is None:
        return jsonify(error="no such room"), 404
    try:
        since = float(request.args.get("since", "0"))
        limit = int(request.args.get("limit", "50"))
    except ValueError:
        return jsonify(error="since must be a number (epoch seconds) and limit a whole number"), 400
    if not math.isfinite(since) or not 1 <= limit <= MAX_LIMIT:
        return jsonify(error=f"since must be finite and limit from 1 to {MAX_LIMIT}"), 400
    messages = current_services().directory.list_messages(room.id, since=since, limit=limit)
    next_since = messages[-1].created_at if messages else since
    return jsonify(messages=[m.public_view() for m in messages], next_since=next_since)
