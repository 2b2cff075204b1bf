"""Co-hosts on the room bus: scoped keys, mute, revoke, host-key rotation and levels.

Every call takes ``Authorization: Bearer <admin token>`` or ``Bearer <the room's host
key>``; a co-host key can only publish (403 here). Wrong credentials count against the
client and the room like wrong stream keys (429 with Retry-After when slowed down). A private
room refuses everyone else with the 404 of a missing room. Revoking, rotating and muting go
through ``auth.key_events``, so every holder of live sessions (the ingest registry, a stage
engine) acts at once.

* ``POST /api/rooms/<id>/keys`` ``{"name"}`` → 201 key view + ``stream_key`` (shown once)
* ``GET /api/rooms/<id>/keys`` → ``{"keys": [host, co-hosts…, guests of the live show…]}``
  each with ``live``
* ``DELETE /api/rooms/<id>/keys/<key_id>`` → revoked; a live co-host is cut off (a guest's
  key: the guest is removed, as ``POST …/hands/<hand id>/remove`` does)
* ``POST /api/rooms/<id>/keys/<key_id>/mute`` ``{"muted": bool}`` (``host`` mutes the host;
  guests too)
* ``POST /api/rooms/<id>/rotate-key`` → ``{"stream_key"}`` once; the old key's connection ends
* ``GET /api/rooms/<id>/levels`` → program and per-publisher peak/RMS in dBFS, the last
  caption lines
"""

from __future__ import annotations

import unicodedata
from functools import wraps
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from room_directory import Room
from room_directory.hands import HandRefused, answer
from stream_server import auth
from stream_server.auth import Caller, room_or_none
from stream_server.ingest.keys import (
    HOST_KEY_ID,
    TooManyKeys,
    cohost_keys,
    guest_keys,
    host_view,
    issue_cohost_key,
    revoke,
    rotate_host_key,
    set_muted,
)
from stream_server.ingest.state import ingest_state
from stream_server.ops.services import current_services
from stream_server.stage.state import stage_state

bp = Blueprint("api_keys", __name__, url_prefix="/api/rooms/<room_id>")

NAME_LIMIT = 80


def _error(status: int, message: str, **headers: str) -> ResponseReturnValue:
    response = jsonify(error=message)
    response.headers.update(headers)
    return response, status


def room_owner(view: Any) -> Any:
    """Run ``view(room, …)`` for the admin or the room's host; 401/403/404/429 otherwise.

    A private room refuses everyone else with the 404 of a missing room.
    """

    @wraps(view)
    def guarded(room_id: str, **kwargs: Any) -> Any:
        room = room_or_none(room_id)
        try:
            auth.require(room, Caller.ADMIN, Caller.HOST, room_id=room_id, hide_private=True,
                         message="admin token or the room's host key required")
        except auth.Forbidden:
            return _error(403, "a co-host key can only publish, a guest key only join the stage")
        except auth.AuthError as exc:
            return exc.response()
        if room is None:  # the admin asked about a room that does not exist
            return _error(404, "no such room")
        return view(room, **kwargs)

    return guarded


def _json_object() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _clean_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    name = unicodedata.normalize("NFC", value).strip()
    if not name or len(name) > NAME_LIMIT:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        return None
    return name


@bp.post("/keys")
@room_owner
def add_key(room: Room) -> ResponseReturnValue:
    """Issue a co-host key; the answer carries it this once."""
    name = _clean_name(_json_object().get("name"))
    if name is None:
        return _error(400, f"name is required: 1-{NAME_LIMIT} characters, no control characters")
    try:
        record, key = issue_cohost_key(current_services().directory, room.id, name)
    except TooManyKeys as exc:
        return _error(409, str(exc))
    base = current_services().settings.base_url
    return jsonify(record.public_view() | {"stream_key": key, "live": False,
                                           "ingest_url": f"{base}/ingest/{room.id}"}), 201


@bp.get("/keys")
@room_owner
def list_keys(room: Room) -> ResponseReturnValue:
    """The host and every co-host key (revoked ones too), with who is on air now."""
    directory = current_services().directory
    registry = ingest_state().registry
    views = [host_view(directory, room)] + [k.public_view() for k in cohost_keys(directory, room.id)]
    views += [k.public_view() for k in guest_keys(directory, room)]
    for view in views:
        view["live"] = registry.find(room.id, str(view["key_id"])) is not None
    return jsonify(keys=views)


@bp.delete("/keys/<key_id>")
@room_owner
def revoke_key(room: Room, key_id: str) -> ResponseReturnValue:
    """Revoke a co-host key for good, cutting off its live connection."""
    if key_id == HOST_KEY_ID:
        return _error(400, "the host key cannot be revoked; rotate it instead")
    directory = current_services().directory
    record = revoke(directory, room.id, key_id)
    reason = "revoked"
    if record is None and any(k.key_id == key_id for k in guest_keys(directory, room)):
        try:  # a guest's key is the hand's: removing the guest revokes it
            answer(directory, room, key_id, "remove")
        except HandRefused as exc:
            return _error(409, str(exc))
        record = next((k for k in directory.list_keys(room.id) if k.key_id == key_id), None)
        reason = "removed"
    if record is None:
        return _error(404, "no such key")
    disconnected = auth.key_events().revoked(room.id, key_id, reason)
    return jsonify(record.public_view() | {"disconnected": disconnected, "live": False})


@bp.post("/keys/<key_id>/mute")
@room_owner
def mute_key(room: Room, key_id: str) -> ResponseReturnValue:
    """Mute or unmute a co-host (or ``host``): at once on air, and for later connections."""
    muted = _json_object().get("muted")
    if not isinstance(muted, bool):
        return _error(400, 'body must be {"muted": true} or {"muted": false}')
    view = set_muted(current_services().directory, room, key_id, muted)
    if view is None:
        return _error(404, "no such key")
    registry = ingest_state().registry
    auth.key_events().muted(room.id, key_id, muted)
    return jsonify(view | {"live": registry.find(room.id, key_id) is not None})


@bp.post("/rotate-key")
@room_owner
def rotate_key(room: Room) -> ResponseReturnValue:
    """A new host key, shown once; the old one stops working and its connection ends."""
    _, key = rotate_host_key(current_services().directory, room)
    disconnected = auth.key_events().revoked(room.id, HOST_KEY_ID, "rotated")
    return jsonify(stream_key=key, disconnected=disconnected)


#: caption lines the console shows the host
CAPTION_LINES = 3


@bp.get("/levels")
@room_owner
def levels(room: Room) -> ResponseReturnValue:
    """Program and per-publisher levels (peak and RMS, dBFS, smoothed).

    Publishers are metered before mute, the program is the mix before loudness normalisation.
    People on the stage are publishers too (``kind: "stage"``), unless their key also publishes
    over ingest, whose entry then stands for it.
    """
    stream = current_services().on_air.stream(room.id)
    registry = ingest_state().registry
    publishers = [c.view() for c in registry.connections(room.id)]
    publishing = {p["key_id"] for p in publishers}
    publishers += [member | {"kind": "stage"} for member in stage_state().registry.members(room.id)
                   if member["key_id"] not in publishing]
    return jsonify(
        room_id=room.id,
        on_air=stream is not None,
        program=stream.bus.program_meter.snapshot() if stream is not None else None,
        bus_inputs=stream.bus.publisher_count if stream is not None else 0,
        publishers=publishers,
        recent_disconnects=registry.recent_ends(room.id),
        captions=stream.captions.recent_lines(CAPTION_LINES) if stream and stream.captions else None,
    )
