"""The follow book on the directory's DynamoDB table, beside the rooms.

Items (the table design of ``room_directory.dynamodb_items``, two more kinds):

=========================  ======================================  ======================
item                       pk / sk                                 what answers what
=========================  ======================================  ======================
follow                     ``follow#<host key>`` / ``user#<id>``   ``followers``: one query
notice subscription        ``user#<id>`` / ``notices``             ``is_subscribed``
=========================  ======================================  ======================

No index is needed: a host's followers share a partition, and the subscription check is a
``GetItem`` per follower when the host goes on air.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from room_directory.dynamodb import DynamoDbRoomDirectory
from room_directory.follows import Follower, host_key


class DynamoDbFollowBook:
    """Follows and notice subscriptions as items of the directory's table."""

    def __init__(self, directory: DynamoDbRoomDirectory) -> None:
        self._table = directory

    def follow(self, user_id: str, host: str, *, locale: str = "en-US") -> bool:
        """Record that ``user_id`` follows ``host``; False when already followed."""
        item = {"pk": f"follow#{host_key(host)}", "sk": f"user#{user_id}", "user_id": user_id,
                "locale": locale, "created_at": str(time.time())}
        client = self._table.client
        try:
            self._table._call("put_item", Item=self._table._to_ddb(item),
                              ConditionExpression="attribute_not_exists(pk)")
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def unfollow(self, user_id: str, host: str) -> bool:
        """Forget the follow; False when there was none."""
        answer = self._table._call(
            "delete_item", Key=self._table._to_ddb({"pk": f"follow#{host_key(host)}",
                                                    "sk": f"user#{user_id}"}),
            ReturnValues="ALL_OLD")
        return bool(answer.get("Attributes"))

    def followers(self, host: str, *, subscribed_only: bool = False) -> list[Follower]:
        """Who follows ``host`` (only listeners subscribed to notices, when asked)."""
        items = self._table._query(
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=self._table._to_ddb({":p": f"follow#{host_key(host)}"}))
        found = [Follower(str(i["user_id"]), str(i.get("locale") or "en-US")) for i in items]
        return [f for f in found if not subscribed_only or self.is_subscribed(f.user_id)]

    def set_subscribed(self, user_id: str, subscribed: bool) -> None:
        """Record whether the listener allows live notices."""
        key = {"pk": f"user#{user_id}", "sk": "notices"}
        if subscribed:
            self._table._call("put_item", Item=self._table._to_ddb(
                {**key, "subscribed_at": str(time.time())}))
        else:
            self._table._call("delete_item", Key=self._table._to_ddb(key))

    def is_subscribed(self, user_id: str) -> bool:
        """Whether the listener allows live notices."""
        answer = self._table._call("get_item", Key=self._table._to_ddb(
            {"pk": f"user#{user_id}", "sk": "notices"}), ConsistentRead=True)
        return "Item" in answer


def dynamodb_follow_book(url: str) -> DynamoDbFollowBook:
    """The follow book on the table of ``dynamodb://<table>[?region=R&endpoint=URL]``."""
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return DynamoDbFollowBook(DynamoDbRoomDirectory(
        parts.netloc, region=query.get("region") or None,
        endpoint_url=query.get("endpoint") or None))
