"""GET /healthz: the server answers, its room directory is reachable and its rooms publish."""

from __future__ import annotations

import shutil

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from room_directory import RoomDirectoryError
from stream_server.ops.services import current_services

#: below this much free space in the data dir, segments and the directory are about to fail
MIN_FREE_BYTES = 64 << 20

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 "ok"; 503 "degraded" with the reasons rooms on air are not publishing; 503 "error".

    ``rooms_live`` counts every room on air, private ones included, as ``/metrics``'
    ``livestage_rooms_live`` does: both tell an operator what the server carries, and a
    count names no room.
    """
    services = current_services()
    try:
        live = len(services.directory.list_rooms(live_only=True, include_private=True))
    except RoomDirectoryError as exc:
        return jsonify(status="error", reason=str(exc)), 503
    reasons = services.on_air.not_publishing()
    try:
        free = shutil.disk_usage(services.settings.data_dir).free
    except OSError:
        free = None
    if free is not None and free < MIN_FREE_BYTES:
        reasons.append(f"the data dir's disk is almost full ({free >> 20} MiB free)")
    reasons += services.incidents.recent()
    figures = {"rooms_live": live, "encoders": services.on_air.encoder_count()}
    if reasons:
        return jsonify(status="degraded", reason="; ".join(reasons), reasons=reasons, **figures), 503
    return jsonify(status="ok", **figures)
