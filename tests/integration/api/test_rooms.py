"""The room API through Flask's test client, on a real SQLite directory."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import RoomStatus, stream_key_matches
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, public_url="https://ls.example"),
                      run_encoders=False)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


def create(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    resp = client.post("/api/rooms", json={"title": "Jazz Night", **fields}, headers=ADMIN)
    assert resp.status_code == 201, resp.get_json()
    return dict(resp.get_json())


def test_create_returns_id_and_stream_key_once(client: FlaskClient, app: Any) -> None:
    body = create(client, host="Mia", genre="jazz", topics=["standards"])
    assert body["stream_key"] and body["id"]
    assert re.fullmatch(rf"https://ls\.example/hls/{body['id']}/t/[A-Za-z0-9_.-]+/live\.m3u8",
                        body["listen_url"])
    stored = app.extensions["livestage"].directory.get(body["id"])
    assert stream_key_matches(body["stream_key"], stored.stream_key_hash)
    fetched = client.get(f"/api/rooms/{body['id']}").get_json()
    assert "stream_key" not in fetched and "stream_key_hash" not in fetched
    assert fetched["host"] == "Mia" and fetched["topics"] == ["standards"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
     {"Authorization": "Bearer"}],
    ids=["none", "wrong-token", "wrong-scheme", "empty"],
)
def test_admin_calls_need_the_admin_token(client: FlaskClient, headers: dict[str, str]) -> None:
    assert client.post("/api/rooms", json={"title": "x"}, headers=headers).status_code == 401
    room = create(client)
    assert client.post(f"/api/rooms/{room['id']}/end", headers=headers).status_code == 401
    assert client.patch(f"/api/rooms/{room['id']}", json={"title": "y"},
                        headers=headers).status_code == 401


@pytest.mark.parametrize(
    "body",
    [{}, {"title": ""}, {"title": "x" * 121}, {"title": 5}, {"title": "ok", "topics": "jazz"},
     {"title": "ok", "topics": ["t"] * 11}, {"title": "ok", "stream_key": "mine"},
     {"title": "bell\x07"}, [1, 2]],
    ids=["no-title", "empty-title", "long-title", "number", "topics-string", "many-topics",
         "unknown-field", "control-char", "not-object"],
)
def test_bad_room_fields_get_400_with_a_reason(client: FlaskClient, body: Any) -> None:
    resp = client.post("/api/rooms", json=body, headers=ADMIN)
    assert resp.status_code == 400 and resp.get_json()["error"]


def test_list_filters_live_rooms(client: FlaskClient, app: Any) -> None:
    from dataclasses import replace

    from room_directory import RoomStatus

    a, b = create(client, title="A"), create(client, title="B")
    directory = app.extensions["livestage"].directory
    directory.update(replace(directory.get(b["id"]), status=RoomStatus.LIVE, show_id="s1"))
    assert {r["id"] for r in client.get("/api/rooms").get_json()["rooms"]} == {a["id"], b["id"]}
    live = client.get("/api/rooms?live=true").get_json()["rooms"]
    assert [r["id"] for r in live] == [b["id"]] and live[0]["live"] is True


def test_update_and_end(client: FlaskClient) -> None:
    room = create(client)
    resp = client.patch(f"/api/rooms/{room['id']}", json={"genre": "bebop"}, headers=ADMIN)
    assert resp.status_code == 200 and resp.get_json()["genre"] == "bebop"
    assert client.post(f"/api/rooms/{room['id']}/end", headers=ADMIN).status_code == 200


@pytest.mark.parametrize("room_id", ["nope123", "UPPER", "..", "a" * 60])
def test_unknown_rooms_are_404(client: FlaskClient, room_id: str) -> None:
    assert client.get(f"/api/rooms/{room_id}").status_code == 404


def test_openapi_document_describes_the_room_api(client: FlaskClient) -> None:
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/rooms", "/api/rooms/{room_id}", "/api/rooms/{room_id}/end"} <= set(doc["paths"])


def test_ingest_without_a_valid_key_is_refused(client: FlaskClient) -> None:
    room = create(client)
    for headers in ({}, {"Authorization": "Bearer wrong"},
                    {"Authorization": "Basic c291cmNlOndyb25n"}):  # source:wrong
        resp = client.put(f"/ingest/{room['id']}", data=b"x",
                          headers={**headers, "Content-Type": "audio/mpeg"})
        assert resp.status_code == 401 and "WWW-Authenticate" in resp.headers


def test_ingest_refuses_an_unknown_codec(client: FlaskClient) -> None:
    room = create(client)
    resp = client.put(f"/ingest/{room['id']}", data=b"x",
                      headers={"Authorization": f"Bearer {room['stream_key']}",
                               "Content-Type": "video/x-msvideo"})
    assert resp.status_code == 415


def test_index_lists_rooms_with_fields_escaped(client: FlaskClient, app: Any) -> None:
    room = create(client, title="<script>alert(1)</script> Jazz", host="Mia & Co")
    directory = app.extensions["livestage"].directory  # the page lists live rooms first
    directory.update(replace(directory.get(room["id"]), status=RoomStatus.LIVE))
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Jazz" in html and "<script>alert" not in html
    assert "Mia &amp; Co" in html and "/live.m3u8" in html
