"""The OpenAPI 3.1 description of the server, served at /api/openapi.json.

Every route is described with its errors: the room API here, the console's calls in
``openapi_web``, ingest, HLS, /alexa, health and metrics in ``openapi_streams``. schemathesis
checks the live server against it in the test suite (tests/integration/api/test_openapi_fuzz.py),
operation by operation and along the links a new room and a new key lead to.
"""

from __future__ import annotations

from typing import Any

from room_directory import ROOM_ID_PATTERN
from room_directory.fields import (
    MAX_ART_URL_LENGTH,
    MAX_TOPIC_LENGTH,
    MAX_TOPICS,
    SCHEDULE_MAX,
    SCHEDULE_MIN,
    TEXT_LIMITS,
)
from stream_server.api.openapi_hands import HAND, hands_paths
from stream_server.api.openapi_search import search_paths
from stream_server.api.openapi_stage import stage_paths, whip_paths
from stream_server.api.openapi_streams import stream_paths
from stream_server.api.openapi_web import web_paths


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
    props["art_url"] = {"type": "string", "maxLength": MAX_ART_URL_LENGTH,
                        "pattern": r"^(|https://[A-Za-z0-9._~-]+(:[0-9]{1,4})?([/?#][!-~]*)?)$",
                        "description": "https:// URL of the room's cover art (a host, no credentials, "
                                       "printable ASCII), or empty"}
    props["scheduled_start"] = {"type": ["number", "null"], "minimum": SCHEDULE_MIN,
                                "maximum": SCHEDULE_MAX,
                                "description": "next show's start, epoch seconds"}
    props["private"] = {"type": "boolean",
                        "description": "private rooms are unlisted, joined by code, served on signed URLs"}
    props["captions"] = {"type": ["boolean", "null"],
                         "description": "live captions of the program; null follows the server's default"}
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}


_ROOM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "pattern": ROOM_ID_PATTERN.pattern},
        "title": {"type": "string"},
        "host": {"type": "string"},
        "genre": {"type": "string"},
        "topics": {"type": "array", "items": {"type": "string"}},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": ["idle", "live", "ended"]},
        "live": {"type": "boolean"},
        "show_id": {"type": ["string", "null"]},
        "live_since": {"type": ["number", "null"]},
        "created_at": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "art_url": {"type": "string"},
        "scheduled_start": {"type": ["number", "null"]},
        "private": {"type": "boolean"},
        "captions": {"type": ["boolean", "null"]},
        "join_code": {"type": ["string", "null"], "pattern": "^[0-9]{4}$",
                      "description": "private rooms only, shown to admins only"},
        "listeners": {"type": "integer", "minimum": 0},
        "listen_url": {"type": "string", "description": "playlist URL with a listener token "
                                                        "(signed for private rooms)"},
        "ingest_url": {"type": "string"},
        "replay_url": {"type": "string"},
        "now_playing": {"oneOf": [{"$ref": "#/components/schemas/Track"}, {"type": "null"}],
                        "description": "the song the performer's tool last announced, while live"},
    },
    "required": ["id", "title", "status", "live", "private", "listeners", "listen_url", "ingest_url"],
}

_TRACK: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "artist": {"type": "string"},
        "since": {"type": "number", "description": "air time the song began (Unix seconds)"},
        "offset": {"type": "number", "minimum": 0, "description": "seconds into the show (track lists)"},
    },
    "required": ["title", "artist", "since"],
}

_LISTENERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "room_id": {"type": "string"},
        "show_id": {"type": ["string", "null"]},
        "live": {"type": "boolean"},
        "since": {"type": ["number", "null"]},
        "listeners": {"type": "integer", "minimum": 0},
        "listeners_per_minute": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "peak_listeners": {"type": "integer", "minimum": 0},
    },
    "required": ["room_id", "live", "listeners", "listeners_per_minute", "peak_listeners"],
}

_KEY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "key_id": {"type": "string"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["host", "cohost", "guest"]},
        "muted": {"type": "boolean"},
        "revoked": {"type": "boolean"},
        "created_at": {"type": "number"},
        "show_id": {"type": ["string", "null"], "description": "guest keys: the show they work in"},
        "live": {"type": "boolean"},
    },
    "required": ["key_id", "name", "role", "muted", "revoked"],
}

_SHOW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "room_id": {"type": "string"},
        "show_id": {"type": "string"},
        "started_at": {"type": "number"},
        "ended_at": {"type": ["number", "null"]},
        "duration": {"type": "number", "minimum": 0},
        "segments": {"type": "integer", "minimum": 0},
        "peak_listeners": {"type": "integer", "minimum": 0},
        "listeners_per_minute": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "live": {"type": "boolean"},
        "replay_url": {"type": ["string", "null"]},
        "captioned": {"type": "boolean", "description": "the show has a transcript"},
        "transcript_url": {"type": ["string", "null"], "description": "the replay's captions, WebVTT"},
        "transcript_text_url": {"type": ["string", "null"], "description": "the same, plain text"},
        "tracks": {"type": "array", "items": {"$ref": "#/components/schemas/Track"},
                   "description": "the show's songs as performers' tools announced them, oldest first"},
    },
    "required": ["room_id", "show_id", "started_at", "live", "replay_url", "transcript_url",
                 "transcript_text_url"],
}

_LEVEL = {"type": "object", "properties": {"peak_dbfs": {"type": "number"},
                                           "rms_dbfs": {"type": "number"}},
          "required": ["peak_dbfs", "rms_dbfs"]}

_ERROR: dict[str, Any] = {
    "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: what a new room's id leads to (OpenAPI links, followed by schemathesis's stateful tests)
ROOM_LINKS = ("getRoom", "updateRoom", "listKeys", "issueKey", "rotateKey", "roomLevels",
              "roomListeners", "roomShows", "endRoom")


#: operation ids, for the links above (path, method) -> id
OPERATION_IDS = {
    ("/api/rooms", "post"): "createRoom", ("/api/rooms/{room_id}", "get"): "getRoom",
    ("/api/rooms/{room_id}", "patch"): "updateRoom", ("/api/rooms/{room_id}/end", "post"): "endRoom",
    ("/api/rooms/{room_id}/listeners", "get"): "roomListeners",
    ("/api/rooms/{room_id}/shows", "get"): "roomShows", ("/api/rooms/{room_id}/keys", "get"): "listKeys",
    ("/api/rooms/{room_id}/keys", "post"): "issueKey",
    ("/api/rooms/{room_id}/keys/{key_id}", "delete"): "revokeKey",
    ("/api/rooms/{room_id}/keys/{key_id}/mute", "post"): "muteKey",
    ("/api/rooms/{room_id}/rotate-key", "post"): "rotateKey",
    ("/api/rooms/{room_id}/levels", "get"): "roomLevels",
}


def _links(operations: tuple[str, ...], parameters: dict[str, str]) -> dict[str, Any]:
    return {op[0].upper() + op[1:]: {"operationId": op, "parameters": parameters} for op in operations}


def _cohost_paths(room_id: dict[str, Any], security: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Co-host keys, mute, host-key rotation and levels (stream_server/api/keys.py)."""
    key_id = {"name": "key_id", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"}}
    guarded = {"401": _json(_ERROR, "Admin token or the room's host key required"),
               "403": _json(_ERROR, "A co-host key can only publish, a guest key only join the stage"),
               "404": _json(_ERROR, "No such room or key"),
               "429": _json(_ERROR, "Too many wrong keys from this address")}
    body = {"type": "object", "properties": {}}
    return {
        "/api/rooms/{room_id}/keys": {
            "parameters": [room_id],
            "get": {"summary": "The host and co-host keys, with who is on air", "security": security,
                    "responses": {"200": _json({"type": "object", "properties": {
                        "keys": {"type": "array", "items": _KEY}}, "required": ["keys"]}, "Keys"),
                        **guarded}},
            "post": {"summary": "Issue a co-host key (answer includes it, once)", "security": security,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "properties": {"name": {"type": "string", "minLength": 1,
                                                                   "maxLength": 80}},
                         "required": ["name"]}}}},
                     "responses": {"201": _json(_KEY | {"properties": _KEY["properties"] | {
                         "stream_key": {"type": "string"}, "ingest_url": {"type": "string"}},
                         "required": [*_KEY["required"], "stream_key"]}, "Issued") | {
                         "links": _links(("revokeKey", "muteKey"), {
                             "room_id": "$request.path.room_id", "key_id": "$response.body#/key_id"})},
                         "400": _json(_ERROR, "Invalid name"),
                         "409": _json(_ERROR, "Too many co-host keys"), **guarded}},
        },
        "/api/rooms/{room_id}/keys/{key_id}": {
            "parameters": [room_id, key_id],
            "delete": {"summary": "Revoke a co-host key (or remove a guest), cutting off its connection",
                       "security": security,
                       "responses": {"200": _json(_KEY, "Revoked"),
                                     "400": _json(_ERROR, "The host key cannot be revoked"),
                                     "409": _json(_ERROR, "The guest's hand cannot be removed now"),
                                     **guarded}},
        },
        "/api/rooms/{room_id}/keys/{key_id}/mute": {
            "parameters": [room_id, key_id],
            "post": {"summary": "Mute or unmute a publisher (``host`` for the host)", "security": security,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "properties": {"muted": {"type": "boolean"}},
                         "required": ["muted"]}}}},
                     "responses": {"200": _json(_KEY, "Muted or unmuted"),
                                   "400": _json(_ERROR, "Body must say muted true or false"), **guarded}},
        },
        "/api/rooms/{room_id}/rotate-key": {
            "parameters": [room_id],
            "post": {"summary": "A new host key (shown once); the old one stops working",
                     "security": security,
                     "responses": {"200": _json({"type": "object", "properties": {
                         "stream_key": {"type": "string"}, "disconnected": {"type": ["boolean", "integer"]}},
                         "required": ["stream_key"]}, "Rotated"), **guarded}},
        },
        "/api/rooms/{room_id}/levels": {
            "parameters": [room_id],
            "get": {"summary": "Program and per-publisher peak and RMS levels (dBFS)", "security": security,
                    "responses": {"200": _json({"type": "object", "properties": {
                        "room_id": {"type": "string"}, "on_air": {"type": "boolean"},
                        "program": {"oneOf": [_LEVEL, {"type": "null"}]},
                        "publishers": {"type": "array", "items": body},
                        "recent_disconnects": {"type": "array", "items": body},
                        "captions": {"type": ["array", "null"], "items": {"type": "string"},
                                     "description": "the last caption lines, when the show has captions"}},
                        "required": ["room_id", "on_air", "publishers"]}, "Levels"), **guarded}},
        },
    }


def openapi_document(server_url: str) -> dict[str, Any]:
    """The OpenAPI document, with this server's base URL."""
    room_id = {"name": "room_id", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": ROOM_ID_PATTERN.pattern}}
    admin: list[dict[str, list[str]]] = [{"adminToken": []}]
    admin_or_host: list[dict[str, list[str]]] = [{"adminToken": []}, {"streamKey": []}]
    anyone_or_admin: list[dict[str, list[str]]] = [{}, {"adminToken": []}]
    too_large = _json(_ERROR, "Body larger than 64 KiB")
    unavailable = _json(_ERROR, "No free id or join code, or no encoder")
    return _throttled_where_keys_are_checked({
        "openapi": "3.1.0",
        "info": {"title": "Live Stage stream server", "version": "1"},
        "servers": [{"url": server_url}],
        "components": {
            "securitySchemes": {
                "adminToken": {"type": "http", "scheme": "bearer",
                               "description": "LIVESTAGE_ADMIN_TOKEN"},
                "streamKey": {"type": "http", "scheme": "bearer",
                              "description": "the room's stream key (its host)"},
                "sourceBasic": {"type": "http", "scheme": "basic",
                                "description": "Icecast tools: user source, password the stream key"},
            },
            "schemas": {"Room": _ROOM, "Listeners": _LISTENERS, "Key": _KEY, "Show": _SHOW, "Track": _TRACK,
                        "Hand": HAND, "Error": _ERROR},
        },
        "paths": {
            "/api/rooms": {
                "get": {
                    "summary": "List public rooms (private ones too for admins)",
                    "security": anyone_or_admin,
                    "parameters": [
                        {"name": "live", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                        {"name": "cursor", "in": "query", "schema": {"type": "string"},
                         "description": "next_cursor of the page before"}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "rooms": {"type": "array", "items": _ROOM},
                        "next_cursor": {"type": ["string", "null"],
                                        "description": "pass as cursor for the next page; null on the last"}},
                        "required": ["rooms", "next_cursor"]}, "A page of rooms, newest first"),
                        "400": _json(_ERROR, "limit out of range, or a cursor this server did not give")},
                },
                "post": {
                    "summary": "Create a room (answer includes its stream key, once)",
                    "security": admin,
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _room_fields_schema(["title"])}}},
                    "responses": {
                        "201": _json(_ROOM | {"properties": _ROOM["properties"] | {
                            "stream_key": {"type": "string"}},
                            "required": [*_ROOM["required"], "stream_key"]}, "Created") | {
                            "links": _links(ROOM_LINKS, {"room_id": "$response.body#/id"})},
                        "400": _json(_ERROR, "Invalid fields"),
                        "401": _json(_ERROR, "Admin token required"),
                        "413": too_large,
                        "503": unavailable,
                    },
                },
            },
            "/api/rooms/{room_id}": {
                "parameters": [room_id],
                "get": {"summary": "Get a room (a private one only for admins and its host)",
                        "security": [{}, *admin_or_host],
                        "responses": {
                            "200": _json(_ROOM, "The room"), "404": _json(_ERROR, "No such room")}},
                "patch": {
                    "summary": "Update a room's listing",
                    "security": admin,
                    "requestBody": {"required": True, "content": {
                        "application/json": {"schema": _room_fields_schema([])}}},
                    "responses": {"200": _json(_ROOM, "Updated"),
                                  "400": _json(_ERROR, "Invalid fields"),
                                  "401": _json(_ERROR, "Admin token required"),
                                  "404": _json(_ERROR, "No such room"),
                                  "413": too_large,
                                  "503": unavailable},
                },
            },
            "/api/rooms/{room_id}/end": {
                "parameters": [room_id],
                "post": {"summary": "End the room's show (it stays as a replay)",
                         "security": admin_or_host,
                         "responses": {"200": _json(_ROOM, "Ended"),
                                       "401": _json(_ERROR, "Admin token or stream key required"),
                                       "404": _json(_ERROR, "No such room")}},
            },
            "/api/rooms/{room_id}/listeners": {
                "parameters": [room_id],
                "get": {"summary": "Host analytics: listeners now and per minute over the show",
                        "security": admin_or_host,
                        "responses": {"200": _json(_LISTENERS, "Listener figures"),
                                      "401": _json(_ERROR, "Admin token or stream key required"),
                                      "404": _json(_ERROR, "No such room")}},
            },
            **_cohost_paths(room_id, admin_or_host),
            **hands_paths(admin_or_host),
            "/api/rooms/{room_id}/shows": {
                "parameters": [room_id],
                "get": {"summary": "The room's shows, newest first, ended ones with their replay URL",
                        "security": [{}, *admin_or_host],
                        "responses": {"200": _json({"type": "object", "properties": {
                            "room_id": {"type": "string"}, "shows": {"type": "array", "items": _SHOW}},
                            "required": ["room_id", "shows"]}, "Shows"),
                            "404": _json(_ERROR, "No such room (or private, and neither admin nor host)")}},
            },
            **search_paths(_SHOW, _json(_ERROR, "q holds no word, or too many"), admin),
            **web_paths(),
            **stage_paths(room_id),
            **whip_paths(),
            **stream_paths(),
            "/api/openapi.json": {
                "get": {"summary": "This document",
                        "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {
                            "application/json": {"schema": {"type": "object"}}}}}},
            },
        },
    })


def _throttled_where_keys_are_checked(document: dict[str, Any]) -> dict[str, Any]:
    """Operation ids added; every operation that checks a key can also answer 429 (``auth``'s throttle).

    That is every operation whose security names a scheme: a wrong token presented there is
    counted, even where a key is optional or a refusal looks like a missing room (404).
    """
    for (path, method), operation_id in OPERATION_IDS.items():
        document["paths"][path][method]["operationId"] = operation_id
    throttled = _json(_ERROR, "Too many wrong keys from this client for this room; wait Retry-After "
                              "seconds")
    for operations in document["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict):  # a path item's shared ``parameters``
                continue
            responses = operation.get("responses", {})
            if any(requirement for requirement in operation.get("security", [])):
                responses.setdefault("429", throttled)
    return document
