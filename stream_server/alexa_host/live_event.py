"""The Proactive Events API event that tells a follower a host is live (pure).

``AMAZON.MediaContent.Available`` is the schema Amazon offers for "this content is
available now": ``method: STREAM`` (a stream starting) and ``contentType: EPISODE`` (one
show of a series) describe a live show; the provider is the host and the content the
room's title, both as localized attributes in the follower's locale. Alexa reads it as
"<content> from <provider> is now streaming". One event per follower (``Unicast``), so
a listener hears only about the hosts they follow.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from room_directory import Room

#: The event schema the skill manifest publishes.
LIVE_EVENT_NAME = "AMAZON.MediaContent.Available"
#: How long Alexa may still deliver the notice (the API allows 5 minutes to 24 hours).
EXPIRY_SECONDS = 3 * 3600


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def live_show_event(room: Room, show_id: str, user_id: str, locale: str, now: float) -> dict[str, Any]:
    """The event for ``user_id``: ``room``'s show ``show_id`` is streaming from ``now``."""
    return {
        "timestamp": _iso(now),
        # the same show and listener always give the same id, so a retry is not a second notice
        "referenceId": f"{room.id}-{show_id}-{hashlib.sha256(user_id.encode()).hexdigest()[:16]}",
        "expiryTime": _iso(now + EXPIRY_SECONDS),
        "event": {
            "name": LIVE_EVENT_NAME,
            "payload": {
                "availability": {
                    "startTime": _iso(now),
                    "provider": {"name": "localizedattribute:providerName"},
                    "method": "STREAM",
                },
                "content": {"name": "localizedattribute:contentName", "contentType": "EPISODE"},
            },
        },
        "localizedAttributes": [
            {"locale": locale, "providerName": room.host or room.title, "contentName": room.title},
        ],
        "relevantAudience": {"type": "Unicast", "payload": {"user": user_id}},
    }
