"""The room API under /api/rooms: JSON, admin calls with ``Bearer <admin token>``."""

from __future__ import annotations

import hmac
from dataclasses import replace
from functools import wraps
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import (
    ROOM_ID_PATTERN,
    Room,
    RoomExists,
    RoomStatus,
    hash_stream_key,
    new_room_id,
    new_stream_key,
)
from stream_server.openapi import openapi_document
from stream_server.room_fields import InvalidRoomFields, clean_room_fields
from stream_server.services import current_services

bp = Blueprint("api", __name__, url_prefix="/api")


def require_admin(view: Any) -> Any:
    """Refuse the call (401) unless it carries the admin token."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        token = current_services().settings.admin_token
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if not token or scheme.lower() != "bearer" or not hmac.compare_digest(
            presented.strip().encode(), token.encode()
        ):
            response = jsonify(error="admin token required")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response, 401
        return view(*args, **kwargs)

    return guarded


def room_view(room: Room) -> dict[str, Any]:
    """A room as the API shows it, with the URLs a listener and a performer need."""
    base = current_services().settings.base_url
    view = room.public_view()
    view["listen_url"] = f"{base}/hls/{room.id}/live.m3u8"
    view["ingest_url"] = f"{base}/ingest/{room.id}"
    if room.show_id and room.status is RoomStatus.ENDED:
        view["replay_url"] = f"{base}/hls/{room.id}/{room.show_id}.m3u8"
    return view


def _room_or_404(room_id: str) -> Room:
    if not ROOM_ID_PATTERN.match(room_id):
        abort(404)
    room = current_services().directory.get(room_id)
    if room is None:
        abort(404)
    return room


@bp.errorhandler(404)
def not_found(_: Exception) -> ResponseReturnValue:
    """JSON 404s under /api."""
    return jsonify(error="no such room"), 404


@bp.errorhandler(InvalidRoomFields)
def invalid_fields(exc: InvalidRoomFields) -> ResponseReturnValue:
    """JSON 400 naming the field at fault."""
    return jsonify(error=str(exc)), 400


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document of this API."""
    return jsonify(openapi_document(current_services().settings.base_url))


@bp.post("/rooms")
@require_admin
def create_room() -> ResponseReturnValue:
    """Create a room; the answer carries its stream key, this once."""
    fields = clean_room_fields(request.get_json(silent=True), require_title=True)
    key = new_stream_key()
    directory = current_services().directory
    for _ in range(5):
        try:
            room = directory.create(
                Room(id=new_room_id(), stream_key_hash=hash_stream_key(key), **fields)
            )
            break
        except RoomExists:
            continue
    else:
        abort(500)
    return jsonify(room_view(room) | {"stream_key": key}), 201


@bp.get("/rooms")
def list_rooms() -> ResponseReturnValue:
    """Every room, or only live ones with ``?live=true``."""
    live_only = request.args.get("live", "").lower() in ("1", "true", "yes")
    rooms = current_services().directory.list_rooms(live_only=live_only)
    return jsonify(rooms=[room_view(r) for r in rooms])


@bp.get("/rooms/<room_id>")
def get_room(room_id: str) -> ResponseReturnValue:
    """One room."""
    return jsonify(room_view(_room_or_404(room_id)))


@bp.patch("/rooms/<room_id>")
@require_admin
def update_room(room_id: str) -> ResponseReturnValue:
    """Change a room's listing (title, host, genre, topics, description)."""
    room = _room_or_404(room_id)
    fields = clean_room_fields(request.get_json(silent=True), require_title=False)
    return jsonify(room_view(current_services().directory.update(replace(room, **fields))))


@bp.post("/rooms/<room_id>/end")
@require_admin
def end_room(room_id: str) -> ResponseReturnValue:
    """End the room's show: the live playlist closes and the show stays as a replay."""
    _room_or_404(room_id)
    room = current_services().stage.end_show(room_id)
    if room is None:
        abort(404)
    return jsonify(room_view(room))
