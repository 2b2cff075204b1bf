"""Dynamic entities: teach the live room titles to later turns of the session.

A ``Dialog.UpdateDynamicEntities`` directive replaces the session's dynamic values of
the ``ROOM_NAME`` slot type; each value's id is the room id, so a resolved slot names
its room directly (``skill.requests.envelope.resolved_room_id`` reads it back).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from ask_sdk_model.dialog import DynamicEntitiesDirective
from ask_sdk_model.er.dynamic import Entity, EntityListItem, EntityValueAndSynonyms, UpdateBehavior

from room_directory.models import Room

#: The slot type whose values are the room names in every interaction model.
ROOM_SLOT_TYPE = "ROOM_NAME"
#: Alexa accepts at most 100 dynamic values per type.
MAX_DYNAMIC_VALUES = 100


#: Alexa keeps at most this many synonyms of one dynamic value worth sending.
MAX_SYNONYMS = 12
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")
_SAID_AS = {"st": "saint", "dr": "doctor", "mr": "mister", "mrs": "missus", "&": "and"}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def spoken_variants(room: Room) -> list[str]:
    """How a listener may say the room: host and genre, the host's show, the title without
    accents, with its numbers and abbreviations said as words, and the host's first name."""
    return list(_spoken_variants(room))


@lru_cache(maxsize=4096)  # a room keeps its variants until it changes (rooms are values)
def _spoken_variants(room: Room) -> tuple[str, ...]:
    title, host = room.title.strip(), room.host.strip()
    variants = [host, room.genre, *room.tags]
    if host:
        variants += [f"{host}'s show", f"{host.split()[0]}'s show"]
    words = [_SAID_AS.get(w.lower().rstrip("."), w) for w in title.split()]
    words = [_DIGIT_WORDS[int(w)] if w.isdigit() and int(w) < len(_DIGIT_WORDS) else w for w in words]
    variants += [" ".join(words), _ascii(title), _ascii(host)]
    seen = {title.lower()}
    unique = []
    for variant in variants:
        if variant and variant.lower() not in seen:
            seen.add(variant.lower())
            unique.append(variant)
    return tuple(unique[:MAX_SYNONYMS])


def live_room_entities(rooms: Sequence[Room]) -> DynamicEntitiesDirective:
    """Replace the session's room names with these rooms (their spoken variants as synonyms)."""
    values = [
        Entity(
            id=room.id,
            name=EntityValueAndSynonyms(value=room.title, synonyms=list[object](spoken_variants(room))),
        )
        for room in rooms[:MAX_DYNAMIC_VALUES]
    ]
    return DynamicEntitiesDirective(
        update_behavior=UpdateBehavior.REPLACE,
        types=[EntityListItem(name=ROOM_SLOT_TYPE, values=values)],
    )
