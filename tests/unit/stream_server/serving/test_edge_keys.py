"""The edge's key value store follows the URL secret and the room directory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from room_directory import InMemoryRoomDirectory, Room
from stream_server.serving.edge_keys import EdgeKeySync, InMemoryKeyValueStore, sync_edge_keys


def _directory() -> tuple[InMemoryRoomDirectory, Room]:
    directory = InMemoryRoomDirectory()
    directory.create(Room(id="open-room", title="Open", stream_key_hash="x"))
    closed = directory.create(Room(id="closed-room", title="Closed", stream_key_hash="y", private=True))
    return directory, closed


def test_the_store_gets_the_secret_and_a_key_per_private_room() -> None:
    directory, closed = _directory()
    store = InMemoryKeyValueStore({"private:gone-room": "1", "url-secret": "old", "unrelated": "kept"})
    sync_edge_keys(store, directory, "new-secret", since=1000.0)
    assert store.data == {"url-secret": "new-secret", "url-secret-since": "1000.000",
                          "private:closed-room": "1",
                          "private:gone-room": "1",  # a room that left the directory stays closed
                          "unrelated": "kept"}
    directory.update(replace(closed, private=False))
    sync_edge_keys(store, directory, "new-secret")
    assert "private:closed-room" not in store.data and "private:gone-room" in store.data


def test_nothing_is_written_when_nothing_changed() -> None:
    directory, _ = _directory()
    store = InMemoryKeyValueStore()
    held = sync_edge_keys(store, directory, "s")
    assert store.updates == 1
    assert sync_edge_keys(store, directory, "s", held) == store.data
    assert store.updates == 1


def test_the_sync_reads_the_store_only_when_due_and_after_a_failure() -> None:
    directory, closed = _directory()

    class Counting(InMemoryKeyValueStore):
        reads = 0
        fail = False

        def items(self) -> dict[str, str]:
            self.reads += 1
            return super().items()

        def update(self, puts: object, deletes: list[str]) -> None:
            if self.fail:
                raise RuntimeError("conflict")
            super().update(puts, deletes)  # type: ignore[arg-type]

    store = Counting()
    sync = EdgeKeySync(store, directory, "s", refresh=3)
    for _ in range(3):
        sync.sync_once()
    assert store.reads == 1
    sync.sync_once()  # the fourth round refreshes
    assert store.reads == 2
    store.data.clear()  # someone else emptied it: the next refresh repairs it
    directory.update(replace(closed, title="Renamed"))
    store.fail = True
    directory.update(replace(closed, private=False))
    with pytest.raises(RuntimeError):
        sync.sync_once()
    store.fail = False
    sync.sync_once()  # read again after the failure
    assert store.reads == 3 and store.data["url-secret"] == "s" and "private:closed-room" not in store.data


def test_during_a_rotation_the_newest_servers_secret_wins_and_stays() -> None:
    directory, _ = _directory()
    store = InMemoryKeyValueStore()
    sync_edge_keys(store, directory, "old-secret", since=100.0)  # the running server
    sync_edge_keys(store, directory, "new-secret", since=200.0)  # its replacement starts
    assert store.data["url-secret"] == "new-secret"
    for _ in range(3):  # the old server, still draining, reads the store again and again
        sync_edge_keys(store, directory, "old-secret", since=100.0)
        sync_edge_keys(store, directory, "new-secret", since=200.0)
    assert store.data["url-secret"] == "new-secret" and store.data["url-secret-since"] == "200.000"
    sync_edge_keys(store, directory, "third-secret", since=300.0)  # the next rotation
    assert store.data["url-secret"] == "third-secret"


def test_a_sync_without_secret_is_refused() -> None:
    directory, _ = _directory()
    with pytest.raises(ValueError, match="secret"):
        EdgeKeySync(InMemoryKeyValueStore(), directory, "")
