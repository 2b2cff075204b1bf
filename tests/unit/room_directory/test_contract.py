"""One contract, every adapter: memory, SQLite and DynamoDB (on moto_server) behave the same."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from room_directory import (
    ROOM_ID_PATTERN,
    Hand,
    HandChanged,
    HandState,
    InMemoryRoomDirectory,
    KeyRole,
    Message,
    PublisherKey,
    Room,
    RoomDirectory,
    RoomExists,
    RoomNotFound,
    RoomStatus,
    Show,
    SqliteRoomDirectory,
    hash_stream_key,
    new_room_id,
    new_stream_key,
    open_directory,
    stream_key_matches,
)

Factory = Callable[[Path, pytest.FixtureRequest], RoomDirectory]


def _fresh_dynamodb_table(_: Path, request: pytest.FixtureRequest) -> RoomDirectory:
    """A new table on the session's moto_server, opened through the factory's URL."""
    from room_directory.dynamodb import DynamoDbRoomDirectory
    from tests.support.aws import unique_name

    server = request.getfixturevalue("moto_server")
    opened = open_directory(f"dynamodb://{unique_name('rooms')}?region=us-east-1&endpoint={server.endpoint}")
    assert isinstance(opened, DynamoDbRoomDirectory)
    opened.create_table()
    return opened


ADAPTERS: dict[str, Factory] = {
    "memory": lambda _, __: InMemoryRoomDirectory(),
    "sqlite": lambda tmp, _: SqliteRoomDirectory(tmp / "rooms.db"),
    "dynamodb": _fresh_dynamodb_table,
}


@pytest.fixture(params=list(ADAPTERS), ids=list(ADAPTERS))
def directory(request: pytest.FixtureRequest, tmp_path: Path) -> RoomDirectory:
    return ADAPTERS[request.param](tmp_path, request)


#: Adapters whose atomicity is their own code's. DynamoDB's is the service's: a claim is one
#: conditional write (tests/integration/aws/test_dynamodb_directory.py checks that), and
#: moto_server checks a condition and writes in two steps, so racing it would test moto.
LOCAL_ADAPTERS = ["memory", "sqlite"]


@pytest.fixture(params=LOCAL_ADAPTERS, ids=LOCAL_ADAPTERS)
def local_directory(request: pytest.FixtureRequest, tmp_path: Path) -> RoomDirectory:
    return ADAPTERS[request.param](tmp_path, request)


def room(room_id: str = "jazz-1", **fields: object) -> Room:
    fields.setdefault("title", "Late Night Jazz")
    return Room(id=room_id, stream_key_hash=hash_stream_key("k"), **fields)  # type: ignore[arg-type]


def test_create_then_get_round_trips_every_field(directory: RoomDirectory) -> None:
    created = directory.create(
        room(host="Mia", genre="jazz", topics=("a", "b"), tags=("demo",), art_url="https://a/b.png",
             scheduled_start=1_900_000_000.5, private=True, join_code="4719", description="d")
    )
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


def test_private_rooms_are_listed_only_when_asked(directory: RoomDirectory) -> None:
    directory.create(room("pub"))
    directory.create(room("hidden", private=True, join_code="1234"))
    assert [r.id for r in directory.list_rooms()] == ["pub"]
    assert {r.id for r in directory.list_rooms(include_private=True)} == {"pub", "hidden"}
    found = directory.find_by_join_code("1234")
    assert found is not None and found.id == "hidden"
    assert directory.find_by_join_code("9999") is None


def test_join_codes_are_unique(directory: RoomDirectory) -> None:
    directory.create(room("a1", private=True, join_code="1234"))
    with pytest.raises(RoomExists):
        directory.create(room("b2", private=True, join_code="1234"))
    b = directory.create(room("b2", private=True, join_code="5678"))
    with pytest.raises(RoomExists):
        directory.update(replace(b, join_code="1234"))


def test_list_by_genre_and_host_ignores_case(directory: RoomDirectory) -> None:
    directory.create(room("j1", genre="Jazz", host="Mia"))
    directory.create(room("r1", genre="rock", host="Ola"))
    assert [r.id for r in directory.list_rooms(genre="jazz")] == ["j1"]
    assert [r.id for r in directory.list_rooms(host="OLA")] == ["r1"]
    assert directory.list_rooms(genre="polka") == []


def test_scheduled_between_is_half_open_public_and_soonest_first(directory: RoomDirectory) -> None:
    directory.create(room("late", scheduled_start=300.0))
    directory.create(room("early", scheduled_start=100.0))
    directory.create(room("edge", scheduled_start=400.0))
    directory.create(room("secret", scheduled_start=200.0, private=True, join_code="1111"))
    directory.create(room("unscheduled"))
    assert [r.id for r in directory.scheduled_between(100.0, 400.0)] == ["early", "late"]


def test_a_lease_is_held_by_one_node_until_it_expires(directory: RoomDirectory) -> None:
    assert directory.lease_of("r1") is None
    assert directory.claim("r1", "node-a", 110.0, now=100.0)
    assert not directory.claim("r1", "node-b", 120.0, now=105.0)
    assert directory.claim("r1", "node-a", 130.0, now=105.0)  # renewal
    assert directory.lease_of("r1") == ("node-a", 130.0)
    assert directory.claim("r1", "node-b", 150.0, now=131.0)  # expired: taken over
    assert not directory.claim("r1", "node-a", 160.0, now=132.0)
    directory.release("r1", "node-a")  # not the holder: no effect
    assert directory.lease_of("r1") == ("node-b", 150.0)
    directory.release("r1", "node-b")
    assert directory.claim("r1", "node-a", 170.0, now=133.0)


def test_concurrent_claims_have_exactly_one_winner(local_directory: RoomDirectory) -> None:
    winners: list[str] = []
    lock = threading.Lock()

    def claim(node: str) -> None:
        if local_directory.claim("contested", node, 1e12, now=1.0):
            with lock:
                winners.append(node)

    threads = [threading.Thread(target=claim, args=(f"node-{i}",)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


def test_publisher_keys_round_trip_mute_and_revoke(directory: RoomDirectory) -> None:
    key = directory.add_key(PublisherKey(room_id="r1", key_id="k1", name="Ola", key_hash="h1"))
    directory.add_key(PublisherKey(room_id="r1", key_id="k2", name="Ben", key_hash="h2",
                                   created_at=key.created_at + 1))
    directory.add_key(PublisherKey(room_id="other", key_id="k3", name="X", key_hash="h3"))
    with pytest.raises(RoomExists):
        directory.add_key(PublisherKey(room_id="r1", key_id="k1", name="dup", key_hash="h"))
    assert [k.key_id for k in directory.list_keys("r1")] == ["k1", "k2"]
    directory.update_key(replace(key, muted=True, revoked=True))
    stored = directory.list_keys("r1")[0]
    assert stored.muted and stored.revoked and stored.name == "Ola" and stored.created_at > 0
    with pytest.raises(RoomNotFound):
        directory.update_key(replace(key, key_id="ghost"))


def test_shows_are_saved_replaced_listed_and_deleted(directory: RoomDirectory) -> None:
    directory.save_show(Show(room_id="r1", show_id="s1", started_at=10.0))
    directory.save_show(Show(room_id="r1", show_id="s2", started_at=20.0, title="B"))
    directory.save_show(Show(room_id="r2", show_id="s3", started_at=15.0))
    ended = Show(room_id="r1", show_id="s1", started_at=10.0, ended_at=70.0, duration=60.0,
                 segments=30, title="A", genre="jazz", host="Mia", peak_listeners=4,
                 listeners_per_minute=(1, 4))
    directory.save_show(ended)
    assert directory.get_show("r1", "s1") == ended
    assert [s.show_id for s in directory.list_shows("r1")] == ["s2", "s1"]
    assert [s.show_id for s in directory.list_shows()] == ["s2", "s3", "s1"]
    assert [s.show_id for s in directory.list_shows(ended_only=True)] == ["s1"]
    directory.delete_show("r1", "s1")
    assert directory.get_show("r1", "s1") is None


def test_messages_come_back_oldest_first_after_since(directory: RoomDirectory) -> None:
    for i in range(5):
        directory.add_message(Message(room_id="r1", message_id=f"m{i}", text=f"t{i}",
                                      sender="amzn1", created_at=100.0 + i))
    directory.add_message(Message(room_id="r2", message_id="x", text="other", created_at=100.0))
    assert [m.text for m in directory.list_messages("r1")] == ["t0", "t1", "t2", "t3", "t4"]
    assert [m.text for m in directory.list_messages("r1", since=102.0)] == ["t3", "t4"]
    assert len(directory.list_messages("r1", limit=2)) == 2
    fresh = directory.add_message(Message(room_id="r1", message_id="now", text="hi"))
    assert fresh.created_at > 1_000_000_000


def test_listener_minutes_are_set_unions_per_room_and_minute(directory: RoomDirectory) -> None:
    directory.add_listeners("r1", 100, ["a", "b"])
    directory.add_listeners("r1", 100, ["b", "c"])  # a second log of the same minute
    directory.add_listeners("r1", 100, ["a", "b"])  # the first log read again
    directory.add_listeners("r1", 102, ["a"])
    directory.add_listeners("r2", 100, ["z"])
    directory.add_listeners("r1", 5000, ["far"])
    assert directory.listener_minutes("r1", 100, 102) == {100: 3, 102: 1}
    assert directory.listener_minutes("r1", 101, 4999) == {102: 1}
    assert directory.listener_minutes("r2", 0, 10**9) == {100: 1}
    assert directory.listener_minutes("nobody", 0, 10**9) == {}
    directory.add_listeners("r1", 200, [f"id{i:05d}" for i in range(6000)])  # over one update's worth
    assert directory.listener_minutes("r1", 200, 200) == {200: 6000}
    assert [s.show_id for s in directory.list_shows("r1")] == []  # minutes are not shows


def test_an_old_sqlite_file_is_brought_up_to_date(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE rooms (id TEXT PRIMARY KEY, title TEXT NOT NULL, stream_key_hash TEXT NOT NULL,"
        " host TEXT NOT NULL DEFAULT '', genre TEXT NOT NULL DEFAULT '', topics TEXT NOT NULL DEFAULT"
        " '[]', description TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'idle', show_id"
        " TEXT, live_since REAL, created_at REAL NOT NULL, updated_at REAL NOT NULL, tags TEXT NOT"
        " NULL DEFAULT '[]')"
    )
    conn.execute("INSERT INTO rooms (id, title, stream_key_hash, created_at, updated_at)"
                 " VALUES ('old-1', 'Old', 'h', 1, 1)")
    conn.commit()
    conn.close()
    reopened = SqliteRoomDirectory(path)
    old = reopened.get("old-1")
    assert old is not None and old.title == "Old" and not old.private and old.art_url == ""
    reopened.update(replace(old, private=True, join_code="2468"))
    again = reopened.find_by_join_code("2468")
    assert again is not None and again.id == "old-1"


# -- raised hands and guest keys ---------------------------------------------------------


def hand(hand_id: str = "h1", **fields: object) -> Hand:
    fields.setdefault("room_id", "r1")
    fields.setdefault("show_id", "s1")
    fields.setdefault("name", "Ada")
    return Hand(hand_id=hand_id, **fields)  # type: ignore[arg-type]


def test_hands_round_trip_and_list_oldest_first_per_show(directory: RoomDirectory) -> None:
    first = directory.add_hand(hand("h1", line="a question about modal jazz", token_hash="t1",
                                    created_at=100.0))
    directory.add_hand(hand("h2", show_id="s2", created_at=101.0))
    directory.add_hand(hand("h3", via="voice", call_in_code="4821", created_at=102.0))
    directory.add_hand(hand("h9", room_id="other", created_at=99.0))
    assert first.version == 0 and first.updated_at > 0 and first.state is HandState.QUEUED
    assert directory.get_hand("r1", "h1") == first
    assert directory.get_hand("r1", "nope") is None and directory.get_hand("other", "h1") is None
    assert [h.hand_id for h in directory.list_hands("r1")] == ["h1", "h2", "h3"]
    assert [h.hand_id for h in directory.list_hands("r1", show_id="s1")] == ["h1", "h3"]
    with pytest.raises(RoomExists):
        directory.add_hand(hand("h1"))


def test_replace_hand_bumps_the_version_and_refuses_a_stale_writer(directory: RoomDirectory) -> None:
    read = directory.add_hand(hand("h1", created_at=100.0))
    accepted = directory.replace_hand(replace(read, state=HandState.ACCEPTED, key_id="k-h1"))
    assert accepted.version == 1 and accepted.created_at == 100.0
    assert directory.get_hand("r1", "h1") == accepted
    with pytest.raises(HandChanged):  # a second writer still holding version 0
        directory.replace_hand(replace(read, state=HandState.DECLINED))
    assert directory.get_hand("r1", "h1").state is HandState.ACCEPTED  # type: ignore[union-attr]
    with pytest.raises(RoomNotFound):
        directory.replace_hand(replace(read, hand_id="ghost"))


def test_call_in_codes_are_unique_per_room_and_freed_when_dropped(directory: RoomDirectory) -> None:
    voice = directory.add_hand(hand("h1", via="voice", call_in_code="4821"))
    directory.add_hand(hand("h2", room_id="r2", call_in_code="4821"))  # another room: fine
    with pytest.raises(RoomExists):
        directory.add_hand(hand("h3", call_in_code="4821"))
    assert directory.get_hand("r1", "h3") is None
    found = directory.find_hand_by_code("r1", "4821")
    assert found is not None and found.hand_id == "h1"
    assert directory.find_hand_by_code("r1", "0000") is None
    claimed = directory.replace_hand(replace(voice, call_in_code=None, token_hash="t"))
    assert claimed.call_in_code is None and directory.find_hand_by_code("r1", "4821") is None
    reused = directory.add_hand(hand("h4", call_in_code="4821"))
    with pytest.raises(RoomExists):  # moving a code onto one that is taken
        directory.replace_hand(replace(claimed, call_in_code="4821"))
    assert directory.find_hand_by_code("r1", "4821") == reused


def test_concurrent_hand_updates_have_exactly_one_winner(local_directory: RoomDirectory) -> None:
    read = local_directory.add_hand(hand("h1"))
    winners: list[str] = []
    lock = threading.Lock()

    def decide(n: int) -> None:
        try:
            local_directory.replace_hand(replace(read, line=f"writer {n}"))
        except HandChanged:
            return
        with lock:
            winners.append(f"writer {n}")

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert local_directory.get_hand("r1", "h1").line == winners[0]  # type: ignore[union-attr]


def test_guest_keys_keep_their_show(directory: RoomDirectory) -> None:
    guest = directory.add_key(PublisherKey(room_id="r1", key_id="h1", name="Ada", key_hash="h",
                                           role=KeyRole.GUEST, show_id="s1"))
    assert directory.list_keys("r1") == [guest]
    directory.update_key(replace(guest, revoked=True))
    stored = directory.list_keys("r1")[0]
    assert stored.role is KeyRole.GUEST and stored.show_id == "s1" and stored.revoked


def test_an_old_sqlite_key_table_gains_the_show_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old-keys.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE publisher_keys (room_id TEXT NOT NULL, key_id TEXT NOT NULL, name TEXT"
                 " NOT NULL, key_hash TEXT NOT NULL, role TEXT NOT NULL DEFAULT 'cohost', muted INTEGER"
                 " NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,"
                 " PRIMARY KEY (room_id, key_id))")
    conn.execute("INSERT INTO publisher_keys (room_id, key_id, name, key_hash, created_at)"
                 " VALUES ('r1', 'k1', 'Ola', 'h', 1)")
    conn.commit()
    conn.close()
    reopened = SqliteRoomDirectory(path)
    assert reopened.list_keys("r1")[0].show_id is None
    reopened.add_key(PublisherKey(room_id="r1", key_id="g1", name="Ada", key_hash="h2",
                                  role=KeyRole.GUEST, show_id="s1"))
    assert reopened.list_keys("r1")[1].show_id == "s1"
