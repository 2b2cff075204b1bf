"""GET /healthz: the server answers and its room directory is reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from room_directory import RoomDirectoryError
from stream_server.ops.services import current_services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with the number of rooms on air, or 503 when the directory fails.

    ``rooms_live`` counts every room on air, private ones included, as ``/metrics``'
    ``livestage_rooms_live`` does: both tell an operator what the server carries, and a
    count names no room.
    """
    services = current_services()
    try:
        live = len(services.directory.list_rooms(live_only=True, include_private=True))
    except RoomDirectoryError as exc:
        return jsonify(status="error", reason=str(exc)), 503
    return jsonify(status="ok", rooms_live=live, encoders=services.on_air.encoder_count())
