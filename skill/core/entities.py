"""Dynamic entities: teach the live room titles to later turns of the session.

A ``Dialog.UpdateDynamicEntities`` directive replaces the session's dynamic values of
the ``ROOM_NAME`` slot type; each value's id is the room id, so a resolved slot names
its room directly (``skill.requests.envelope.resolved_room_id`` reads it back).
"""

from __future__ import annotations

from collections.abc import Sequence

from ask_sdk_model.dialog import DynamicEntitiesDirective
from ask_sdk_model.er.dynamic import Entity, EntityListItem, EntityValueAndSynonyms, UpdateBehavior

from room_directory.models import Room

#: The slot type whose values are the room names in every interaction model.
ROOM_SLOT_TYPE = "ROOM_NAME"
#: Alexa accepts at most 100 dynamic values per type.
MAX_DYNAMIC_VALUES = 100


def live_room_entities(rooms: Sequence[Room]) -> DynamicEntitiesDirective:
    """Replace the session's room names with these rooms (title, host and genre as synonyms)."""
    values = [
        Entity(
            id=room.id,
            name=EntityValueAndSynonyms(
                value=room.title,
                synonyms=list[object](
                    sorted({s for s in (room.host, room.genre) if s and s != room.title})),
            ),
        )
        for room in rooms[:MAX_DYNAMIC_VALUES]
    ]
    return DynamicEntitiesDirective(
        update_behavior=UpdateBehavior.REPLACE,
        types=[EntityListItem(name=ROOM_SLOT_TYPE, values=values)],
    )
