"""Input at every edge: room fields, ids, body sizes and slow clients."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import InMemoryRoomDirectory, Room, RoomDirectoryError
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.conftest import start_live_server
from tests.support import LiveServer

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), run_encoders=False).test_client()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path_factory.mktemp("edges") / "data", "--no-demo", token=TOKEN)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(
    "fields",
    [{"art_url": "http://art.example/a.png"}, {"art_url": "javascript:alert(1)"},
     {"art_url": "https://"}, {"art_url": "https://user:pw@art.example/a.png"},
     {"art_url": "https://art.example/" + "a" * 500}, {"art_url": "https://art.example/a b.png"},
     {"art_url": "https://art.example:99999/a.png"}, {"art_url": "https://art.exämple/a.png"},
     {"art_url": 5}, {"scheduled_start": "tomorrow"}, {"scheduled_start": True},
     {"scheduled_start": 1e20}, {"scheduled_start": -1}, {"scheduled_start": 10},
     {"private": "yes"}, {"private": 1}, {"private": None}, {"captions": "on"}, {"captions": 1}],
    ids=["http-art", "js-art", "no-host", "credentials", "long-art", "space", "bad-port", "non-ascii",
         "art-number", "schedule-text", "schedule-bool", "schedule-huge", "schedule-negative",
         "schedule-1970", "private-text", "private-number", "private-null", "captions-text",
         "captions-number"],
)
def test_bad_new_fields_get_400_and_change_nothing(client: FlaskClient, fields: dict[str, Any]) -> None:
    room = client.post("/api/rooms", json={"title": "Kept"}, headers=ADMIN).get_json()
    assert client.post("/api/rooms", json={"title": "New", **fields}, headers=ADMIN).status_code == 400
    resp = client.patch(f"/api/rooms/{room['id']}", json=fields, headers=ADMIN)
    assert resp.status_code == 400 and resp.get_json()["error"]
    after = client.get(f"/api/rooms/{room['id']}").get_json()
    assert {k: after[k] for k in ("art_url", "scheduled_start", "private", "captions")} == {
        "art_url": "", "scheduled_start": None, "private": False, "captions": None}
    assert [r["title"] for r in client.get("/api/rooms").get_json()["rooms"]] == ["Kept"]


def test_good_new_fields_are_kept(client: FlaskClient) -> None:
    body = {"title": "Art", "art_url": "https://art.example/cover.png?size=512",
            "scheduled_start": 1_900_000_000, "private": False}
    room = client.post("/api/rooms", json=body, headers=ADMIN).get_json()
    assert room["art_url"] == body["art_url"] and room["scheduled_start"] == 1_900_000_000
    cleared = client.patch(f"/api/rooms/{room['id']}", json={"art_url": "", "scheduled_start": None},
                           headers=ADMIN).get_json()
    assert cleared["art_url"] == "" and cleared["scheduled_start"] is None
    assert room["captions"] is None  # unset: the server's default decides
    for choice in (True, False, None):
        changed = client.patch(f"/api/rooms/{room['id']}", json={"captions": choice}, headers=ADMIN)
        assert changed.status_code == 200 and changed.get_json()["captions"] is choice
        assert client.get(f"/api/rooms/{room['id']}").get_json()["captions"] is choice


@pytest.mark.parametrize("room_id", ["a", "-abc", "abc_def", "ABC", "a" * 41, "abc%00", "ab%2F..%2Fcd",
                                     "%2e%2e"])
def test_ids_are_strict_everywhere(client: FlaskClient, room_id: str) -> None:
    for path in (f"/api/rooms/{room_id}", f"/api/rooms/{room_id}/listeners", f"/hls/{room_id}/live.m3u8"):
        assert client.get(path).status_code == 404, path
    assert client.patch(f"/api/rooms/{room_id}", json={"title": "x"}, headers=ADMIN).status_code == 404
    assert client.post(f"/api/rooms/{room_id}/end", headers=ADMIN).status_code == 404


def test_a_large_json_body_is_413_before_it_is_read(client: FlaskClient) -> None:
    big = json.dumps({"title": "x", "description": "y" * 70_000})
    resp = client.post("/api/rooms", data=big, content_type="application/json", headers=ADMIN)
    assert resp.status_code == 413 and "larger than" in resp.get_json()["error"]
    assert client.get("/api/rooms").get_json()["rooms"] == []


def test_a_large_chunked_body_is_413_too(live_server: LiveServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    body = (b'{"title": "x", "description": "' + b"y" * 200_000 + b'"}',)
    conn.request("POST", "/api/rooms", body=iter(body), encode_chunked=True,
                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
                          "Transfer-Encoding": "chunked"})
    resp = conn.getresponse()
    assert resp.status == 413 and "larger than" in json.loads(resp.read())["error"]
    conn.close()


def test_a_slow_loris_is_cut_off_and_others_are_served_meanwhile(live_server: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for _ in range(15):  # one header line every 2 s: each read is quick, the whole is not
            status, _ = live_server.request("GET", "/healthz")
            assert status == 200
            try:
                sock.sendall(b"X-Slow: 1\r\n")
                sock.settimeout(2)
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except OSError:  # reset by the server
                closed = True
                break
        assert closed, "the server kept a client that never finished its headers"


class BrokenDirectory(InMemoryRoomDirectory):
    """A directory whose backend is gone (a locked file, an unreachable table)."""

    def get(self, room_id: str) -> Room | None:
        raise RoomDirectoryError("backend unreachable")


def test_a_failing_directory_is_503_not_500(tmp_path: Path) -> None:
    client = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), directory=BrokenDirectory(),
                        run_encoders=False).test_client()
    for path in ("/api/rooms/some-room", "/api/rooms/some-room/listeners", "/hls/some-room/live.m3u8"):
        assert client.get(path).status_code == 503, path
