"""The stage's part of the OpenAPI document: its room API (stream_server/api/stage.py) and WHIP.

The WHIP exchange (RFC 9725, stream_server/stage/whip.py) carries SDP, not JSON; its refusals
are the ingest's JSON ``{"error", "reason"}``.
"""

from __future__ import annotations

from typing import Any

#: the bodies WHIP takes: an offer, and trickled candidates
SDP_TYPES = ("application/sdp", "application/trickle-ice-sdpfrag")
_ERROR: dict[str, Any] = {
    "type": "object", "properties": {"error": {"type": "string"}, "reason": {"type": "string"}},
    "required": ["error"],
}
_MEMBER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "session_id": {"type": "string"}, "key_id": {"type": "string"}, "name": {"type": "string"},
        "role": {"type": "string"}, "receives": {"type": "boolean"}, "muted": {"type": "boolean"},
        "joined_at": {"type": "number"}, "peak_dbfs": {"type": "number"}, "rms_dbfs": {"type": "number"},
        "buffer_ms": {"type": "number"}, "packets": {"type": "number"}, "recovered": {"type": "number"},
        "concealed": {"type": "number"}, "late": {"type": "number"},
    },
    "required": ["session_id", "key_id", "name", "role", "receives", "muted", "peak_dbfs", "rms_dbfs"],
}
_ICE_SERVER: dict[str, Any] = {
    "type": "object",
    "properties": {"urls": {"type": "string"}, "username": {"type": "string"},
                   "credential": {"type": "string"}},
    "required": ["urls"],
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals(*statuses: str) -> dict[str, Any]:
    meaning = {"400": "Not an SDP offer with Opus audio that sends", "401": "Unknown room or wrong key",
               "403": "Another member's session", "404": "No such stage session",
               "412": "If-Match names another session", "415": "Content-Type is not the one WHIP takes",
               "422": "A new ICE ufrag (an ICE restart): leave and join again",
               "429": "Too many wrong keys from this client for this room",
               "503": "The stage is full, or the room is on air elsewhere"}
    return {status: _json(_ERROR, meaning[status]) for status in statuses}


def whip_paths() -> dict[str, Any]:
    """``/whip/{room_id}`` (join with an SDP offer) and its session (trickle, leave)."""
    room_id = {"name": "room_id", "in": "path", "required": True, "schema": {"type": "string"}}
    session_id = {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}}
    key: list[dict[str, list[str]]] = [{"streamKey": []}]
    sdp = {"schema": {"type": "string"}}
    body = {"schema": {"type": "string", "format": "binary"}}  # SDP text, sent as it is
    return {
        "/whip/{room_id}": {
            "parameters": [room_id],
            "post": {"summary": "Join the room's stage with a WebRTC offer (WHIP, RFC 9725): sendrecv "
                                "talks and hears the others, sendonly only publishes",
                     "security": key, "requestBody": {"required": True, "content": {"application/sdp": body}},
                     "responses": {"201": {"description": "The SDP answer; Location names the session, "
                                                          "Link headers the ICE servers",
                                           "content": {"application/sdp": sdp}},
                                   **_refusals("400", "401", "415", "429", "503")}},
        },
        "/whip/{room_id}/{session_id}": {
            "parameters": [room_id, session_id],
            "patch": {"summary": "Trickle ICE candidates to the session", "security": key,
                      "requestBody": {"required": True,
                                      "content": {"application/trickle-ice-sdpfrag": body}},
                      "responses": {"204": {"description": "Taken"},
                                    **_refusals("401", "403", "404", "412", "415", "422", "429")}},
            "delete": {"summary": "Leave the stage", "security": key,
                       "responses": {"200": {"description": "Left"},
                                     **_refusals("401", "403", "404", "412", "429")}},
        },
    }


def stage_paths(room_id: dict[str, Any]) -> dict[str, Any]:
    """``/api/rooms/{room_id}/stage`` (members, levels, ICE servers) and member removal."""
    key_id = {"name": "key_id", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"}}
    any_key: list[dict[str, list[str]]] = [{"adminToken": []}, {"streamKey": []}]
    refused = {"401": _json(_ERROR, "A key of the room (or the admin token) required"),
               "403": _json(_ERROR, "A co-host key cannot remove members"),
               "404": _json(_ERROR, "No such room, or that key is not on stage")}
    return {
        "/api/rooms/{room_id}/stage": {
            "parameters": [room_id],
            "get": {"summary": "Who is on the stage with their levels, and the ICE servers for pages",
                    "security": any_key,
                    "responses": {"200": _json({"type": "object", "properties": {
                        "room_id": {"type": "string"}, "whip_url": {"type": "string"},
                        "ice_servers": {"type": "array", "items": _ICE_SERVER},
                        "members": {"type": "array", "items": _MEMBER},
                        "recent_ends": {"type": "array", "items": {"type": "object"}}},
                        "required": ["room_id", "whip_url", "ice_servers", "members"]}, "The stage"),
                        **refused}},
        },
        "/api/rooms/{room_id}/stage/{key_id}": {
            "parameters": [room_id, key_id],
            "delete": {"summary": "Take a member off the stage now (their WebRTC session is cut)",
                       "security": any_key,
                       "responses": {"200": _json({"type": "object", "properties": {
                           "removed": {"type": "boolean"}, "key_id": {"type": "string"}},
                           "required": ["removed"]}, "Removed"), **refused}},
        },
    }
