"""What the skill offered on the previous turn, kept in the session attributes.

After "Did you mean A or B?" (or the welcome's list of live rooms) the next turn's
answer is matched against those rooms first, so "the first one" or "late night" joins.
An offer of replays (kind ``replay``) plays the chosen room's latest replay instead; an
offer of scheduled shows (kind ``remind``) sets a reminder for the chosen one.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from room_directory import Room

#: Session attribute holding the ids of the rooms offered, in the order spoken.
OFFERED_ROOMS_KEY = "offeredRoomIds"
#: Session attribute naming what the offer does: ``live`` (default), ``replay`` or ``remind``.
OFFER_KIND_KEY = "offerKind"


def remember_offer(
    attributes: MutableMapping[str, Any], rooms: Sequence[Room], *, kind: str = "live"
) -> None:
    """Record the rooms just offered to the listener."""
    attributes[OFFERED_ROOMS_KEY] = [room.id for room in rooms]
    attributes[OFFER_KIND_KEY] = kind


def offered_room_ids(attributes: MutableMapping[str, Any]) -> list[str]:
    """The ids of the rooms offered on the previous turn (empty when none)."""
    value = attributes.get(OFFERED_ROOMS_KEY)
    return [str(v) for v in value] if isinstance(value, list) else []


def offer_kind(attributes: MutableMapping[str, Any]) -> str:
    """What the standing offer does: ``live``, ``replay`` or ``remind``."""
    kind = attributes.get(OFFER_KIND_KEY)
    return str(kind) if kind in ("replay", "remind") else "live"


def forget_offer(attributes: MutableMapping[str, Any]) -> None:
    """Drop the offer once it was answered."""
    attributes.pop(OFFERED_ROOMS_KEY, None)
    attributes.pop(OFFER_KIND_KEY, None)
