"""Validation of room fields sent to the API: lengths, types and characters."""

from __future__ import annotations

import unicodedata
from typing import Any

#: field → maximum length in characters
TEXT_LIMITS = {"title": 120, "host": 80, "genre": 40, "description": 1000}
MAX_TOPICS = 10
MAX_TOPIC_LENGTH = 40


class InvalidRoomFields(ValueError):
    """The request's room fields are not acceptable; the message says which and why."""


def _clean_text(name: str, value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidRoomFields(f"{name} must be a string")
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise InvalidRoomFields(f"{name} is longer than {limit} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" for ch in text):
        raise InvalidRoomFields(f"{name} contains control characters")
    return text


def clean_room_fields(data: Any, *, require_title: bool) -> dict[str, Any]:
    """Checked and normalised room fields from a JSON body (unknown keys refused)."""
    if not isinstance(data, dict):
        raise InvalidRoomFields("the body must be a JSON object")
    allowed = set(TEXT_LIMITS) | {"topics"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidRoomFields(f"unknown fields: {', '.join(unknown)}")
    fields: dict[str, Any] = {}
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            fields[name] = _clean_text(name, data[name], limit)
    if "topics" in data:
        topics = data["topics"]
        if not isinstance(topics, list) or len(topics) > MAX_TOPICS:
            raise InvalidRoomFields(f"topics must be a list of at most {MAX_TOPICS} strings")
        fields["topics"] = tuple(
            t for t in (_clean_text("topic", t, MAX_TOPIC_LENGTH) for t in topics) if t
        )
    if require_title and not fields.get("title"):
        raise InvalidRoomFields("title is required")
    if "title" in fields and not fields["title"]:
        raise InvalidRoomFields("title must not be empty")
    return fields
