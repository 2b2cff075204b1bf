"""The port every room-directory adapter implements, and its one error family."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from room_directory.models import Hand, Message, PublisherKey, Room, Show


class RoomDirectoryError(Exception):
    """Any failure of the room directory, whichever backend holds it."""


class RoomNotFound(RoomDirectoryError):
    """No room has the requested id."""


class RoomExists(RoomDirectoryError):
    """A room with this id exists already (or its join code is taken)."""


class HandChanged(RoomDirectoryError):
    """The hand was changed by someone else since it was read; read it again and decide anew."""


class RoomDirectory(Protocol):
    """Where rooms live: SQLite on one machine, DynamoDB on AWS, memory in unit tests.

    Every adapter passes the same contract suite (tests/unit/room_directory/test_contract.py).
    """

    # -- rooms ---------------------------------------------------------------------------

    def create(self, room: Room) -> Room:
        """Store a new room; raise ``RoomExists`` when its id or join code is taken."""
        ...

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        ...

    def list_rooms(
        self,
        *,
        live_only: bool = False,
        genre: str | None = None,
        host: str | None = None,
        include_private: bool = False,
    ) -> list[Room]:
        """Rooms newest first; private rooms only when ``include_private``.

        ``genre`` and ``host`` match case-insensitively and exactly (the skill fuzzes, not this).
        """
        ...

    def scheduled_between(self, start: float, end: float) -> list[Room]:
        """Public rooms whose ``scheduled_start`` lies in ``[start, end)``, soonest first."""
        ...

    def find_by_join_code(self, code: str) -> Room | None:
        """The room (private or not) with this spoken join code, or None."""
        ...

    def update(self, room: Room) -> Room:
        """Replace a stored room with this value; raise ``RoomNotFound`` when it is absent."""
        ...

    # -- leases: which stream server runs a live room ------------------------------------

    def claim(self, room_id: str, node_id: str, until: float, *, now: float) -> bool:
        """Take or renew the room's lease for ``node_id`` until ``until``.

        Succeeds when nobody holds it, ``node_id`` holds it, or the holder's lease ended
        before ``now``. Atomic: two nodes can never both succeed for overlapping leases.
        """
        ...

    def release(self, room_id: str, node_id: str) -> None:
        """Give the lease up if ``node_id`` holds it (no error otherwise)."""
        ...

    def lease_of(self, room_id: str) -> tuple[str, float] | None:
        """``(node_id, until)`` of the room's lease, or None when nobody ever held one."""
        ...

    # -- publisher keys (co-hosts) ------------------------------------------------------

    def add_key(self, key: PublisherKey) -> PublisherKey:
        """Store a new co-host key; raise ``RoomExists`` when its key id is taken."""
        ...

    def list_keys(self, room_id: str) -> list[PublisherKey]:
        """The room's co-host keys (revoked ones too), oldest first."""
        ...

    def update_key(self, key: PublisherKey) -> PublisherKey:
        """Replace a stored key (mute, revoke); raise ``RoomNotFound`` when it is absent."""
        ...

    # -- shows and replays ---------------------------------------------------------------

    def save_show(self, show: Show) -> Show:
        """Insert or replace a show record."""
        ...

    def get_show(self, room_id: str, show_id: str) -> Show | None:
        """One show of a room, or None."""
        ...

    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]:
        """Shows of one room (or of every room), newest start first."""
        ...

    def delete_show(self, room_id: str, show_id: str) -> None:
        """Forget a show record (its replay files are the stream server's to remove)."""
        ...

    # -- listener counts from access logs (CloudFront) -----------------------------------

    def add_listeners(self, room_id: str, minute: int, listeners: Collection[str]) -> None:
        """Add the listener ids seen in one minute (epoch seconds // 60) of a room.

        A set union: the same log read twice, or one listener in two logs, counts once.
        """
        ...

    def listener_minutes(self, room_id: str, first: int, last: int) -> dict[int, int]:
        """Distinct listeners of each minute in ``[first, last]`` that has any."""
        ...

    # -- listener messages to the host ---------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store a listener's message to the room's host."""
        ...

    def list_messages(self, room_id: str, *, since: float = 0.0, limit: int = 50) -> list[Message]:
        """The room's messages created after ``since``, oldest first, at most ``limit``."""
        ...

    # -- raised hands (listeners asking to speak) ----------------------------------------

    def add_hand(self, hand: Hand) -> Hand:
        """Store a new hand; raise ``RoomExists`` when its id or its room's call-in code is taken."""
        ...

    def get_hand(self, room_id: str, hand_id: str) -> Hand | None:
        """One hand of a room, or None."""
        ...

    def list_hands(self, room_id: str, *, show_id: str | None = None) -> list[Hand]:
        """The room's hands (of one show when ``show_id``), oldest first."""
        ...

    def replace_hand(self, hand: Hand) -> Hand:
        """Store ``hand`` if the stored one still has ``hand.version``; the stored value.

        The stored value has ``version + 1`` and a fresh ``updated_at``. Raises
        ``HandChanged`` when another writer got there first, ``RoomNotFound`` when the hand
        is absent and ``RoomExists`` when its new call-in code is taken in the room.
        """
        ...

    def find_hand_by_code(self, room_id: str, code: str) -> Hand | None:
        """The room's hand holding this call-in code, or None."""
        ...
