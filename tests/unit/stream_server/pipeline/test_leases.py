"""Room leases between nodes: claim, renew, lose, and take over a dead node's rooms."""

from __future__ import annotations

from dataclasses import replace

from room_directory import InMemoryRoomDirectory, Room, RoomStatus, hash_stream_key
from stream_server.pipeline.leases import RoomLeases


class FakeStage:
    """The stage as the leases see it: rooms on air here, started and dropped on request."""

    def __init__(self, leases: RoomLeases) -> None:
        self.leases = leases
        self.running: set[str] = set()

    def go_live(self, room: Room) -> object:
        assert self.leases.claim(room.id)
        self.running.add(room.id)
        return room.id

    def drop(self, room_id: str) -> None:
        self.running.discard(room_id)

    def stream(self, room_id: str) -> object | None:
        return room_id if room_id in self.running else None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def live_room(directory: InMemoryRoomDirectory, room_id: str) -> Room:
    room = directory.create(Room(id=room_id, title=room_id, stream_key_hash=hash_stream_key("k")))
    return directory.update(replace(room, status=RoomStatus.LIVE, show_id="s1"))


def test_a_dead_nodes_room_is_taken_over_only_after_its_lease_runs_out() -> None:
    directory, clock = InMemoryRoomDirectory(), Clock()
    a = FakeStage(RoomLeases(directory, "node-a", 6, clock=clock))
    b = FakeStage(RoomLeases(directory, "node-b", 6, clock=clock))
    a.go_live(live_room(directory, "jazz"))
    clock.now += 3
    b.leases.tick(b)
    assert b.running == set() and directory.lease_of("jazz") == ("node-a", 1006.0)
    a.leases.tick(a)  # a renews while alive
    clock.now += 5
    b.leases.tick(b)
    assert b.running == set()
    clock.now += 5  # a died after its last renewal: the lease has run out
    b.leases.tick(b)
    assert b.running == {"jazz"} and directory.lease_of("jazz") == ("node-b", clock.now + 6)


def test_a_node_that_lost_its_lease_stops_the_room() -> None:
    directory, clock = InMemoryRoomDirectory(), Clock()
    a = FakeStage(RoomLeases(directory, "node-a", 6, clock=clock))
    a.go_live(live_room(directory, "jazz"))
    clock.now += 7  # a stalled past its lease and another node claimed the room
    assert directory.claim("jazz", "node-b", clock.now + 6, now=clock.now)
    a.leases.tick(a)
    assert a.running == set() and a.leases.held() == set()


def test_rooms_never_leased_are_left_to_startup_resume() -> None:
    directory, clock = InMemoryRoomDirectory(), Clock()
    live_room(directory, "legacy")
    b = FakeStage(RoomLeases(directory, "node-b", 6, clock=clock))
    b.leases.tick(b)
    assert b.running == set()


def test_a_released_room_goes_to_the_next_node_at_once() -> None:
    directory, clock = InMemoryRoomDirectory(), Clock()
    a = FakeStage(RoomLeases(directory, "node-a", 6, clock=clock))
    b = FakeStage(RoomLeases(directory, "node-b", 6, clock=clock))
    a.go_live(live_room(directory, "jazz"))
    a.running.clear()
    a.leases.release_all()  # clean shutdown of a
    b.leases.tick(b)
    assert b.running == {"jazz"}
