"""The DynamoDB room directory's items: how rooms, shows, keys, messages and hands are stored.

Pure mapping between the directory's values and DynamoDB items (plain Python values;
the adapter serialises them), the keys that address them, and the table's definition.

Table design (single table; ``pk``/``sk`` strings; the SAM template declares the same
table, and ``TABLE_DEFINITION`` below is what tests and local runs create):

=========================  =======================  =================================
item                       pk / sk                  what answers what
=========================  =======================  =================================
room                       ``room#<id>`` / ``room``  ``get``; GSIs below
join code                  ``code#<code>`` / ``code`` unique code → room id (conditional
                                                     put in the same transaction)
lease                      ``room#<id>`` / ``lease`` ``claim`` (conditional update)
co-host or guest key       ``room#<id>`` / ``key#<key id>``
raised hand                ``room#<id>`` / ``hand#<hand id>``  put conditional on its version
call-in code               ``room#<id>`` / ``handcode#<code>`` unique code → hand id (same
                                                     transaction as the hand)
show                       ``room#<id>`` / ``show#<show id>``
message                    ``room#<id>`` / ``msg#<created>#<id>``  range query after ``since``
listeners of a minute      ``room#<id>`` / ``listen#<minute>``  a string set of listener ids
                                                     (``ADD``: a set union); range query
=========================  =======================  =================================

Global secondary indexes (all sparse: an item only appears where it has the key):

- ``by_kind``  (``kind``, ``order``): every room newest first (``kind = room``) and every
  show newest first (``kind = show``);
- ``by_status`` (``status_key``, ``order``): ``live`` rooms newest first;
- ``by_genre`` (``genre_key``, ``order``) and ``by_host`` (``host_key``, ``order``):
  case-folded genre and host;
- ``by_schedule`` (``schedule_key``, ``scheduled_start``): public scheduled rooms by time,
  so ``scheduled_between`` is one range query.

``order`` sorts as text: a zero-padded time, then the id. The lease is its own item, so
the room item can be replaced without touching it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from room_directory.models import Hand, HandState, KeyRole, Message, PublisherKey, Room, RoomStatus, Show

GSI_KEYS = {
    "by_kind": ("kind", "order"),
    "by_status": ("status_key", "order"),
    "by_genre": ("genre_key", "order"),
    "by_host": ("host_key", "order"),
    "by_schedule": ("schedule_key", "scheduled_start"),
}

#: ``CreateTable`` arguments (without the name) of the directory's table; template.yaml matches.
TABLE_DEFINITION: dict[str, Any] = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "N" if name == "scheduled_start" else "S"}
        for name in ("pk", "sk", "kind", "order", "status_key", "genre_key", "host_key",
                     "schedule_key", "scheduled_start")
    ],
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": index,
            "KeySchema": [
                {"AttributeName": hash_key, "KeyType": "HASH"},
                {"AttributeName": range_key, "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }
        for index, (hash_key, range_key) in GSI_KEYS.items()
    ],
}


def pad(value: float) -> str:
    """A non-negative time as text that sorts like the number (microsecond precision)."""
    return f"{value:020.6f}"


def number(value: float | int) -> Decimal:
    """A number as DynamoDB stores it (floats through their shortest repr, never binary noise)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


#: Sorts after every message of a room (the upper end of a range of messages).
MESSAGES_END = "msg#~"


def partition(room_id: str) -> str:
    """The partition key of everything a room holds."""
    return f"room#{room_id}"


def item_key(room_id: str, sort: str) -> dict[str, Any]:
    """The typed primary key of one of a room's items (``sort``: ``room``, ``lease``, ...)."""
    return {"pk": {"S": partition(room_id)}, "sk": {"S": sort}}


def code_key(code: str) -> dict[str, Any]:
    """The typed primary key of a join code's item."""
    return {"pk": {"S": f"code#{code}"}, "sk": {"S": "code"}}


def show_sort(show_id: str) -> str:
    """The sort key of a show's item."""
    return f"show#{show_id}"


def key_sort(key_id: str) -> str:
    """The sort key of a co-host key's item."""
    return f"key#{key_id}"


def message_sort(created_at: float, message_id: str) -> str:
    """The sort key of a message's item (``message_id`` ``~`` sorts after every id)."""
    return f"msg#{pad(created_at)}#{message_id}"


def listeners_sort(minute: int) -> str:
    """The sort key of a room's listener ids in one minute (epoch seconds // 60)."""
    return f"listen#{minute:012d}"


def sort_minute(sort: str) -> int:
    """The minute a ``listen#`` sort key names."""
    return int(sort.removeprefix("listen#"))


def room_item(room: Room) -> dict[str, Any]:
    """A room's item, with the sparse index keys that list it."""
    item: dict[str, Any] = {
        "pk": partition(room.id), "sk": "room", "kind": "room",
        "order": f"{pad(room.created_at)}#{room.id}",
        "id": room.id, "title": room.title, "stream_key_hash": room.stream_key_hash,
        "host": room.host, "genre": room.genre, "topics": list(room.topics),
        "description": room.description, "status": room.status.value,
        "created_at": number(room.created_at), "updated_at": number(room.updated_at),
        "tags": list(room.tags), "art_url": room.art_url, "private": room.private,
    }
    optional = {"show_id": room.show_id, "join_code": room.join_code,
                "live_since": room.live_since, "scheduled_start": room.scheduled_start}
    for name, value in optional.items():
        if value is not None:
            item[name] = number(value) if isinstance(value, float | int) else value
    if room.status is RoomStatus.LIVE:
        item["status_key"] = RoomStatus.LIVE.value
    if room.genre:
        item["genre_key"] = room.genre.casefold()
    if room.host:
        item["host_key"] = room.host.casefold()
    if room.scheduled_start is not None and not room.private:
        item["schedule_key"] = "public"
    return item


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def item_room(item: dict[str, Any]) -> Room:
    """The room a room item holds."""
    return Room(
        id=item["id"], title=item["title"], stream_key_hash=item["stream_key_hash"],
        host=item.get("host", ""), genre=item.get("genre", ""),
        topics=tuple(item.get("topics", ())), description=item.get("description", ""),
        status=RoomStatus(item["status"]), show_id=item.get("show_id"),
        live_since=_opt_float(item.get("live_since")), created_at=float(item["created_at"]),
        updated_at=float(item["updated_at"]), tags=tuple(item.get("tags", ())),
        art_url=item.get("art_url", ""), scheduled_start=_opt_float(item.get("scheduled_start")),
        private=bool(item.get("private", False)), join_code=item.get("join_code"),
    )


def show_item(show: Show) -> dict[str, Any]:
    """A show's item (in its room's partition, listed by ``by_kind``)."""
    item: dict[str, Any] = {
        "pk": partition(show.room_id), "sk": show_sort(show.show_id), "kind": "show",
        "order": f"{pad(show.started_at)}#{show.show_id}#{show.room_id}",
        "room_id": show.room_id, "show_id": show.show_id, "started_at": number(show.started_at),
        "duration": number(show.duration), "segments": show.segments, "title": show.title,
        "genre": show.genre, "host": show.host, "peak_listeners": show.peak_listeners,
        "listeners_per_minute": list(show.listeners_per_minute),
    }
    if show.ended_at is not None:
        item["ended_at"] = number(show.ended_at)
    return item


def item_show(item: dict[str, Any]) -> Show:
    """The show a show item holds."""
    return Show(
        room_id=item["room_id"], show_id=item["show_id"], started_at=float(item["started_at"]),
        ended_at=_opt_float(item.get("ended_at")), duration=float(item["duration"]),
        segments=int(item["segments"]), title=item["title"], genre=item["genre"],
        host=item["host"], peak_listeners=int(item["peak_listeners"]),
        listeners_per_minute=tuple(int(n) for n in item["listeners_per_minute"]),
    )


def publisher_key_item(key: PublisherKey) -> dict[str, Any]:
    """A co-host or guest key's item (in its room's partition)."""
    item = {"pk": partition(key.room_id), "sk": key_sort(key.key_id), "room_id": key.room_id,
            "key_id": key.key_id, "name": key.name, "key_hash": key.key_hash,
            "role": key.role.value, "muted": key.muted, "revoked": key.revoked,
            "created_at": number(key.created_at)}
    if key.show_id is not None:
        item["show_id"] = key.show_id
    return item


def item_publisher_key(item: dict[str, Any]) -> PublisherKey:
    """The co-host key a key item holds."""
    return PublisherKey(
        room_id=item["room_id"], key_id=item["key_id"], name=item["name"],
        key_hash=item["key_hash"], role=KeyRole(item["role"]), muted=bool(item["muted"]),
        revoked=bool(item["revoked"]), created_at=float(item["created_at"]),
        show_id=item.get("show_id"),
    )


def message_item(message: Message) -> dict[str, Any]:
    """A listener's message's item: its sort key orders the room's messages by time."""
    return {"pk": partition(message.room_id),
            "sk": message_sort(message.created_at, message.message_id),
            "room_id": message.room_id, "message_id": message.message_id, "text": message.text,
            "sender": message.sender, "created_at": number(message.created_at)}


def item_message(item: dict[str, Any]) -> Message:
    """The message a message item holds."""
    return Message(room_id=item["room_id"], message_id=item["message_id"], text=item["text"],
                   sender=item["sender"], created_at=float(item["created_at"]))


def hand_sort(hand_id: str) -> str:
    """The sort key of a raised hand's item."""
    return f"hand#{hand_id}"


def hand_code_key(room_id: str, code: str) -> dict[str, Any]:
    """The typed primary key of the item that reserves a call-in code in a room."""
    return item_key(room_id, f"handcode#{code}")


def hand_item(hand: Hand) -> dict[str, Any]:
    """A raised hand's item (in its room's partition)."""
    item: dict[str, Any] = {
        "pk": partition(hand.room_id), "sk": hand_sort(hand.hand_id), "room_id": hand.room_id,
        "hand_id": hand.hand_id, "show_id": hand.show_id, "name": hand.name, "line": hand.line,
        "state": hand.state.value, "token_hash": hand.token_hash, "via": hand.via,
        "created_at": number(float(hand.created_at)), "updated_at": number(float(hand.updated_at)),
        "version": hand.version,
    }
    if hand.call_in_code is not None:
        item["call_in_code"] = hand.call_in_code
    if hand.key_id is not None:
        item["key_id"] = hand.key_id
    return item


def item_hand(item: dict[str, Any]) -> Hand:
    """The hand a hand item holds."""
    return Hand(
        room_id=item["room_id"], hand_id=item["hand_id"], show_id=item["show_id"],
        name=item["name"], line=item.get("line", ""), state=HandState(item["state"]),
        token_hash=item.get("token_hash", ""), call_in_code=item.get("call_in_code"),
        key_id=item.get("key_id"), via=item.get("via", "web"),
        created_at=float(item["created_at"]), updated_at=float(item["updated_at"]),
        version=int(item["version"]),
    )
