"""What the skill remembers about one listener across sessions, over persistent attributes.

Keys: ``lastRoomId`` (the last room played), ``follows`` (host names, as spoken by the
rooms), ``offsets`` (``"<room>/<show>"`` → milliseconds into a replay) and
``pendingReminder`` (a room id waiting for the reminders permission).
"""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.exceptions import AttributesManagerException, PersistenceException
from ask_sdk_core.handler_input import HandlerInput

log = logging.getLogger(__name__)

#: How many replay offsets one listener keeps (oldest dropped first).
MAX_OFFSETS = 50
#: How many hosts one listener may follow.
MAX_FOLLOWS = 50


class ListenerState:
    """The persistent attributes of the request's user, loaded once, saved on demand."""

    def __init__(self, handler_input: HandlerInput) -> None:
        self._manager = handler_input.attributes_manager
        self._attributes: dict[str, Any] | None = None

    @property
    def attributes(self) -> dict[str, Any]:
        """The stored attributes (an empty dict when the store cannot be read)."""
        if self._attributes is None:
            try:
                self._attributes = self._manager.persistent_attributes
            except (AttributesManagerException, PersistenceException) as exc:
                log.warning("listener state unavailable: %s", exc)
                self._attributes = {}
        return self._attributes

    def save(self) -> None:
        """Write the attributes back; a failing store is logged, never fatal."""
        try:
            self._manager.persistent_attributes = self.attributes
            self._manager.save_persistent_attributes()
        except (AttributesManagerException, PersistenceException) as exc:
            log.warning("listener state not saved: %s", exc)

    # -- last room -------------------------------------------------------------------------

    @property
    def last_room_id(self) -> str | None:
        """The room this listener played last."""
        value = self.attributes.get("lastRoomId")
        return str(value) if value else None

    def played(self, room_id: str) -> None:
        """Remember the room just played (not saved yet)."""
        self.attributes["lastRoomId"] = room_id

    # -- follows ---------------------------------------------------------------------------

    @property
    def follows(self) -> list[str]:
        """The host names this listener follows."""
        value = self.attributes.get("follows")
        return [str(v) for v in value] if isinstance(value, list) else []

    def follow(self, host: str) -> bool:
        """Follow ``host``; False when already followed."""
        follows = self.follows
        if host.casefold() in (f.casefold() for f in follows):
            return False
        self.attributes["follows"] = (follows + [host])[-MAX_FOLLOWS:]
        return True

    def unfollow(self, host: str) -> bool:
        """Stop following ``host``; False when not followed."""
        follows = self.follows
        kept = [f for f in follows if f.casefold() != host.casefold()]
        self.attributes["follows"] = kept
        return len(kept) != len(follows)

    # -- replay offsets --------------------------------------------------------------------

    def offset(self, room_id: str, show_id: str) -> int:
        """Milliseconds into this show's replay where the listener stopped (0 if never)."""
        offsets = self.attributes.get("offsets")
        value = offsets.get(f"{room_id}/{show_id}") if isinstance(offsets, dict) else None
        return int(value) if isinstance(value, int | float) and value > 0 else 0

    def set_offset(self, room_id: str, show_id: str, offset_ms: int) -> None:
        """Remember where the listener stopped in a replay (0 forgets it)."""
        offsets = self.attributes.get("offsets")
        offsets = dict(offsets) if isinstance(offsets, dict) else {}
        key = f"{room_id}/{show_id}"
        offsets.pop(key, None)
        if offset_ms > 0:
            offsets[key] = int(offset_ms)
        self.attributes["offsets"] = dict(list(offsets.items())[-MAX_OFFSETS:])

    # -- a reminder waiting for permission -------------------------------------------------

    @property
    def pending_reminder(self) -> str | None:
        """The room whose reminder waits for the listener's consent."""
        value = self.attributes.get("pendingReminder")
        return str(value) if value else None

    def set_pending_reminder(self, room_id: str | None) -> None:
        """Remember (or, with None, forget) the room of a reminder awaiting consent."""
        if room_id:
            self.attributes["pendingReminder"] = room_id
        else:
            self.attributes.pop("pendingReminder", None)
