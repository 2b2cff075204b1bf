"""Raised hands in the DynamoDB room directory: items in the room's partition, versioned writes.

A hand is ``room#<id>`` / ``hand#<hand id>``; a call-in code held by a hand is its own item,
``room#<id>`` / ``handcode#<code>``, written in the same transaction so two hands of a room
can never hold one code (the items are mapped in ``dynamodb_items``). Every change of a hand
is a put conditional on the version read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from room_directory.dynamodb_items import hand_code_key, hand_item, hand_sort, item_hand, item_key, partition
from room_directory.models import Hand
from room_directory.port import HandChanged, RoomExists, RoomNotFound


class DynamoDbHands:
    """The hands half of ``DynamoDbRoomDirectory`` (it supplies the plumbing below)."""

    @property
    def client(self) -> Any:
        """The boto3 client (``DynamoDbRoomDirectory`` makes it)."""
        raise NotImplementedError

    def _call(self, operation: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _to_ddb(self, item: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _from_ddb(self, item: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _transact(self, items: list[dict[str, Any]], what: str) -> None:
        raise NotImplementedError

    def add_hand(self, hand: Hand) -> Hand:
        """Store a new hand and claim its call-in code, in one transaction."""
        now = time.time()
        stored = replace(hand, created_at=hand.created_at or now, updated_at=now, version=0)
        items: list[dict[str, Any]] = [{"Put": {
            "Item": self._to_ddb(hand_item(stored)), "ConditionExpression": "attribute_not_exists(pk)",
        }}]
        if stored.call_in_code is not None:
            items.append({"Put": {"Item": self._code_item(stored, stored.call_in_code),
                                  "ConditionExpression": "attribute_not_exists(pk)"}})
        self._transact(items, hand.hand_id)
        return stored

    def get_hand(self, room_id: str, hand_id: str) -> Hand | None:
        """One hand of a room, or None."""
        key = item_key(room_id, hand_sort(hand_id))
        found = self._call("get_item", Key=key, ConsistentRead=True).get("Item")
        return item_hand(self._from_ddb(found)) if found else None

    def list_hands(self, room_id: str, *, show_id: str | None = None) -> list[Hand]:
        """The room's hands (of one show when ``show_id``), oldest first: one partition query."""
        hands = [item_hand(i) for i in self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)", ConsistentRead=True,
            ExpressionAttributeValues={":pk": {"S": partition(room_id)}, ":p": {"S": hand_sort("")}},
        )]
        if show_id is not None:
            hands = [h for h in hands if h.show_id == show_id]
        return sorted(hands, key=lambda h: (h.created_at, h.hand_id))

    def replace_hand(self, hand: Hand) -> Hand:
        """Put the hand if its version is unchanged; a moved call-in code moves in the same transaction."""
        current = self.get_hand(hand.room_id, hand.hand_id)
        if current is None:
            raise RoomNotFound(hand.hand_id)
        if current.version != hand.version:
            raise HandChanged(hand.hand_id)
        stored = replace(hand, created_at=current.created_at, updated_at=time.time(),
                         version=hand.version + 1)
        put = {"Item": self._to_ddb(hand_item(stored)), "ConditionExpression": "version = :v",
               "ExpressionAttributeValues": {":v": {"N": str(hand.version)}}}
        if stored.call_in_code == current.call_in_code:
            client = self.client
            try:
                self._call("put_item", **put)
            except client.exceptions.ConditionalCheckFailedException as exc:
                raise self._why_refused(hand) from exc
            return stored
        mine = {"ConditionExpression": "attribute_not_exists(pk) OR hand_id = :me",
                "ExpressionAttributeValues": {":me": {"S": hand.hand_id}}}
        items: list[dict[str, Any]] = [{"Put": put}]
        if stored.call_in_code is not None:
            items.append({"Put": {"Item": self._code_item(stored, stored.call_in_code), **mine}})
        if current.call_in_code is not None:
            items.append({"Delete": {"Key": hand_code_key(current.room_id, current.call_in_code), **mine}})
        try:
            self._transact(items, hand.hand_id)
        except RoomExists as exc:
            raise self._why_refused(hand) from exc
        return stored

    @staticmethod
    def _code_item(hand: Hand, code: str) -> dict[str, Any]:
        """The typed item reserving ``code`` for ``hand``."""
        return {**hand_code_key(hand.room_id, code), "hand_id": {"S": hand.hand_id}}

    def _why_refused(self, hand: Hand) -> Exception:
        """The error a refused write of ``hand`` means, read back from the table."""
        now = self.get_hand(hand.room_id, hand.hand_id)
        if now is None:
            return RoomNotFound(hand.hand_id)
        if now.version != hand.version:
            return HandChanged(hand.hand_id)
        return RoomExists(hand.hand_id)

    def find_hand_by_code(self, room_id: str, code: str) -> Hand | None:
        """The room's hand holding this call-in code, or None."""
        found = self._call("get_item", ConsistentRead=True, Key=hand_code_key(room_id, code)).get("Item")
        if not found:
            return None
        hand = self.get_hand(room_id, found["hand_id"]["S"])
        return hand if hand is not None and hand.call_in_code == code else None
