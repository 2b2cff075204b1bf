"""Validation of room fields sent to the API: lengths, types and characters."""

from __future__ import annotations

import math
import unicodedata
from typing import Any
from urllib.parse import urlsplit

#: field → maximum length in characters
TEXT_LIMITS = {"title": 120, "host": 80, "genre": 40, "description": 1000}
MAX_TOPICS = 10
MAX_TOPIC_LENGTH = 40
#: cover art: an https URL of at most this many characters (Alexa shows art only over https)
MAX_ART_URL_LENGTH = 500
#: ``scheduled_start`` bounds, epoch seconds: 2020-01-01 to 2100-01-01 UTC
SCHEDULE_MIN, SCHEDULE_MAX = 1_577_836_800, 4_102_444_800


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


def _clean_art_url(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidRoomFields("art_url must be a string")
    url = value.strip()
    if not url:
        return ""
    if len(url) > MAX_ART_URL_LENGTH:
        raise InvalidRoomFields(f"art_url is longer than {MAX_ART_URL_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() or ord(ch) > 126 for ch in url):
        raise InvalidRoomFields("art_url must be plain ASCII without spaces")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise InvalidRoomFields("art_url is not a valid URL") from exc
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise InvalidRoomFields("art_url must be an https:// URL with a host and no credentials")
    return url


def _clean_schedule(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidRoomFields("scheduled_start must be a number (epoch seconds) or null")
    if not SCHEDULE_MIN <= value <= SCHEDULE_MAX:
        raise InvalidRoomFields("scheduled_start must lie between 2020 and 2100 (epoch seconds)")
    return float(value)


def clean_room_fields(data: Any, *, require_title: bool) -> dict[str, Any]:
    """Checked and normalised room fields from a JSON body (unknown keys refused)."""
    if not isinstance(data, dict):
        raise InvalidRoomFields("the body must be a JSON object")
    allowed = set(TEXT_LIMITS) | {"topics", "art_url", "scheduled_start", "private", "captions"}
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
    if "art_url" in data:
        fields["art_url"] = _clean_art_url(data["art_url"])
    if "scheduled_start" in data:
        fields["scheduled_start"] = _clean_schedule(data["scheduled_start"])
    if "private" in data:
        if not isinstance(data["private"], bool):
            raise InvalidRoomFields("private must be true or false")
        fields["private"] = data["private"]
    if "captions" in data:
        if data["captions"] is not None and not isinstance(data["captions"], bool):
            raise InvalidRoomFields("captions must be true, false or null (the server's default)")
        fields["captions"] = data["captions"]
    if require_title and not fields.get("title"):
        raise InvalidRoomFields("title is required")
    if "title" in fields and not fields["title"]:
        raise InvalidRoomFields("title must not be empty")
    return fields
