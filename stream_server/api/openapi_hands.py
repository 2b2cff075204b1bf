"""OpenAPI paths of raised hands: raising, polling, call-in codes and the host's answers.

Merged into the document by ``stream_server.api.openapi``; the routes are
``stream_server/api/hands.py``.
"""

from __future__ import annotations

from typing import Any

from room_directory import ROOM_ID_PATTERN
from room_directory.hands import CODE_DIGITS, LINE_LIMIT, NAME_LIMIT

_ERROR: dict[str, Any] = {"type": "object", "properties": {"error": {"type": "string"}},
                          "required": ["error"]}
_STATES = ["queued", "accepted", "declined", "removed", "expired"]

HAND: dict[str, Any] = {
    "type": "object",
    "properties": {
        "hand_id": {"type": "string"},
        "room_id": {"type": "string"},
        "show_id": {"type": "string"},
        "name": {"type": "string"},
        "line": {"type": "string"},
        "state": {"type": "string", "enum": _STATES},
        "via": {"type": "string", "enum": ["web", "voice"]},
        "position": {"type": ["integer", "null"], "minimum": 1,
                     "description": "place in the queue while queued (1 is next)"},
        "key_id": {"type": ["string", "null"], "description": "the guest key, once collected"},
        "created_at": {"type": "number"},
        "updated_at": {"type": "number"},
    },
    "required": ["hand_id", "room_id", "show_id", "name", "line", "state", "via", "position"],
}

_LISTENER_HAND: dict[str, Any] = HAND | {"properties": HAND["properties"] | {
    "stage_url": {"type": "string", "description": "where the guest joins the stage (WHIP)"},
    "guest_key": {"type": "string", "description": "only in the first answer after acceptance"},
    "hand_token": {"type": "string", "description": "only when raising or claiming a hand"},
}, "required": [*HAND["required"], "stage_url"]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}


def hands_paths(security: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Every ``/api/rooms/{room_id}/hands…`` path; ``security`` is the host-or-admin one."""
    room_id = {"name": "room_id", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": ROOM_ID_PATTERN.pattern}}
    hand_id = {"name": "hand_id", "in": "path", "required": True, "schema": {"type": "string"}}
    guarded: dict[str, Any] = {"401": _json(_ERROR, "Admin token or the room's host key required"),
               "403": _json(_ERROR, "A co-host or guest key cannot answer hands"),
               "404": _json(_ERROR, "No such room or hand")}
    answered: dict[str, Any] = {
        "200": _json(HAND | {"properties": HAND["properties"] | {"disconnected": {"type": "boolean"}}},
                     "The hand, answered"),
        "409": _json(_ERROR, "The hand is not in a state this answer fits"),
        "503": _json(_ERROR, "The hand kept changing; try again"),
        **guarded,
    }
    answers = {
        f"/api/rooms/{{room_id}}/hands/{{hand_id}}/{action}": {
            "parameters": [room_id, hand_id],
            "post": {"summary": summary, "security": security, "responses": answered},
        }
        for action, summary in (
            ("accept", "Accept a queued hand: its listener collects a guest key"),
            ("decline", "Decline a queued hand"),
            ("remove", "Take a guest off the stage: the guest key is revoked, live sessions cut"),
        )
    }
    return {
        "/api/rooms/{room_id}/hands": {
            "parameters": [room_id],
            "post": {
                "summary": "Ask to speak in the room's live show (anyone; a few per address)",
                "security": [{}],
                "requestBody": _body({"name": {"type": "string", "minLength": 1, "maxLength": NAME_LIMIT},
                                      "line": {"type": "string", "maxLength": LINE_LIMIT}}, ["name"]),
                "responses": {
                    "201": _json(_LISTENER_HAND, "Queued; the answer carries the hand token, once"),
                    "400": _json(_ERROR, "Invalid name or line"),
                    "404": _json(_ERROR, "No such room"),
                    "409": _json(_ERROR, "The room is not on air, or its queue is full"),
                    "429": _json(_ERROR, "Too many hands from this address; wait Retry-After seconds"),
                    "503": _json(_ERROR, "No free hand id; try again"),
                },
            },
            "get": {
                "summary": "The hands of the room's current (or last) show, oldest first",
                "security": security,
                "responses": {"200": _json({"type": "object", "properties": {
                    "room_id": {"type": "string"}, "show_id": {"type": ["string", "null"]},
                    "live": {"type": "boolean"}, "hands": {"type": "array", "items": HAND}},
                    "required": ["room_id", "show_id", "live", "hands"]}, "The queue"), **guarded},
            },
        },
        "/api/rooms/{room_id}/hands/claim": {
            "parameters": [room_id],
            "post": {
                "summary": "Take over a hand raised by voice, with the call-in code the speaker said",
                "security": [{}],
                "requestBody": _body({"code": {"type": "string", "pattern": f"^[0-9]{{{CODE_DIGITS}}}$"}},
                                     ["code"]),
                "responses": {
                    "200": _json(_LISTENER_HAND, "The hand, with its new hand token"),
                    "400": _json(_ERROR, "Not a call-in code"),
                    "404": _json(_ERROR, "No open hand in this room has that code"),
                    "429": _json(_ERROR, "Too many wrong codes or tokens from this address"),
                },
            },
        },
        "/api/rooms/{room_id}/hands/{hand_id}": {
            "parameters": [room_id, hand_id],
            "get": {
                "summary": "The listener polls its hand; once accepted, the first answer has the guest key",
                "security": [{}],
                "parameters": [{"name": "token", "in": "query", "required": True,
                                "schema": {"type": "string"}, "description": "the hand token"}],
                "responses": {
                    "200": _json(_LISTENER_HAND, "The hand"),
                    "404": _json(_ERROR, "No such hand, or the token is not its own"),
                    "429": _json(_ERROR, "Too many wrong codes or tokens from this address"),
                },
            },
        },
        **answers,
    }
