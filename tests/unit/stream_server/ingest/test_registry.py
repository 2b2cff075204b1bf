"""One connection per key: a live one refuses a second, a silent one is replaced and kicked."""

from __future__ import annotations

import pytest

from room_directory import KeyRole
from stream_server.ingest.keys import Publisher
from stream_server.ingest.registry import Connection, KeyInUse, PublisherRegistry, RoomFull


def conn(key_id: str, kicked: list[str], room: str = "room-1") -> Connection:
    pub = Publisher(room, key_id, key_id, KeyRole.COHOST, False)
    return Connection(pub, "icecast", "127.0.0.1", interrupt=lambda: kicked.append(key_id),
                      claimed_at=clock[0])


clock = [100.0]


def registry(**kw: float) -> PublisherRegistry:
    return PublisherRegistry(clock=lambda: clock[0], **kw)  # type: ignore[arg-type]


def test_a_live_key_refuses_a_second_connection() -> None:
    reg, kicked = registry(replace_after=5), []
    first = conn("k1", kicked)
    assert reg.claim(first) is None
    clock[0] += 2
    with pytest.raises(KeyInUse):
        reg.claim(conn("k1", kicked))
    assert reg.find("room-1", "k1") is first and not kicked


def test_a_silent_connection_is_replaced_and_kicked() -> None:
    reg, kicked = registry(replace_after=5), []
    first = conn("k1", kicked)
    reg.claim(first)
    clock[0] += 6
    second = conn("k1", kicked)
    assert reg.claim(second) is first
    assert kicked == ["k1"] and reg.find("room-1", "k1") is second
    reg.release(first, "replaced")  # the old one's own cleanup must not unseat the new one
    assert reg.find("room-1", "k1") is second
    assert reg.recent_ends("room-1")[-1]["reason"] == "replaced"


def test_rooms_have_a_publisher_limit_and_keys_are_per_room() -> None:
    reg, kicked = registry(max_per_room=2), []
    reg.claim(conn("a", kicked))
    reg.claim(conn("b", kicked))
    with pytest.raises(RoomFull):
        reg.claim(conn("c", kicked))
    reg.claim(conn("a", kicked, room="room-2"))
    assert [c.publisher.key_id for c in reg.connections("room-1")] == ["a", "b"]
