"""OpenAPI paths of the console's calls: listener messages and the sign-in check.

Merged into the document by ``stream_server.api.openapi`` (kept apart so the web pages' API
is described next to nothing else's).
"""

from __future__ import annotations

from typing import Any

from room_directory import ROOM_ID_PATTERN

_ERROR: dict[str, Any] = {"type": "object", "properties": {"error": {"type": "string"}},
                          "required": ["error"]}
_MESSAGE: dict[str, Any] = {
    "type": "object",
    "properties": {"message_id": {"type": "string"}, "text": {"type": "string"},
                   "sender": {"type": "string"}, "created_at": {"type": "number"}},
    "required": ["message_id", "text", "sender", "created_at"],
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def web_paths() -> dict[str, Any]:
    """The paths ``/api/rooms/{room_id}/messages`` and ``/api/console/session``."""
    room_id = {"name": "room_id", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": ROOM_ID_PATTERN.pattern}}
    return {
        "/api/rooms/{room_id}/messages": {
            "parameters": [room_id],
            "get": {
                "summary": "Listeners' messages to the host, oldest first, newer than `since`",
                "security": [{"adminToken": []}, {"streamKey": []}],
                "parameters": [
                    {"name": "since", "in": "query", "schema": {"type": "number"},
                     "description": "epoch seconds; the last answer's next_since"},
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                ],
                "responses": {
                    "200": _json({"type": "object", "properties": {
                        "messages": {"type": "array", "items": _MESSAGE},
                        "next_since": {"type": "number"}}, "required": ["messages", "next_since"]},
                        "Messages"),
                    "400": _json(_ERROR, "since or limit malformed"),
                    "401": _json(_ERROR, "The room's stream key or the admin token required"),
                    "404": _json(_ERROR, "No such room"),
                },
            },
        },
        "/api/console/session": {
            "get": {
                "summary": "The role of the presented Bearer token: admin, or host/cohost/guest of `room`",
                "security": [{"adminToken": []}, {"streamKey": []}],
                "parameters": [{"name": "room", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "200": _json({"type": "object", "properties": {
                        "role": {"enum": ["admin", "host", "cohost", "guest"]},
                        "room": {"type": ["string", "null"]}}, "required": ["role", "room"]}, "Signed in"),
                    "401": _json(_ERROR, "Not signed in"),
                },
            },
        },
    }
