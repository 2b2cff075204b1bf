"""GET /api/rooms a page at a time, from a cache that every room change clears."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import InMemoryRoomDirectory, Room, hash_stream_key
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret-listing"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


class CountingDirectory(InMemoryRoomDirectory):
    """The in-memory directory, counting how often the whole list is read."""

    def __init__(self) -> None:
        super().__init__()
        self.listed = 0

    def list_rooms(self, **kwargs: Any) -> list[Room]:
        self.listed += 1
        return super().list_rooms(**kwargs)


@pytest.fixture
def directory() -> CountingDirectory:
    directory = CountingDirectory()
    for i in range(250):
        directory.create(Room(id=f"room{i:04d}", title=f"Room {i}", stream_key_hash=hash_stream_key("k" * 32),
                              created_at=1_700_000_000.0 + (i // 3)))  # ties in created_at, broken by id
    return directory


@pytest.fixture
def client(tmp_path: Path, directory: CountingDirectory) -> FlaskClient:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), directory=directory,
                      run_encoders=False).test_client()


def every_page(client: FlaskClient, limit: int) -> list[list[str]]:
    pages, cursor = [], ""
    while True:
        query: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        reply = client.get("/api/rooms", query_string=query)
        assert reply.status_code == 200
        body = reply.get_json()
        pages.append([room["id"] for room in body["rooms"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_pages_cover_every_room_once_newest_first(client: FlaskClient,
                                                 directory: CountingDirectory) -> None:
    pages = every_page(client, 100)
    assert [len(p) for p in pages] == [100, 100, 50]
    ids = [room_id for p in pages for room_id in p]
    expected = sorted(directory.list_rooms(), key=lambda r: (-r.created_at, r.id))
    assert ids == [r.id for r in expected]
    assert len(client.get("/api/rooms").get_json()["rooms"]) == 100  # the default page


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 501}, {"limit": "x"},
                                   {"cursor": "not-ours"}, {"cursor": "WzEsIDJd"}],
                         ids=["zero", "too-many", "text", "junk", "foreign"])
def test_bad_paging_is_400(client: FlaskClient, query: dict[str, Any]) -> None:
    reply = client.get("/api/rooms", query_string=query)
    assert reply.status_code == 400 and "error" in reply.get_json()


def test_pollers_are_answered_from_the_cache(client: FlaskClient, directory: CountingDirectory) -> None:
    before = directory.listed
    for _ in range(20):
        assert client.get("/api/rooms").status_code == 200
    assert directory.listed - before == 1


def test_a_room_change_clears_the_cache_at_once(client: FlaskClient, directory: CountingDirectory) -> None:
    first = client.get("/api/rooms", query_string={"limit": 500}).get_json()["rooms"]
    assert next(r for r in first if r["id"] == "room0249")["title"] == "Room 249"
    assert client.patch("/api/rooms/room0249", json={"title": "Renamed"}, headers=ADMIN).status_code == 200
    created = client.post("/api/rooms", json={"title": "Brand new"}, headers=ADMIN).get_json()
    rooms = client.get("/api/rooms", query_string={"limit": 500}).get_json()["rooms"]
    assert next(r for r in rooms if r["id"] == "room0249")["title"] == "Renamed"
    assert rooms[0]["id"] == created["id"]  # newest first, seen at once


def test_a_change_made_elsewhere_shows_within_a_second(client: FlaskClient,
                                                       directory: CountingDirectory) -> None:
    client.get("/api/rooms")
    room = directory.get("room0249")
    assert room is not None
    directory.update(replace(room, title="Changed on another node"))  # not through the app
    time.sleep(1.1)
    rooms = client.get("/api/rooms").get_json()["rooms"]
    assert rooms[0]["title"] == "Changed on another node"
