"""The DynamoDB room directory: one table, four sparse indexes, no scans.

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
raised hand                ``room#<id>`` / ``hand#<hand id>``  conditional on its version
call-in code               ``room#<id>`` / ``handcode#<code>`` unique code → hand id (same
                                                     transaction as the hand)
show                       ``room#<id>`` / ``show#<show id>``
message                    ``room#<id>`` / ``msg#<created>#<id>``  range query after ``since``
=========================  =======================  =================================

Global secondary indexes (all sparse: an item only appears where it has the key):

- ``by_kind``  (``kind``, ``order``): every room newest first (``kind = room``) and every
  show newest first (``kind = show``);
- ``by_status`` (``status_key``, ``order``): ``live`` rooms newest first;
- ``by_genre`` (``genre_key``, ``order``) and ``by_host`` (``host_key``, ``order``):
  case-folded genre and host;
- ``by_schedule`` (``schedule_key``, ``scheduled_start``): public scheduled rooms by time,
  so ``scheduled_between`` is one range query.

``order`` sorts as text: a zero-padded time, then the id. Private rooms are filtered out of
listings by a filter expression on the query (never a scan). The lease is its own item, so
``update`` (a conditional put of the room item) can never clobber it. Boto3 is imported
when the first call needs a client, never at import.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from room_directory.dynamodb_hands import DynamoDbHands
from room_directory.models import KeyRole, Message, PublisherKey, Room, RoomStatus, Show
from room_directory.port import RoomDirectoryError, RoomExists, RoomNotFound

_GSI_KEYS = {
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
        for index, (hash_key, range_key) in _GSI_KEYS.items()
    ],
}


def _pad(value: float) -> str:
    """A non-negative time as text that sorts like the number (microsecond precision)."""
    return f"{value:020.6f}"


def _num(value: float | int) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _room_key(room_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"room#{room_id}"}, "sk": {"S": "room"}}


def _code_key(code: str) -> dict[str, Any]:
    return {"pk": {"S": f"code#{code}"}, "sk": {"S": "code"}}


def _room_item(room: Room) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": f"room#{room.id}", "sk": "room", "kind": "room",
        "order": f"{_pad(room.created_at)}#{room.id}",
        "id": room.id, "title": room.title, "stream_key_hash": room.stream_key_hash,
        "host": room.host, "genre": room.genre, "topics": list(room.topics),
        "description": room.description, "status": room.status.value,
        "created_at": _num(room.created_at), "updated_at": _num(room.updated_at),
        "tags": list(room.tags), "art_url": room.art_url, "private": room.private,
    }
    optional = {"show_id": room.show_id, "join_code": room.join_code,
                "live_since": room.live_since, "scheduled_start": room.scheduled_start}
    for name, value in optional.items():
        if value is not None:
            item[name] = _num(value) if isinstance(value, float | int) else value
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


def _item_room(item: dict[str, Any]) -> Room:
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


def _show_item(show: Show) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": f"room#{show.room_id}", "sk": f"show#{show.show_id}", "kind": "show",
        "order": f"{_pad(show.started_at)}#{show.show_id}#{show.room_id}",
        "room_id": show.room_id, "show_id": show.show_id, "started_at": _num(show.started_at),
        "duration": _num(show.duration), "segments": show.segments, "title": show.title,
        "genre": show.genre, "host": show.host, "peak_listeners": show.peak_listeners,
        "listeners_per_minute": list(show.listeners_per_minute),
    }
    if show.ended_at is not None:
        item["ended_at"] = _num(show.ended_at)
    return item


def _item_show(item: dict[str, Any]) -> Show:
    return Show(
        room_id=item["room_id"], show_id=item["show_id"], started_at=float(item["started_at"]),
        ended_at=_opt_float(item.get("ended_at")), duration=float(item["duration"]),
        segments=int(item["segments"]), title=item["title"], genre=item["genre"],
        host=item["host"], peak_listeners=int(item["peak_listeners"]),
        listeners_per_minute=tuple(int(n) for n in item["listeners_per_minute"]),
    )


def _item_key(item: dict[str, Any]) -> PublisherKey:
    return PublisherKey(
        room_id=item["room_id"], key_id=item["key_id"], name=item["name"],
        key_hash=item["key_hash"], role=KeyRole(item["role"]), muted=bool(item["muted"]),
        revoked=bool(item["revoked"]), created_at=float(item["created_at"]),
        show_id=item.get("show_id"),
    )


class DynamoDbRoomDirectory(DynamoDbHands):
    """Rooms in one DynamoDB table (design in the module docstring).

    ``client`` is a boto3 DynamoDB client; without one, a client for ``region`` and
    ``endpoint_url`` is made on first use (boto3 is thread-safe once the client exists).
    """

    def __init__(self, table: str, *, region: str | None = None, endpoint_url: str | None = None,
                 client: Any = None) -> None:
        self.table = table
        self._region = region
        self._endpoint_url = endpoint_url
        self._client = client
        self._lock = threading.Lock()
        self._serializer: Any = None
        self._deserializer: Any = None

    # -- plumbing ------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The boto3 client, created (and boto3 imported) on first use."""
        with self._lock:
            if self._client is None:
                import boto3

                self._client = boto3.session.Session().client(
                    "dynamodb", region_name=self._region, endpoint_url=self._endpoint_url
                )
            if self._serializer is None:
                from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

                self._serializer, self._deserializer = TypeSerializer(), TypeDeserializer()
            return self._client

    def _call(self, operation: str, **kwargs: Any) -> Any:
        """Run one API call; every backend failure becomes ``RoomDirectoryError``."""
        client = self.client
        try:
            return getattr(client, operation)(TableName=self.table, **kwargs)
        except client.exceptions.ConditionalCheckFailedException:
            raise
        except client.exceptions.TransactionCanceledException:
            raise
        except Exception as exc:  # botocore errors, connection failures
            raise RoomDirectoryError(f"dynamodb {operation} on {self.table}: {exc}") from exc

    def _to_ddb(self, item: dict[str, Any]) -> dict[str, Any]:
        _ = self.client
        return {k: self._serializer.serialize(v) for k, v in item.items()}

    def _from_ddb(self, item: dict[str, Any]) -> dict[str, Any]:
        _ = self.client
        return {k: self._deserializer.deserialize(v) for k, v in item.items()}

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item of a query, following pages."""
        while True:
            page = self._call("query", **kwargs)
            for item in page.get("Items", []):
                yield self._from_ddb(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _transact(self, items: list[dict[str, Any]], what: str) -> None:
        client = self.client
        for entry in items:
            next(iter(entry.values()))["TableName"] = self.table
        try:
            client.transact_write_items(TransactItems=items)
        except client.exceptions.TransactionCanceledException as exc:
            raise RoomExists(what) from exc
        except Exception as exc:
            raise RoomDirectoryError(f"dynamodb transaction on {self.table}: {exc}") from exc

    def create_table(self) -> None:
        """Create the table (tests and local runs; on AWS the SAM template creates it)."""
        self._call("create_table", **TABLE_DEFINITION)

    # -- rooms ---------------------------------------------------------------------------

    def create(self, room: Room) -> Room:
        """Store a new room; its join code is claimed in the same transaction."""
        now = time.time()
        stored = replace(room, created_at=room.created_at or now, updated_at=now)
        items: list[dict[str, Any]] = [{"Put": {
            "Item": self._to_ddb(_room_item(stored)), "ConditionExpression": "attribute_not_exists(pk)",
        }}]
        if stored.join_code is not None:
            items.append({"Put": {
                "Item": {**_code_key(stored.join_code), "room_id": {"S": stored.id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }})
        self._transact(items, room.id)
        return stored

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        found = self._call("get_item", Key=_room_key(room_id), ConsistentRead=True).get("Item")
        return _item_room(self._from_ddb(found)) if found else None

    def list_rooms(
        self,
        *,
        live_only: bool = False,
        genre: str | None = None,
        host: str | None = None,
        include_private: bool = False,
    ) -> list[Room]:
        """Rooms newest first: one query on the most selective index, the rest filtered."""
        if genre is not None:
            index, key, value = "by_genre", "genre_key", genre.casefold()
        elif host is not None:
            index, key, value = "by_host", "host_key", host.casefold()
        elif live_only:
            index, key, value = "by_status", "status_key", RoomStatus.LIVE.value
        else:
            index, key, value = "by_kind", "kind", "room"
        filters: list[str] = []
        values: dict[str, Any] = {":v": {"S": value}}
        names: dict[str, str] = {"#k": key}
        if not include_private:
            filters.append("#p = :false")
            names["#p"] = "private"
            values[":false"] = {"BOOL": False}
        if live_only and key != "status_key":
            filters.append("#s = :live")
            names["#s"] = "status"
            values[":live"] = {"S": RoomStatus.LIVE.value}
        if host is not None and key != "host_key":
            filters.append("#h = :host")
            names["#h"] = "host_key"
            values[":host"] = {"S": host.casefold()}
        kwargs: dict[str, Any] = {
            "IndexName": index, "KeyConditionExpression": "#k = :v",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
        rooms = [_item_room(item) for item in self._query(**kwargs)]
        return sorted(rooms, key=lambda r: (r.created_at, r.id), reverse=True)

    def scheduled_between(self, start: float, end: float) -> list[Room]:
        """Public rooms whose ``scheduled_start`` lies in ``[start, end)``: one range query."""
        items = self._query(
            IndexName="by_schedule",
            KeyConditionExpression="schedule_key = :p AND scheduled_start BETWEEN :a AND :b",
            ExpressionAttributeValues={":p": {"S": "public"}, ":a": {"N": str(_num(start))},
                                       ":b": {"N": str(_num(end))}},
        )
        # BETWEEN includes its end; the port's range is half-open
        rooms = [r for r in map(_item_room, items) if (r.scheduled_start or 0.0) < end]
        return sorted(rooms, key=lambda r: (r.scheduled_start or 0.0, r.id))

    def find_by_join_code(self, code: str) -> Room | None:
        """The room with this spoken join code, or None."""
        found = self._call("get_item", Key=_code_key(code), ConsistentRead=True).get("Item")
        if not found:
            return None
        room = self.get(found["room_id"]["S"])
        return room if room is not None and room.join_code == code else None

    def update(self, room: Room) -> Room:
        """Replace the room item (lease untouched); move its join code in one transaction."""
        current = self.get(room.id)
        if current is None:
            raise RoomNotFound(room.id)
        stored = replace(room, updated_at=time.time())
        items: list[dict[str, Any]] = [{"Put": {
            "Item": self._to_ddb(_room_item(stored)), "ConditionExpression": "attribute_exists(pk)",
        }}]
        if stored.join_code != current.join_code:
            if stored.join_code is not None:
                items.append({"Put": {
                    "Item": {**_code_key(stored.join_code), "room_id": {"S": room.id}},
                    "ConditionExpression": "attribute_not_exists(pk) OR room_id = :me",
                    "ExpressionAttributeValues": {":me": {"S": room.id}},
                }})
            if current.join_code is not None:
                items.append({"Delete": {
                    "Key": _code_key(current.join_code),
                    "ConditionExpression": "attribute_not_exists(pk) OR room_id = :me",
                    "ExpressionAttributeValues": {":me": {"S": room.id}},
                }})
        self._transact(items, room.id)
        return stored

    # -- leases --------------------------------------------------------------------------

    def claim(self, room_id: str, node_id: str, until: float, *, now: float) -> bool:
        """Take or renew the lease: one conditional update, atomic in DynamoDB."""
        client = self.client
        try:
            self._call(
                "update_item",
                Key={"pk": {"S": f"room#{room_id}"}, "sk": {"S": "lease"}},
                UpdateExpression="SET node_id = :n, #u = :u",
                ConditionExpression="attribute_not_exists(pk) OR node_id = :n OR #u < :now",
                ExpressionAttributeNames={"#u": "until"},
                ExpressionAttributeValues={":n": {"S": node_id}, ":u": {"N": str(_num(until))},
                                           ":now": {"N": str(_num(now))}},
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def release(self, room_id: str, node_id: str) -> None:
        """Give the lease up if ``node_id`` holds it."""
        client = self.client
        try:
            self._call(
                "update_item",
                Key={"pk": {"S": f"room#{room_id}"}, "sk": {"S": "lease"}},
                UpdateExpression="SET #u = :zero",
                ConditionExpression="node_id = :n",
                ExpressionAttributeNames={"#u": "until"},
                ExpressionAttributeValues={":n": {"S": node_id}, ":zero": {"N": "0"}},
            )
        except client.exceptions.ConditionalCheckFailedException:
            pass

    def lease_of(self, room_id: str) -> tuple[str, float] | None:
        """``(node_id, until)`` of the room's lease, or None."""
        found = self._call("get_item", ConsistentRead=True,
                           Key={"pk": {"S": f"room#{room_id}"}, "sk": {"S": "lease"}}).get("Item")
        return (found["node_id"]["S"], float(found["until"]["N"])) if found else None

    # -- publisher keys ------------------------------------------------------------------

    def add_key(self, key: PublisherKey) -> PublisherKey:
        """Store a new co-host key (conditional put: the key id must be free)."""
        stored = replace(key, created_at=key.created_at or time.time())
        item = {"pk": f"room#{key.room_id}", "sk": f"key#{key.key_id}", "room_id": key.room_id,
                "key_id": key.key_id, "name": stored.name, "key_hash": stored.key_hash,
                "role": stored.role.value, "muted": stored.muted, "revoked": stored.revoked,
                "created_at": _num(stored.created_at)}
        if stored.show_id is not None:
            item["show_id"] = stored.show_id
        client = self.client
        try:
            self._call("put_item", Item=self._to_ddb(item),
                       ConditionExpression="attribute_not_exists(pk)")
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise RoomExists(key.key_id) from exc
        return stored

    def list_keys(self, room_id: str) -> list[PublisherKey]:
        """The room's co-host keys, oldest first."""
        keys = [_item_key(i) for i in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)", ConsistentRead=True,
            ExpressionAttributeValues={":pk": {"S": f"room#{room_id}"}, ":p": {"S": "key#"}},
        )]
        return sorted(keys, key=lambda k: (k.created_at, k.key_id))

    def update_key(self, key: PublisherKey) -> PublisherKey:
        """Replace a stored key's fields (its creation time stays)."""
        client = self.client
        try:
            self._call(
                "update_item",
                Key={"pk": {"S": f"room#{key.room_id}"}, "sk": {"S": f"key#{key.key_id}"}},
                UpdateExpression="SET #n = :n, key_hash = :h, #r = :r, muted = :m, revoked = :v, "
                                 "show_id = :s",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#n": "name", "#r": "role"},
                ExpressionAttributeValues={":n": {"S": key.name}, ":h": {"S": key.key_hash},
                                           ":r": {"S": key.role.value}, ":m": {"BOOL": key.muted},
                                           ":v": {"BOOL": key.revoked},
                                           ":s": {"S": key.show_id} if key.show_id is not None
                                           else {"NULL": True}},
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise RoomNotFound(key.key_id) from exc
        return key

    # -- shows ---------------------------------------------------------------------------

    def save_show(self, show: Show) -> Show:
        """Insert or replace a show record."""
        self._call("put_item", Item=self._to_ddb(_show_item(show)))
        return show

    def get_show(self, room_id: str, show_id: str) -> Show | None:
        """One show of a room, or None."""
        found = self._call("get_item", ConsistentRead=True,
                           Key={"pk": {"S": f"room#{room_id}"}, "sk": {"S": f"show#{show_id}"}})
        item = found.get("Item")
        return _item_show(self._from_ddb(item)) if item else None

    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]:
        """Shows of one room (its partition) or of every room (``by_kind``), newest first."""
        kwargs: dict[str, Any]
        if room_id is not None:
            kwargs = {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :p)",
                      "ConsistentRead": True,
                      "ExpressionAttributeValues": {":pk": {"S": f"room#{room_id}"},
                                                    ":p": {"S": "show#"}}}
        else:
            kwargs = {"IndexName": "by_kind", "KeyConditionExpression": "kind = :k",
                      "ScanIndexForward": False,
                      "ExpressionAttributeValues": {":k": {"S": "show"}}}
        if ended_only:
            kwargs["FilterExpression"] = "attribute_exists(ended_at)"
        shows = [_item_show(i) for i in self._query(**kwargs)]
        return sorted(shows, key=lambda s: (s.started_at, s.show_id), reverse=True)

    def delete_show(self, room_id: str, show_id: str) -> None:
        """Forget a show record."""
        self._call("delete_item", Key={"pk": {"S": f"room#{room_id}"}, "sk": {"S": f"show#{show_id}"}})

    # -- messages ------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store a listener's message; the sort key orders by creation time."""
        stored = replace(message, created_at=message.created_at or time.time())
        item = {"pk": f"room#{stored.room_id}",
                "sk": f"msg#{_pad(stored.created_at)}#{stored.message_id}",
                "room_id": stored.room_id, "message_id": stored.message_id, "text": stored.text,
                "sender": stored.sender, "created_at": _num(stored.created_at)}
        client = self.client
        try:
            self._call("put_item", Item=self._to_ddb(item), ConditionExpression="attribute_not_exists(pk)")
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise RoomExists(message.message_id) from exc
        return stored

    def list_messages(self, room_id: str, *, since: float = 0.0, limit: int = 50) -> list[Message]:
        """The room's messages after ``since``, oldest first: one range query with a limit."""
        found: list[Message] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :a AND :b", "ConsistentRead": True,
            "ExpressionAttributeValues": {":pk": {"S": f"room#{room_id}"},
                                          ":a": {"S": f"msg#{_pad(since)}#~"}, ":b": {"S": "msg#~"}},
            "Limit": max(1, limit),
        }
        for item in self._query(**kwargs):
            if len(found) >= limit:
                break
            found.append(Message(room_id=item["room_id"], message_id=item["message_id"],
                                 text=item["text"], sender=item["sender"],
                                 created_at=float(item["created_at"])))
        return found
