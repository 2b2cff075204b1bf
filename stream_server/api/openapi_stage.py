"""The stage's part of the OpenAPI document (stream_server/api/stage.py).

The WHIP exchange itself (``/whip/<room>``, SDP bodies, RFC 9725) is not JSON and is described
in stream_server/stage/whip.py and the README.
"""

from __future__ import annotations

from typing import Any

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
