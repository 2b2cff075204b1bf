"""The CloudFront KeyValueStore adapter against a loopback stand-in of the API, signed as on AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from room_directory import InMemoryRoomDirectory, Room
from stream_server.serving.edge_keys import CloudFrontKeyValueStore, sync_edge_keys
from tests.support.aws import AWS_ENV
from tests.support.kvs_server import ARN, KvsStandIn


@pytest.fixture
def standin() -> Iterator[KvsStandIn]:
    server = KvsStandIn(page_size=7)
    yield server
    server.close()


def _client(standin: KvsStandIn) -> Any:
    # The endpoint rules put the account id in front of the host, as on AWS
    # (123456789012.kvs.invalid); the stand-in answers as an HTTP proxy for that name.
    return boto3.session.Session(region_name="us-east-1").client(
        "cloudfront-keyvaluestore", endpoint_url="http://kvs.invalid",
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
        config=Config(proxies={"http": standin.endpoint}, retries={"max_attempts": 1}))


def test_private_rooms_and_the_secret_reach_the_store_in_batches_signed_with_sigv4a(
        standin: KvsStandIn) -> None:
    directory = InMemoryRoomDirectory()
    for i in range(120):
        directory.create(Room(id=f"room-{i:03d}", title="R", stream_key_hash="h", private=i % 2 == 0))
    store = CloudFrontKeyValueStore(ARN, client=_client(standin))
    held = sync_edge_keys(store, directory, "edge-secret")
    assert standin.data == held
    assert standin.data["url-secret"] == "edge-secret"
    assert sorted(k for k in standin.data if k.startswith("private:")) == [
        f"private:room-{i:03d}" for i in range(0, 120, 2)]
    assert standin.calls.count("UpdateKeys") == 2  # 61 keys: batches of 50 on successive versions
    assert set(standin.auth_schemes) == {"AWS4-ECDSA-P256-SHA256"}  # SigV4A, as the API requires
    assert store.items() == held  # read back across pages of 7


def test_a_store_changed_by_another_server_raises_and_the_next_round_reads_it_again(
        standin: KvsStandIn) -> None:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="closed-room", title="C", stream_key_hash="h", private=True))
    client = _client(standin)
    racing = {"on": True}

    def another_server_writes_first(**_: Any) -> None:
        if racing["on"]:
            standin.data["private:other"] = "1"
            standin.version += 1

    client.meta.events.register("before-call.cloudfront-keyvaluestore.UpdateKeys",
                                another_server_writes_first)
    store = CloudFrontKeyValueStore(ARN, client=client)
    with pytest.raises(client.exceptions.ConflictException):
        sync_edge_keys(store, directory, "edge-secret")
    assert "url-secret" not in standin.data  # nothing half-written over the other server's version
    racing["on"] = False
    assert sync_edge_keys(store, directory, "edge-secret", since=5.0) == {
        "private:closed-room": "1", "private:other": "1", "url-secret": "edge-secret",
        "url-secret-since": "5.000"}
