"""The DynamoDB room directory: one table, five sparse indexes, no scans.

Queries and writes; the items, their keys and the table's definition are
``room_directory.dynamodb_items``. Every listing is one query on the most selective
sparse index (never a scan); private rooms are filtered out by a filter expression on
the query. Room and join-code writes are one transaction, leases one conditional update.
Boto3 is imported when the first call needs a client, never at import.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Any

from room_directory.dynamodb_hands import DynamoDbHands
from room_directory.dynamodb_items import (
    MESSAGES_END,
    TABLE_DEFINITION,
    code_key,
    item_key,
    item_message,
    item_publisher_key,
    item_room,
    item_show,
    key_sort,
    listeners_sort,
    message_item,
    message_sort,
    number,
    partition,
    publisher_key_item,
    room_item,
    show_item,
    show_sort,
    sort_minute,
)
from room_directory.models import Message, PublisherKey, Room, RoomStatus, Show
from room_directory.port import RoomDirectoryError, RoomExists, RoomNotFound

__all__ = ["TABLE_DEFINITION", "DynamoDbRoomDirectory"]

#: Listener ids per UpdateItem: 16-character ids keep a request far below DynamoDB's 400 KB
#: item size (which also bounds one room-minute to about 20,000 listeners).
_LISTENERS_PER_UPDATE = 5000


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
            "Item": self._to_ddb(room_item(stored)), "ConditionExpression": "attribute_not_exists(pk)",
        }}]
        if stored.join_code is not None:
            items.append({"Put": {
                "Item": {**code_key(stored.join_code), "room_id": {"S": stored.id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }})
        self._transact(items, room.id)
        return stored

    def get(self, room_id: str) -> Room | None:
        """The room with this id, or None."""
        found = self._call("get_item", Key=item_key(room_id, "room"), ConsistentRead=True).get("Item")
        return item_room(self._from_ddb(found)) if found else None

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
        rooms = [item_room(item) for item in self._query(**kwargs)]
        return sorted(rooms, key=lambda r: (r.created_at, r.id), reverse=True)

    def scheduled_between(self, start: float, end: float) -> list[Room]:
        """Public rooms whose ``scheduled_start`` lies in ``[start, end)``: one range query."""
        items = self._query(
            IndexName="by_schedule",
            KeyConditionExpression="schedule_key = :p AND scheduled_start BETWEEN :a AND :b",
            ExpressionAttributeValues={":p": {"S": "public"}, ":a": {"N": str(number(start))},
                                       ":b": {"N": str(number(end))}},
        )
        # BETWEEN includes its end; the port's range is half-open
        rooms = [r for r in map(item_room, items) if (r.scheduled_start or 0.0) < end]
        return sorted(rooms, key=lambda r: (r.scheduled_start or 0.0, r.id))

    def find_by_join_code(self, code: str) -> Room | None:
        """The room with this spoken join code, or None."""
        found = self._call("get_item", Key=code_key(code), ConsistentRead=True).get("Item")
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
            "Item": self._to_ddb(room_item(stored)), "ConditionExpression": "attribute_exists(pk)",
        }}]
        if stored.join_code != current.join_code:
            if stored.join_code is not None:
                items.append({"Put": {
                    "Item": {**code_key(stored.join_code), "room_id": {"S": room.id}},
                    "ConditionExpression": "attribute_not_exists(pk) OR room_id = :me",
                    "ExpressionAttributeValues": {":me": {"S": room.id}},
                }})
            if current.join_code is not None:
                items.append({"Delete": {
                    "Key": code_key(current.join_code),
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
                Key=item_key(room_id, "lease"),
                UpdateExpression="SET node_id = :n, #u = :u",
                ConditionExpression="attribute_not_exists(pk) OR node_id = :n OR #u < :now",
                ExpressionAttributeNames={"#u": "until"},
                ExpressionAttributeValues={":n": {"S": node_id}, ":u": {"N": str(number(until))},
                                           ":now": {"N": str(number(now))}},
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
                Key=item_key(room_id, "lease"),
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
                           Key=item_key(room_id, "lease")).get("Item")
        return (found["node_id"]["S"], float(found["until"]["N"])) if found else None

    # -- publisher keys ------------------------------------------------------------------

    def add_key(self, key: PublisherKey) -> PublisherKey:
        """Store a new co-host or guest key (conditional put: the key id must be free)."""
        stored = replace(key, created_at=key.created_at or time.time())
        item = publisher_key_item(stored)
        client = self.client
        try:
            self._call("put_item", Item=self._to_ddb(item),
                       ConditionExpression="attribute_not_exists(pk)")
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise RoomExists(key.key_id) from exc
        return stored

    def list_keys(self, room_id: str) -> list[PublisherKey]:
        """The room's co-host keys, oldest first."""
        keys = [item_publisher_key(i) for i in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)", ConsistentRead=True,
            ExpressionAttributeValues={":pk": {"S": partition(room_id)}, ":p": {"S": key_sort("")}},
        )]
        return sorted(keys, key=lambda k: (k.created_at, k.key_id))

    def update_key(self, key: PublisherKey) -> PublisherKey:
        """Replace a stored key's fields (its creation time and a guest key's show stay)."""
        client = self.client
        try:
            self._call(
                "update_item",
                Key=item_key(key.room_id, key_sort(key.key_id)),
                UpdateExpression="SET #n = :n, key_hash = :h, #r = :r, muted = :m, revoked = :v",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#n": "name", "#r": "role"},
                ExpressionAttributeValues={":n": {"S": key.name}, ":h": {"S": key.key_hash},
                                           ":r": {"S": key.role.value}, ":m": {"BOOL": key.muted},
                                           ":v": {"BOOL": key.revoked}},
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise RoomNotFound(key.key_id) from exc
        return key

    # -- shows ---------------------------------------------------------------------------

    def save_show(self, show: Show) -> Show:
        """Insert or replace a show record."""
        self._call("put_item", Item=self._to_ddb(show_item(show)))
        return show

    def get_show(self, room_id: str, show_id: str) -> Show | None:
        """One show of a room, or None."""
        found = self._call("get_item", ConsistentRead=True,
                           Key=item_key(room_id, show_sort(show_id)))
        item = found.get("Item")
        return item_show(self._from_ddb(item)) if item else None

    def list_shows(self, room_id: str | None = None, *, ended_only: bool = False) -> list[Show]:
        """Shows of one room (its partition) or of every room (``by_kind``), newest first."""
        kwargs: dict[str, Any]
        if room_id is not None:
            kwargs = {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :p)",
                      "ConsistentRead": True,
                      "ExpressionAttributeValues": {":pk": {"S": partition(room_id)},
                                                    ":p": {"S": show_sort("")}}}
        else:
            kwargs = {"IndexName": "by_kind", "KeyConditionExpression": "kind = :k",
                      "ScanIndexForward": False,
                      "ExpressionAttributeValues": {":k": {"S": "show"}}}
        if ended_only:
            kwargs["FilterExpression"] = "attribute_exists(ended_at)"
        shows = [item_show(i) for i in self._query(**kwargs)]
        return sorted(shows, key=lambda s: (s.started_at, s.show_id), reverse=True)

    def delete_show(self, room_id: str, show_id: str) -> None:
        """Forget a show record."""
        self._call("delete_item", Key=item_key(room_id, show_sort(show_id)))

    # -- messages ------------------------------------------------------------------------

    def add_message(self, message: Message) -> Message:
        """Store a listener's message; the sort key orders by creation time."""
        stored = replace(message, created_at=message.created_at or time.time())
        item = message_item(stored)
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
            "ExpressionAttributeValues": {":pk": {"S": partition(room_id)},
                                          ":a": {"S": message_sort(since, "~")}, ":b": {"S": MESSAGES_END}},
            "Limit": max(1, limit),
        }
        for item in self._query(**kwargs):
            if len(found) >= limit:
                break
            found.append(item_message(item))
        return found

    def add_listeners(self, room_id: str, minute: int, listeners: Collection[str]) -> None:
        """Add the listener ids seen in one minute of a room: UpdateItem ADD on one string set
        per room and minute, a set union, so a log file read twice counts nobody twice."""
        ids = sorted(set(listeners))
        for start in range(0, len(ids), _LISTENERS_PER_UPDATE):
            self._call("update_item", Key=item_key(room_id, listeners_sort(minute)),
                       UpdateExpression="ADD listeners :ids",
                       ExpressionAttributeValues={":ids": {"SS": ids[start:start + _LISTENERS_PER_UPDATE]}})

    def listener_minutes(self, room_id: str, first: int, last: int) -> dict[int, int]:
        """Distinct listeners of each minute in ``[first, last]`` that has any: one range query."""
        found: dict[int, int] = {}
        for item in self._query(
                KeyConditionExpression="pk = :pk AND sk BETWEEN :a AND :b", ConsistentRead=True,
                ExpressionAttributeValues={":pk": {"S": partition(room_id)},
                                           ":a": {"S": listeners_sort(first)},
                                           ":b": {"S": listeners_sort(last)}}):
            found[sort_minute(item["sk"])] = len(item["listeners"])
        return found
