"""OpenAPI path of the transcript search (``GET /api/shows/search``, ``stream_server/api/shows.py``).

Merged into the document by ``stream_server.api.openapi``, which passes its show schema,
its "bad query" response and its admin security requirement.
"""

from __future__ import annotations

from typing import Any


def search_paths(show: dict[str, Any], bad_query: dict[str, Any],
                 admin: list[dict[str, list[str]]]) -> dict[str, Any]:
    """``/api/shows/search``: ended shows whose transcript holds every word of ``q``."""
    found = {"type": "object", "properties": {
        "query": {"type": "string"},
        "shows": {"type": "array", "items": {**show, "properties": {
            **show["properties"],
            "matches": {"type": "array", "items": {"type": "string"}}}}}},
        "required": ["query", "shows"]}
    return {
        "/api/shows/search": {
            "get": {"summary": "Which shows talked about …: ended shows whose transcript holds every "
                               "word of q, newest first, with up to three matching lines",
                    "security": [{}, *admin],
                    "parameters": [{"name": "q", "in": "query", "required": True,
                                    "schema": {"type": "string", "minLength": 1, "maxLength": 200}}],
                    "responses": {"200": {"description": "Matching shows",
                                          "content": {"application/json": {"schema": found}}},
                                  "400": bad_query}},
        },
    }
