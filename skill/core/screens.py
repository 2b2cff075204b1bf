"""APL for screens: the "what's live" list, with art and listener counts; touch joins.

Touching a room sends ``Alexa.Presentation.APL.UserEvent`` with the arguments
``["join", <room id>]`` (see ``skill.handlers.screen``); whether a device has a screen is
``skill.requests.envelope.supports_apl``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from room_directory.models import Room
from skill.core.speech import Speech

if TYPE_CHECKING:
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

#: The token of the rooms list document (UserEvents name it).
LIST_TOKEN = "livestage-rooms"
#: The argument a touch on a room sends first.
JOIN_EVENT = "join"
#: How many rooms a screen lists.
MAX_LISTED = 30

#: The APL packages the document uses: the text styles and spacing resources
#: (``textStyleBody``, ``@spacingSmall``) are alexa-styles', not APL's own.
IMPORTS = ({"name": "alexa-styles", "version": "1.6.0"},)

_DOCUMENT: dict[str, Any] = {
    "type": "APL",
    "version": "2023.3",
    "import": list(IMPORTS),
    "mainTemplate": {
        "parameters": ["payload"],
        "items": [{
            "type": "Container",
            "width": "100vw",
            "height": "100vh",
            "items": [
                {"type": "Text", "text": "${payload.rooms.heading}", "style": "textStyleDisplay4",
                 "paddingLeft": "@spacingMedium", "paddingTop": "@spacingSmall"},
                {
                    "type": "Sequence",
                    "grow": 1,
                    "data": "${payload.rooms.items}",
                    "items": [{
                        "type": "TouchWrapper",
                        "onPress": [{"type": "SendEvent", "arguments": [JOIN_EVENT, "${data.id}"]}],
                        "item": {
                            "type": "Container",
                            "direction": "row",
                            "padding": "@spacingSmall",
                            "items": [
                                # a room without art gets no Image: an empty source is invalid
                                {"type": "Image", "when": "${data.art}",
                                 "source": "${data.art}", "width": "96dp",
                                 "height": "96dp", "scale": "best-fill"},
                                {"type": "Container", "paddingLeft": "@spacingSmall", "items": [
                                    {"type": "Text", "text": "${data.title}",
                                     "style": "textStyleBody"},
                                    {"type": "Text", "text": "${data.subtitle}",
                                     "style": "textStyleDetail"},
                                ]},
                            ],
                        },
                    }],
                },
            ],
        }],
    },
}


def rooms_list(
    rooms: Sequence[Room], speech: Speech, listener_count: Callable[[str], int] | None
) -> RenderDocumentDirective:
    """A RenderDocument listing ``rooms`` (art, title, host, listeners when known)."""
    # imported here: the APL model is large, and most devices have no screen
    from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

    items = []
    for room in rooms[:MAX_LISTED]:
        parts = [room.host] if room.host else []
        if listener_count is not None:
            parts.append(speech.template("screen_listeners").format(count=listener_count(room.id)))
        item: dict[str, Any] = {"id": room.id, "title": room.title,
                                "subtitle": " · ".join(parts),
                                "listeners": listener_count(room.id) if listener_count else None}
        if room.art_url:
            item["art"] = room.art_url
        items.append(item)
    return RenderDocumentDirective(
        token=LIST_TOKEN,
        document=_DOCUMENT,
        datasources={"rooms": {"heading": speech.template("screen_heading"), "items": items}},
    )
