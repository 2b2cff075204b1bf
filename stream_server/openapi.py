"""The OpenAPI 3.1 description of the room API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from stream_server.room_fields import MAX_TOPIC_LENGTH, MAX_TOPICS, TEXT_LIMITS


def _room_fields_schema(required: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {
        name: {"type": "string", "maxLength": limit} for name, limit in TEXT_LIMITS.items()
    }
    props["title"]["minLength"] = 1
    props["topics"] = {
        "type": "array",
        "maxItems": MAX_TOPICS,
        "items": {"type": "string", "maxLength": MAX_TOPIC_LENGTH},
    }
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}


_ROOM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,39}$"},
        "title": {"type": "string"},
        "host": {"type": "string"},
        "genre": {"type": "string"},
        "topics": {"type": "array", "items": {"type": "string"}},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": ["idle", "live", "ended"]},
        "live": {"type": "boolean"},
        "show_id": {"type": ["string", "null"]},
        "live_since": {"type": ["number", "null"]},
        "listen_url": {"type": "string"},
        "ingest_url": {"type": "string"},
        "replay_url": {"type": "string"},
    },
    "required": ["id", "title", "status", "live", "listen_url"],
}

_ERROR: dict[str, Any] = {
    "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(server_url: str) -> dict[str, Any]:
    """The OpenAPI document, with this server's base URL."""
    room_id = {"name": "room_id", "in": "path", "required": True, "schema": {"type": "string"}}
    admin: list[dict[str, list[str]]] = [{"adminToken": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Live Stage room API", "version": "1"},
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Room": _ROOM, "Error": _ERROR},
        },
        "paths": {
            "/api/rooms": {
                "get": {
                    "summary": "List rooms",
                    "parameters": [{"name": "live", "in": "query", "schema": {"type": "string"}}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "rooms": {"type": "array", "items": _ROOM}}}, "Rooms")},
                },
                "post": {
                    "summary": "Create a room (answer includes its stream key, once)",
                    "security": admin,
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _room_fields_schema(["title"])}}},
                    "responses": {
                        "201": _json(_ROOM | {"properties": _ROOM["properties"] | {
                            "stream_key": {"type": "string"}}}, "Created"),
                        "400": _json(_ERROR, "Invalid fields"),
                        "401": _json(_ERROR, "Admin token required"),
                    },
                },
            },
            "/api/rooms/{room_id}": {
                "parameters": [room_id],
                "get": {"summary": "Get a room", "responses": {
                    "200": _json(_ROOM, "The room"), "404": _json(_ERROR, "No such room")}},
                "patch": {
                    "summary": "Update a room's listing",
                    "security": admin,
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _room_fields_schema([])}}},
                    "responses": {"200": _json(_ROOM, "Updated"),
                                  "400": _json(_ERROR, "Invalid fields"),
                                  "401": _json(_ERROR, "Admin token required"),
                                  "404": _json(_ERROR, "No such room")},
                },
            },
            "/api/rooms/{room_id}/end": {
                "parameters": [room_id],
                "post": {"summary": "End the room's show (it stays as a replay)",
                         "security": admin,
                         "responses": {"200": _json(_ROOM, "Ended"),
                                       "401": _json(_ERROR, "Admin token required"),
                                       "404": _json(_ERROR, "No such room")}},
            },
        },
    }
