"""/healthz and /metrics count the same rooms live: every room on air, private ones included."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from room_directory import InMemoryRoomDirectory, Room, RoomStatus
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings


def on_air(directory: InMemoryRoomDirectory, room: Room) -> None:
    created = directory.create(room)
    directory.update(dataclasses.replace(created, status=RoomStatus.LIVE, live_since=time.time()))


def test_a_private_room_on_air_counts_in_both(tmp_path: Path) -> None:
    directory = InMemoryRoomDirectory()
    on_air(directory, Room("public-1", "Open Jam", "x"))
    on_air(directory, Room("family-1", "Family Call", "x", private=True, join_code="1234"))
    directory.create(Room("idle-1", "Later", "x"))
    client = create_app(Settings(data_dir=tmp_path), directory=directory,
                        run_encoders=False).test_client()
    health = client.get("/healthz").get_json()
    (gauge,) = [family for family in text_string_to_metric_families(
        client.get("/metrics").get_data(as_text=True)) if family.name == "livestage_rooms_live"]
    assert health["rooms_live"] == 2
    assert gauge.samples[0].value == health["rooms_live"]
    assert "family-1" not in client.get("/metrics").get_data(as_text=True)
