"""What the DynamoDB adapter promises beyond the shared contract (which it also passes)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from room_directory import Room, RoomStatus, hash_stream_key, open_directory
from room_directory.dynamodb import DynamoDbRoomDirectory
from tests.support import ROOT
from tests.support.aws import MotoServer, unique_name


@pytest.fixture
def recorded(moto_server: MotoServer) -> tuple[DynamoDbRoomDirectory, list[str]]:
    """A directory on a fresh table whose client records every API operation it sends."""
    client: Any = moto_server.client("dynamodb")
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb.*",
                                lambda model, **_: calls.append(model.name))
    directory = DynamoDbRoomDirectory(unique_name("rooms"), client=client)
    directory.create_table()
    return directory, calls


def room(room_id: str, **fields: Any) -> Room:
    return Room(id=room_id, title=fields.pop("title", room_id), stream_key_hash=hash_stream_key("k"),
                **fields)


def test_every_listing_is_a_query_never_a_scan(recorded: tuple[DynamoDbRoomDirectory, list[str]]) -> None:
    directory, calls = recorded
    for i in range(30):
        directory.create(room(f"room-{i:02d}", genre="jazz" if i % 2 else "rock", host=f"H{i % 3}",
                              scheduled_start=1000.0 + i, status=RoomStatus.LIVE if i % 5 == 0
                              else RoomStatus.IDLE))
    calls.clear()
    assert len(directory.list_rooms()) == 30
    assert [r.id for r in directory.list_rooms(live_only=True)] == [
        f"room-{i:02d}" for i in (25, 20, 15, 10, 5, 0)]
    assert len(directory.list_rooms(genre="JAZZ")) == 15
    assert len(directory.list_rooms(host="h1", live_only=True)) == 2  # rooms 10 and 25
    assert [r.id for r in directory.scheduled_between(1010.0, 1013.0)] == ["room-10", "room-11", "room-12"]
    assert set(calls) == {"Query"}, calls


def test_a_claim_is_one_conditional_write_so_dynamodb_makes_it_atomic(moto_server: MotoServer) -> None:
    client: Any = moto_server.client("dynamodb")
    sent: list[tuple[str, dict[str, Any]]] = []
    client.meta.events.register("before-parameter-build.dynamodb.*",  # the API call's own parameters
                                lambda model, params, **_: sent.append((model.name, dict(params))))
    directory = DynamoDbRoomDirectory(unique_name("rooms"), client=client)
    directory.create_table()
    sent.clear()
    assert directory.claim("contested", "node-a", 500.0, now=100.0)
    assert not directory.claim("contested", "node-b", 600.0, now=200.0)  # held, not expired
    # no read-then-write: each claim is a single UpdateItem whose condition decides it
    assert [name for name, _ in sent] == ["UpdateItem", "UpdateItem"]
    for _, params in sent:
        condition = params["ConditionExpression"]
        assert "attribute_not_exists(pk)" in condition and "node_id = :n" in condition
        assert "< :now" in condition


def test_update_keeps_the_lease(recorded: tuple[DynamoDbRoomDirectory, list[str]]) -> None:
    directory, _ = recorded
    created = directory.create(room("leased"))
    assert directory.claim("leased", "node-a", 500.0, now=100.0)
    directory.update(replace(created, title="renamed", status=RoomStatus.LIVE))
    assert directory.lease_of("leased") == ("node-a", 500.0)
    assert not directory.claim("leased", "node-b", 600.0, now=200.0)
    stored = directory.get("leased")
    assert stored is not None and stored.title == "renamed"


def test_a_changed_join_code_frees_the_old_one(recorded: tuple[DynamoDbRoomDirectory, list[str]]) -> None:
    directory, _ = recorded
    a = directory.create(room("a1", private=True, join_code="1111"))
    directory.update(replace(a, join_code="2222"))
    assert directory.find_by_join_code("1111") is None
    found = directory.find_by_join_code("2222")
    assert found is not None and found.id == "a1"
    directory.create(room("b2", private=True, join_code="1111"))  # the old code is free again


def test_the_factory_url_names_table_region_and_endpoint(moto_server: MotoServer) -> None:
    table = unique_name("rooms")
    opened = open_directory(f"dynamodb://{table}?region=eu-west-1&endpoint={moto_server.endpoint}")
    assert isinstance(opened, DynamoDbRoomDirectory)
    opened.create_table()
    opened.create(room("x1"))
    assert opened.client.meta.region_name == "eu-west-1"
    assert table in opened.client.list_tables()["TableNames"]
    with pytest.raises(ValueError):
        open_directory("dynamodb://")


def test_a_missing_table_is_a_directory_error_not_a_crash(moto_server: MotoServer) -> None:
    from room_directory import RoomDirectoryError

    directory = open_directory(f"dynamodb://absent-table?region=us-east-1&endpoint={moto_server.endpoint}")
    with pytest.raises(RoomDirectoryError):
        directory.get("anything")


def test_the_embedded_default_never_imports_boto3(tmp_path: Path) -> None:
    code = ("import sys, pathlib, room_directory, room_directory.dynamodb, stream_server.stores.s3\n"
            "from room_directory import open_directory; open_directory('dynamodb://t?region=x')\n"
            "from stream_server.ops.app import create_app; from stream_server.ops.config import Settings\n"
            f"create_app(Settings(data_dir=pathlib.Path({str(tmp_path)!r})), run_encoders=False)\n"
            "print('boto3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_a_hand_change_is_one_write_conditional_on_its_version(moto_server: MotoServer) -> None:
    """moto checks a condition and writes in two steps, so the race itself is tested on the
    local adapters; here, that DynamoDB gets a write it can decide atomically."""
    from room_directory import Hand, HandState

    client: Any = moto_server.client("dynamodb")
    sent: list[tuple[str, dict[str, Any]]] = []
    client.meta.events.register("before-parameter-build.dynamodb.*",
                                lambda model, params, **_: sent.append((model.name, dict(params))))
    directory = DynamoDbRoomDirectory(unique_name("rooms"), client=client)
    directory.create_table()
    read = directory.add_hand(Hand(room_id="r1", hand_id="h1", show_id="s1", name="Ada"))
    sent.clear()
    directory.replace_hand(replace(read, state=HandState.ACCEPTED))
    writes = [(name, params) for name, params in sent if name != "GetItem"]
    assert [name for name, _ in writes] == ["PutItem"]
    assert writes[0][1]["ConditionExpression"] == "version = :v"
    assert writes[0][1]["ExpressionAttributeValues"] == {":v": {"N": "0"}}
    sent.clear()
    assert [h.state for h in directory.list_hands("r1")] == [HandState.ACCEPTED]
    assert [name for name, _ in sent] == ["Query"]
