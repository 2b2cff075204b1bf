"""OpenAPI paths of everything beside the room API: ingest, browser chunks, HLS, /alexa, health, metrics.

Merged into the document by ``stream_server.api.openapi`` so that one document describes
every route the server answers, errors included, and schemathesis can check them all.
"""

from __future__ import annotations

from typing import Any

from room_directory import ROOM_ID_PATTERN

_ERROR: dict[str, Any] = {"type": "object", "properties": {"error": {"type": "string"}},
                          "required": ["error"]}
_REFUSAL: dict[str, Any] = {"type": "object", "properties": {
    "error": {"type": "string"}, "reason": {"type": "string"}}, "required": ["error"]}
#: the Content-Types ingest takes (each names a codec)
AUDIO_TYPES = ["audio/mpeg", "audio/aac", "audio/aacp", "audio/ogg", "application/ogg",
                "audio/opus", "audio/webm", "video/webm", "audio/flac", "audio/wav", "audio/x-wav"]


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _refusals(*statuses: str) -> dict[str, Any]:
    """The ingest refusals (JSON ``{"error", "reason"}``) for the given statuses."""
    meaning = {"400": "Malformed request, or audio the decoder cannot read",
               "401": "Unknown room or wrong stream key", "404": "No such session",
               "408": "The publisher sent nothing for too long", "409": "Key in use, or a gap in chunks",
               "410": "The chunk session has ended", "413": "Chunk over 1 MiB",
               "415": "Content-Type names no codec we take",
               "429": "Too many wrong keys from this client for this room, or a flood",
               "503": "Room full, or the encoder cannot start"}
    return {status: _json(_REFUSAL, meaning[status]) for status in statuses}


def stream_paths() -> dict[str, Any]:
    """Paths outside ``/api``: what performers, speakers, Alexa and monitors call."""
    room_id = {"name": "room_id", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": ROOM_ID_PATTERN.pattern}}
    key: list[dict[str, list[str]]] = [{"streamKey": []}, {"sourceBasic": []}]
    audio = {"required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                           for t in AUDIO_TYPES}}
    published = _json({"type": "object", "properties": {"bytes": {"type": "integer", "minimum": 0},
                                                         "reason": {"type": "string"}}}, "Stream ended")
    publish = {"summary": "Publish a room's audio (Icecast source protocol; the body is the stream). "
                          "The legacy SOURCE method is taken too, with the same answers",
               "security": key, "requestBody": audio,
               "responses": {"200": published,
                             **_refusals("400", "401", "408", "409", "413", "415", "429", "503")}}
    session = [{"name": "session", "in": "query", "required": True,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"}}]
    chunk = _json({"type": "object", "properties": {
        "session": {"type": "string"}, "seq": {"type": "integer"}, "next_seq": {"type": "integer"},
        "duplicate": {"type": "boolean"}}, "required": ["session", "seq", "next_seq"]}, "Taken")
    playlist = {"application/vnd.apple.mpegurl": {"schema": {"type": "string"}}}
    segment = {"video/mp2t": {"schema": {"type": "string", "format": "binary"}}}
    return {
        "/ingest/{room_id}": {"parameters": [room_id], "put": publish, "post": publish},
        "/ingest/{room_id}/chunks": {
            "parameters": [room_id],
            "post": {"summary": "One browser (MediaRecorder) chunk, in order, resumable",
                     "security": key, "requestBody": audio,
                     "parameters": [*session, {"name": "seq", "in": "query", "required": True,
                                               "schema": {"type": "integer", "minimum": 0,
                                                          "maximum": 10_000_000}}],
                     "responses": {"200": chunk, **_refusals("400", "401", "404", "409", "410", "413",
                                                             "415", "429", "503")}},
            "delete": {"summary": "End a browser session cleanly", "security": key,
                       "parameters": session,
                       "responses": {"200": _json({"type": "object"}, "Ended"),
                                     **_refusals("400", "401", "404", "410", "429")}},
        },
        "/hls/{rest}": {
            "parameters": [{"name": "rest", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "room id and file, e.g. demo-jazz/live.m3u8"}],
            "get": {"summary": "Playlists and segments (private rooms: signed paths only)",
                    "security": [{}],
                    "responses": {"200": {"description": "The file", "content": playlist | segment},
                                  "206": {"description": "A byte range", "content": segment},
                                  "304": {"description": "Not modified"},
                                  "403": {"description": "Unsigned, forged or expired private path"},
                                  "404": {"description": "No such file"},
                                  "416": {"description": "Range not satisfiable"},
                                  "503": {"description": "Room directory unavailable"}}},
        },
        "/alexa": {
            "post": {"summary": "The skill as a web service (Amazon's signed requests only)",
                     "security": [{}],
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"type": "object"}}}},
                     "responses": {"200": _json({"type": "object"}, "The skill's response"),
                                   "400": _json(_ERROR, "Not JSON, not an envelope, or a failed check"),
                                   "413": {"description": "Body over 1 MiB"}}},
        },
        "/healthz": {
            "get": {"summary": "Health: ok, degraded (rooms on air not publishing) or error",
                    "security": [{}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "status": {"const": "ok"}, "rooms_live": {"type": "integer"},
                        "encoders": {"type": "integer"}}, "required": ["status"]}, "Healthy"),
                        "503": _json({"type": "object", "properties": {
                            "status": {"enum": ["degraded", "error"]}, "reason": {"type": "string"},
                            "reasons": {"type": "array", "items": {"type": "string"}}},
                            "required": ["status", "reason"]}, "Degraded or failing")}},
        },
        "/": {"get": {"summary": "The listener page: rooms with their stream URLs", "security": [{}],
                      "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}},
        "/console": {"get": {"summary": "The performer console", "security": [{}],
                             "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}}}},
        "/static/{filename}": {
            "parameters": [{"name": "filename", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "get": {"summary": "The pages' scripts and styles", "security": [{}],
                    "responses": {"200": {"description": "The file"}, "304": {"description": "Not modified"},
                                  "404": {"description": "No such file"}}}},
        **_icecast_paths(key),
        **_podcast_paths(),
        "/metrics": {
            "get": {"summary": "Prometheus metrics (totals only)", "security": [{}],
                    "responses": {"200": {"description": "Prometheus text format", "content": {
                        "text/plain": {"schema": {"type": "string"}}}}}},
        },
    }


def _icecast_paths(key: list[dict[str, list[str]]]) -> dict[str, Any]:
    """Icecast's title update and status document, as performers' tools and directories call them."""
    xml = {"text/xml": {"schema": {"type": "string"}}}
    fields = [{"name": name, "in": "query", "schema": {"type": "string"}}
              for name in ("mode", "mount", "song", "title", "artist", "charset")]
    update = {"summary": "Announce the song on air (mode=updinfo; libshout POSTs the same fields as a form)",
              "security": [*key, {"adminToken": []}], "parameters": fields,
              "responses": {"200": {"description": "Metadata update successful", "content": xml},
                            "400": {"description": "Not mode=updinfo, or no title", "content": xml},
                            "401": _json(_ERROR, "The room's stream key or the admin token required"),
                            "403": _json(_ERROR, "A key whose role may not do this"),
                            "404": {"description": "No such room (mount)", "content": xml},
                            "409": {"description": "The room is not on air here", "content": xml}}}
    return {
        "/admin/metadata": {"get": update, "post": update},
        "/admin/metadata.xsl": {"get": update, "post": update},
        "/status-json.xsl": {
            "get": {"summary": "Icecast's status document over the public rooms on air", "security": [{}],
                    "responses": {"200": _json({"type": "object", "properties": {
                        "icestats": {"type": "object"}}, "required": ["icestats"]}, "Status")}},
        },
    }


def _podcast_paths() -> dict[str, Any]:
    """The podcast feeds of public rooms and of hosts (RSS 2.0 with iTunes and Podcasting 2.0 tags)."""
    rss = {"application/rss+xml": {"schema": {"type": "string"}}}

    def feed(summary: str, name: str, pattern: str) -> dict[str, Any]:
        return {
            "parameters": [{"name": name, "in": "path", "required": True,
                            "schema": {"type": "string", "pattern": pattern}}],
            "get": {"summary": summary, "security": [{}],
                    "responses": {"200": {"description": "The feed", "content": rss},
                                  "404": {"description": "No such public room or host"}}},
        }

    return {
        "/podcasts/rooms/{room_id}.xml": feed("A public room's ended shows as a podcast feed", "room_id",
                                              ROOM_ID_PATTERN.pattern),
        "/podcasts/hosts/{slug}.xml": feed("A host's ended shows in public rooms as a podcast feed", "slug",
                                           "^[a-z0-9][a-z0-9-]*$"),
    }
