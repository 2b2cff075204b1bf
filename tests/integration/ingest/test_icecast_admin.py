"""Icecast's title updates and status document through Flask's test client, with a real encoder.

The exchange is libshout's: the update first without credentials (``401`` with a Basic
challenge), then with ``source:<key>``; liquidsoap and BUTT send GET, libshout 2.4.6 a POST form.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from room_directory import InMemoryRoomDirectory, PublisherKey, Room, hash_stream_key
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

ADMIN = "admin-secret"
HOST_KEY = "h" * 32
COHOST_KEY = "c" * 32


def basic(password: str, user: str = "source") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    directory = InMemoryRoomDirectory()
    for room_id, private in (("live-room", False), ("idle-room", False), ("secret-room", True)):
        directory.create(Room(id=room_id, title=f"Title of {room_id}", stream_key_hash=hash_stream_key(
            HOST_KEY), genre="jazz", private=private))
    directory.add_key(PublisherKey("live-room", "k1", "Guest", hash_stream_key(COHOST_KEY)))
    app = create_app(Settings(data_dir=tmp_path, admin_token=ADMIN, segment_seconds=2), directory=directory)
    on_air = app.extensions["livestage"].on_air
    for room_id in ("live-room", "secret-room"):
        room = directory.get(room_id)
        assert room is not None
        on_air.go_live(room)
    yield app
    on_air.shutdown()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def update(client: FlaskClient, headers: dict[str, str] | None = None, *, post: bool = False,
           **fields: str) -> Any:
    query = urlencode({"mode": "updinfo", "mount": "/ingest/live-room", **fields})
    if post:
        return client.post("/admin/metadata", data=query, headers={
            "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    return client.get(f"/admin/metadata?{query}", headers=headers or {})


def now_playing(client: FlaskClient, room_id: str = "live-room") -> Any:
    return client.get(f"/api/rooms/{room_id}").get_json()["now_playing"]


def test_libshouts_exchange_a_challenge_then_the_title(client: FlaskClient) -> None:
    first = update(client, song="Miles Davis - Blue in Green")
    assert first.status_code == 401
    assert first.headers["WWW-Authenticate"].startswith("Basic ")
    assert now_playing(client) is None
    second = update(client, basic(HOST_KEY), song="Miles Davis - Blue in Green")
    assert second.status_code == 200 and b"<return>1</return>" in second.data
    assert second.mimetype == "text/xml"
    song = now_playing(client)
    assert (song["title"], song["artist"]) == ("Blue in Green", "Miles Davis")


@pytest.mark.parametrize("headers", [basic(HOST_KEY), basic(COHOST_KEY), basic(ADMIN, "admin"),
                                     {"Authorization": f"Bearer {ADMIN}"}],
                         ids=["host-key", "cohost-key", "admin-basic", "admin-bearer"])
def test_the_rooms_keys_and_the_admin_token_may_set_the_title(client: FlaskClient,
                                                              headers: dict[str, str]) -> None:
    assert update(client, headers, title="So What", artist="Miles Davis").status_code == 200
    assert now_playing(client)["title"] == "So What"


def test_libshouts_post_form_in_its_charset(client: FlaskClient) -> None:
    body = "mode=updinfo&mount=%2fingest%2flive-room&charset=ISO-8859-1&artist=Bj%F6rk&title=J%F3ga"
    resp = client.post("/admin/metadata", data=body, headers={
        **basic(HOST_KEY), "Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 200
    assert (now_playing(client)["title"], now_playing(client)["artist"]) == ("Jóga", "Björk")


@pytest.mark.parametrize(("headers", "fields", "status"), [
    (basic("wrong-key-" + "x" * 22), {"song": "x"}, 401),
    (basic(HOST_KEY), {"song": "x", "mode": "killsource"}, 400),
    (basic(HOST_KEY), {"song": ""}, 400),
    (basic(HOST_KEY), {"song": "x", "mount": "/ingest/idle-room"}, 409),
    (basic(ADMIN), {"song": "x", "mount": "/ingest/no-such-room"}, 404),
    (basic(HOST_KEY), {"song": "x", "mount": "/ingest/no-such-room"}, 401),
], ids=["wrong-key", "other-mode", "no-title", "not-on-air", "unknown-mount-admin", "unknown-mount-key"])
def test_refusals(client: FlaskClient, headers: dict[str, str], fields: dict[str, str], status: int) -> None:
    assert update(client, headers, **fields).status_code == status
    assert now_playing(client) is None


def test_unauthenticated_probes_are_not_counted_as_guesses(client: FlaskClient) -> None:
    for _ in range(20):  # libshout asks without credentials before every title
        assert update(client, song="x").status_code == 401
    assert update(client, basic(HOST_KEY), song="Still welcome").status_code == 200


def test_wrong_keys_are_counted_as_guesses(client: FlaskClient) -> None:
    statuses = [update(client, basic(f"guess-{i}-" + "x" * 24), song="x").status_code for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    assert update(client, basic(HOST_KEY), song="x").status_code == 200  # a right key is never refused


def test_status_json_lists_public_rooms_on_air_in_icecasts_shape(app: Flask, client: FlaskClient) -> None:
    update(client, basic(HOST_KEY), song="Miles Davis - So What")
    for token in ("a", "b"):  # two listeners' playlist fetches, as the serving paths count them
        app.extensions["livestage"].listeners.seen("live-room", token)
    stats = client.get("/status-json.xsl").get_json()["icestats"]
    source = stats["source"]  # one room on air and public: an object, as Icecast writes it
    assert isinstance(source, dict)
    assert source["listenurl"].endswith("/ingest/live-room")
    assert source["listeners"] == 2 and source["listener_peak"] == 2
    assert source["server_name"] == "Title of live-room"
    assert source["title"] == "Miles Davis - So What" and source["genre"] == "jazz"
    assert "secret-room" not in str(stats)
    assert stats["server_id"].startswith("Icecast")


def test_status_json_lists_several_rooms_and_none(app: Flask, client: FlaskClient) -> None:
    services = app.extensions["livestage"]
    room = services.directory.get("idle-room")
    services.on_air.go_live(room)
    sources = client.get("/status-json.xsl").get_json()["icestats"]["source"]
    assert sorted(s["listenurl"].rsplit("/", 1)[1] for s in sources) == ["idle-room", "live-room"]
    services.on_air.end_show("idle-room")
    services.on_air.end_show("live-room")
    assert "source" not in client.get("/status-json.xsl").get_json()["icestats"]


def test_a_shows_track_list_stays_with_its_replay(app: Flask, client: FlaskClient) -> None:
    for song in ("A - One", "B - Two"):
        assert update(client, basic(HOST_KEY), song=song).status_code == 200
    ended = client.post("/api/rooms/live-room/end", headers={"Authorization": f"Bearer {ADMIN}"})
    assert ended.status_code == 200 and ended.get_json()["now_playing"] is None
    (show,) = client.get("/api/rooms/live-room/shows").get_json()["shows"]
    assert [(t["artist"], t["title"]) for t in show["tracks"]] == [("A", "One"), ("B", "Two")]
    assert 0 <= show["tracks"][0]["offset"] <= show["tracks"][1]["offset"]
