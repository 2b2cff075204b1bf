"""The room's stage in the room API: who is on it with their levels, ICE servers, removal.

* ``GET /api/rooms/<id>/stage`` (admin, host or co-host key) → ``{"members": [...],
  "ice_servers": [...], "whip_url", "recent_ends"}``; each member has ``session_id``,
  ``key_id``, ``name``, ``role``, ``receives``, ``muted``, ``joined_at``, ``peak_dbfs``,
  ``rms_dbfs`` (before mute) and, how their network is doing, ``buffer_ms`` (jitter buffer
  delay), ``packets``, ``recovered`` (Opus FEC), ``concealed`` and ``late``.
* ``DELETE /api/rooms/<id>/stage/<key_id>`` (admin or host) → the member's WebRTC session is
  cut at once (``{"removed": true}``); 404 when that key is not on stage.

Muting a member is the key's mute (``POST /api/rooms/<id>/keys/<key_id>/mute``), which also
mutes their seat on stage.
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask.typing import ResponseReturnValue

from room_directory import Room
from stream_server import auth
from stream_server.auth import Caller, room_or_none
from stream_server.ops.services import current_services
from stream_server.stage.ice import browser_ice_servers
from stream_server.stage.state import stage_state

bp = Blueprint("api_stage", __name__, url_prefix="/api/rooms/<room_id>/stage")


def _room(room_id: str, *allowed: Caller) -> Room:
    room = room_or_none(room_id)
    auth.require(room, *allowed)  # a refusal is the app's JSON AuthError answer
    if room is None:  # only the admin gets this far without a room
        abort(404, "no such room")
    return room


@bp.errorhandler(404)
def not_found(exc: Exception) -> ResponseReturnValue:
    """JSON 404 (no such room, or that key is not on stage)."""
    return jsonify(error=getattr(exc, "description", "not found"), reason="not_found"), 404


@bp.get("")
def members(room_id: str) -> ResponseReturnValue:
    """Who is on the room's stage, their levels, and the ICE servers a page should use."""
    room = _room(room_id, Caller.ADMIN, Caller.HOST, Caller.COHOST)
    state = stage_state()
    return jsonify(
        room_id=room.id,
        whip_url=f"{current_services().settings.base_url}/whip/{room.id}",
        ice_servers=browser_ice_servers(state.ice),
        members=state.registry.members(room.id),
        recent_ends=state.registry.recent_ends(room.id),
    )


@bp.delete("/<key_id>")
def remove(room_id: str, key_id: str) -> ResponseReturnValue:
    """Take a member off the stage now (the key stays valid; revoke it to keep them off)."""
    room = _room(room_id, Caller.ADMIN, Caller.HOST)
    if not stage_state().registry.cut(room.id, key_id, "removed"):
        abort(404, "that key is not on stage")
    return jsonify(removed=True, key_id=key_id)
