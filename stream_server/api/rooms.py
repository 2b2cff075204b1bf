"""The room API under /api/rooms: JSON, admin calls with ``Bearer <admin token>``."""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from functools import wraps
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import (
    ROOM_ID_PATTERN,
    Room,
    RoomDirectoryError,
    RoomExists,
    RoomStatus,
    hash_stream_key,
    new_room_id,
    new_stream_key,
)
from room_directory.access import listen_url
from room_directory.fields import InvalidRoomFields, clean_room_fields
from stream_server import auth
from stream_server.api.openapi import openapi_document
from stream_server.api.room_list import DEFAULT_LIMIT, MAX_LIMIT, BadCursor, page
from stream_server.auth import Caller
from stream_server.ops.json_input import loads_client_json
from stream_server.ops.services import current_services, rooms_changed
from stream_server.serving.analytics import ended_show_figures, logged_now, show_listener_figures

bp = Blueprint("api", __name__, url_prefix="/api")

#: Largest JSON body the API reads (bytes); larger ones get 413 before they are read.
MAX_JSON_BODY = 64 * 1024
#: Attempts at a free id / join code before the API gives up with 503.
_ALLOCATION_ATTEMPTS = 20


def is_admin() -> bool:
    """Whether the request carries the admin token (a listing shows it more; nothing required)."""
    return auth.is_admin(auth.bearer_token())


def _is_host(room: Room) -> bool:
    identity = auth.resolve(room, auth.bearer_token(), admin=False)
    return identity is not None and identity.caller is Caller.HOST


def require_admin(view: Any) -> Any:
    """Refuse the call (401, counted by ``auth``) unless it carries the admin token."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        auth.require(None, Caller.ADMIN, message="admin token required")
        return view(*args, **kwargs)

    return guarded


def new_join_code() -> str:
    """Four random digits a listener says to join a private room."""
    return f"{secrets.randbelow(10_000):04d}"


def room_view(room: Room, *, admin: bool = False) -> dict[str, Any]:
    """A room as the API shows it, with the URLs a listener and a performer need.

    Listener URLs carry a fresh listener token; a private room's are signed (only admins and
    the room's host ever see a private room). The join code is shown to admins only.
    """
    services = current_services()
    settings = services.settings
    now = time.time()

    def url(playlist: str) -> str:
        return listen_url(settings.base_url, room.id, private=room.private, secret=settings.url_secret,
                          now=now, ttl=settings.private_url_ttl, playlist=playlist)

    view = room.public_view()
    view["listen_url"] = url("live.m3u8")
    view["ingest_url"] = f"{settings.base_url}/ingest/{room.id}"
    listeners = services.listeners.count(room.id)
    if settings.listeners_from_logs and room.is_live:
        listeners += logged_now(services.directory, room.id, now)
    view["listeners"] = listeners
    track = services.on_air.now_playing(room.id)  # on air here, even before it is listed live
    view["now_playing"] = None if track is None else track.view()
    if room.show_id and room.status is RoomStatus.ENDED:
        view["replay_url"] = url(f"{room.show_id}.m3u8")
    if admin and room.private:
        view["join_code"] = room.join_code
    return view


def _room_or_404(room_id: str) -> Room:
    """The room; 404 for a bad id, an unknown room, or a private room the caller may not see."""
    if not ROOM_ID_PATTERN.match(room_id):
        abort(404)
    room = current_services().directory.get(room_id)
    if room is None or (room.private and not (is_admin() or _is_host(room))):
        abort(404)
    return room


@bp.before_request
def cap_body() -> ResponseReturnValue | None:
    """JSON bodies above ``MAX_JSON_BODY`` are refused with 413, also when sent chunked."""
    request.max_content_length = MAX_JSON_BODY + 1  # one more byte tells a chunked body is too long
    if request.content_length is not None and request.content_length > MAX_JSON_BODY:
        return jsonify(error=f"request body larger than {MAX_JSON_BODY} bytes"), 413
    return None


def json_body() -> Any:
    """The request's JSON body, or None when it is not JSON; 413 when it is over the cap.

    A chunked body has no Content-Length: the stream stops one byte past the cap, and that
    byte tells it was too long (Flask's own reader would just cut it short).
    """
    data = request.get_data(cache=True)
    if len(data) > MAX_JSON_BODY:
        abort(413)
    try:
        return loads_client_json(data)
    except ValueError:  # malformed, nested past the limit, or a lone surrogate: not JSON we take
        return None


@bp.errorhandler(413)
def too_large(_: Exception) -> ResponseReturnValue:
    """JSON 413 for bodies over the cap."""
    return jsonify(error=f"request body larger than {MAX_JSON_BODY} bytes"), 413


@bp.errorhandler(RoomDirectoryError)
def directory_failed(exc: RoomDirectoryError) -> ResponseReturnValue:
    """The room directory failed: 503 (try again), never a 500 page; /healthz reports it a while."""
    current_services().incidents.note("directory", "the room directory failed a request")
    return jsonify(error=f"room directory unavailable: {exc}"), 503


@bp.errorhandler(403)
def forbidden(_: Exception) -> ResponseReturnValue:
    """JSON 403 under /api."""
    return jsonify(error="forbidden"), 403


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
    fields = clean_room_fields(json_body(), require_title=True)
    key = new_stream_key()
    directory = current_services().directory
    for _ in range(_ALLOCATION_ATTEMPTS):
        code = new_join_code() if fields.get("private") else None
        try:
            room = directory.create(
                Room(id=new_room_id(), stream_key_hash=hash_stream_key(key), join_code=code, **fields)
            )
            break
        except RoomExists:  # the id or the join code is taken: draw again
            continue
    else:
        return jsonify(error="no free room id or join code; try again later"), 503
    rooms_changed()
    return jsonify(room_view(room, admin=True) | {"stream_key": key}), 201


@bp.get("/rooms")
def list_rooms() -> ResponseReturnValue:
    """Public rooms (private ones too for admins), newest first, a page at a time.

    ``?live=true`` lists live rooms only; ``limit`` (1-500, default 100) rooms per page;
    ``cursor`` is the ``next_cursor`` of the page before (null on the last page).
    """
    live_only = request.args.get("live", "").lower() in ("1", "true", "yes")
    try:
        limit = int(request.args.get("limit", str(DEFAULT_LIMIT)))
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        return jsonify(error=f"limit must be a whole number from 1 to {MAX_LIMIT}"), 400
    admin = is_admin()
    rooms = current_services().directory.list_rooms(live_only=live_only, include_private=admin)
    try:
        chosen, next_cursor = page(rooms, request.args.get("cursor") or None, limit)
    except BadCursor as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(rooms=[room_view(r, admin=admin) for r in chosen], next_cursor=next_cursor)


@bp.get("/rooms/<room_id>")
def get_room(room_id: str) -> ResponseReturnValue:
    """One room (a private one only for admins and its host)."""
    return jsonify(room_view(_room_or_404(room_id), admin=is_admin()))


@bp.patch("/rooms/<room_id>")
@require_admin
def update_room(room_id: str) -> ResponseReturnValue:
    """Change a room's listing (title, host, genre, topics, description, art, schedule, privacy)."""
    room = _room_or_404(room_id)
    fields = clean_room_fields(json_body(), require_title=False)
    directory = current_services().directory
    updated = replace(room, **fields)
    rooms_changed()  # debounced: it reads the rooms after this update is stored
    if not updated.private:
        return jsonify(room_view(directory.update(replace(updated, join_code=None)), admin=True))
    if updated.join_code is not None:
        return jsonify(room_view(directory.update(updated), admin=True))
    for _ in range(_ALLOCATION_ATTEMPTS):
        try:
            stored = directory.update(replace(updated, join_code=new_join_code()))
            return jsonify(room_view(stored, admin=True))
        except RoomExists:
            continue
    return jsonify(error="no free join code; try again later"), 503


@bp.get("/rooms/<room_id>/listeners")
def room_listeners(room_id: str) -> ResponseReturnValue:
    """Host analytics: listeners now and per minute over the current (or last) show."""
    services = current_services()
    room = auth.room_or_none(room_id)
    auth.require(room, Caller.ADMIN, Caller.HOST, room_id=room_id, hide_private=True,
                 message="the admin token or the room's stream key is required")
    if room is None:
        abort(404)
    logged = services.directory if services.settings.listeners_from_logs else None
    body: dict[str, Any] = {"room_id": room.id, "show_id": room.show_id, "live": room.is_live,
                            "since": None, "listeners": 0, "listeners_per_minute": [],
                            "peak_listeners": 0}
    if room.is_live and room.live_since is not None:
        body["since"] = room.live_since
        body |= show_listener_figures(services.listeners, room.id, room.live_since, logged=logged)
    elif room.show_id:
        show = services.directory.get_show(room.id, room.show_id)
        if show is not None:
            body |= {"since": show.started_at} | ended_show_figures(show, logged)
    return jsonify(body)


@bp.post("/rooms/<room_id>/end")
def end_room(room_id: str) -> ResponseReturnValue:
    """End the room's show (admin or the room's host): the live playlist closes, the replay stays."""
    # the performer console signs in with the host key
    auth.require(_room_or_404(room_id), Caller.ADMIN, Caller.HOST,
                 message="admin token or the room's stream key required")
    services = current_services()
    room = services.on_air.end_show(room_id)
    if room is None:
        abort(404)
    return jsonify(room_view(room, admin=True))
