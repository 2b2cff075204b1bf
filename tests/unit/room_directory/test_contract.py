"""One contract, every adapter: memory and SQLite behave the same."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from room_directory import (
    ROOM_ID_PATTERN,
    InMemoryRoomDirectory,
    Room,
    RoomDirectory,
    RoomExists,
    RoomNotFound,
    RoomStatus,
    SqliteRoomDirectory,
    hash_stream_key,
    new_room_id,
    new_stream_key,
    open_directory,
    stream_key_matches,
)

Factory = Callable[[Path], RoomDirectory]
ADAPTERS: dict[str, Factory] = {
    "memory": lambda _: InMemoryRoomDirectory(),
    "sqlite": lambda tmp: SqliteRoomDirectory(tmp / "rooms.db"),
}


@pytest.fixture(params=list(ADAPTERS), ids=list(ADAPTERS))
def directory(request: pytest.FixtureRequest, tmp_path: Path) -> RoomDirectory:
    return ADAPTERS[request.param](tmp_path)


def room(room_id: str = "jazz-1", **fields: object) -> Room:
    fields.setdefault("title", "Late Night Jazz")
    return Room(id=room_id, stream_key_hash=hash_stream_key("k"), **fields)  # type: ignore[arg-type]


def test_create_then_get_round_trips_every_field(directory: RoomDirectory) -> None:
    created = directory.create(room(host="Mia", genre="jazz", topics=("a", "b"), tags=("demo",)))
    fetched = directory.get("jazz-1")
    assert fetched == created
    assert fetched is not None and fetched.topics == ("a", "b") and fetched.created_at > 0


def test_create_twice_raises_room_exists(directory: RoomDirectory) -> None:
    directory.create(room())
    with pytest.raises(RoomExists):
        directory.create(room(title="other"))


def test_get_missing_is_none(directory: RoomDirectory) -> None:
    assert directory.get("nope") is None


def test_update_missing_raises(directory: RoomDirectory) -> None:
    with pytest.raises(RoomNotFound):
        directory.update(room("ghost"))


def test_live_only_lists_live_rooms(directory: RoomDirectory) -> None:
    directory.create(room("a1"))
    b = directory.create(room("b2"))
    directory.update(replace(b, status=RoomStatus.LIVE, show_id="s", live_since=1.0))
    assert [r.id for r in directory.list_rooms(live_only=True)] == ["b2"]
    assert {r.id for r in directory.list_rooms()} == {"a1", "b2"}
    live = directory.get("b2")
    assert live is not None and live.is_live and live.show_id == "s"


def test_concurrent_creates_from_threads_all_land(directory: RoomDirectory) -> None:
    errors: list[Exception] = []

    def create(i: int) -> None:
        try:
            directory.create(room(f"room-{i}"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(directory.list_rooms()) == 20


def test_sqlite_survives_reopen(tmp_path: Path) -> None:
    SqliteRoomDirectory(tmp_path / "r.db").create(room())
    assert SqliteRoomDirectory(tmp_path / "r.db").get("jazz-1") is not None


def test_open_directory_by_url(tmp_path: Path) -> None:
    assert isinstance(open_directory("memory:"), InMemoryRoomDirectory)
    assert isinstance(open_directory(f"sqlite://{tmp_path}/x/rooms.db"), SqliteRoomDirectory)
    with pytest.raises(ValueError):
        open_directory("postgres://nope")


def test_stream_keys_are_long_random_and_stored_hashed() -> None:
    keys = {new_stream_key() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) >= 32 for k in keys)
    key = keys.pop()
    stored = hash_stream_key(key)
    assert key not in stored and stream_key_matches(key, stored)
    assert not stream_key_matches(key + "x", stored)


def test_new_room_ids_match_the_id_pattern() -> None:
    ids = {new_room_id() for _ in range(200)}
    assert len(ids) == 200 and all(ROOM_ID_PATTERN.match(i) for i in ids)
