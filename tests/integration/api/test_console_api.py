"""The console's API additions through Flask's test client: messages and the sign-in check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import Message, PublisherKey, hash_stream_key
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), run_encoders=False)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


def create(client: FlaskClient) -> dict[str, Any]:
    resp = client.post("/api/rooms", json={"title": "Jazz"}, headers=ADMIN)
    assert resp.status_code == 201
    return dict(resp.get_json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_messages_for_the_host_and_the_admin_only(client: FlaskClient, app: Any) -> None:
    room = create(client)
    directory = app.extensions["livestage"].directory
    for i, text in enumerate(["play Blue in Green", "<b>hello</b>", "last"]):
        directory.add_message(Message(room["id"], f"m{i}", text, sender="kitchen", created_at=100.0 + i))
    url = f"/api/rooms/{room['id']}/messages"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer("wrong")).status_code == 401
    resp = client.get(url, headers=bearer(room["stream_key"]))
    assert resp.status_code == 200
    assert [m["text"] for m in resp.get_json()["messages"]] == ["play Blue in Green", "<b>hello</b>", "last"]
    newer = client.get(url + "?since=100.5", headers=ADMIN).get_json()
    assert [m["text"] for m in newer["messages"]] == ["<b>hello</b>", "last"] and newer["next_since"] == 102.0
    assert client.get(url + "?since=nan", headers=ADMIN).status_code == 400
    assert client.get(url + "?since=abc", headers=ADMIN).status_code == 400
    assert client.get(url + "?limit=0", headers=ADMIN).status_code == 400
    assert client.get("/api/rooms/nope-nope/messages", headers=ADMIN).status_code == 404


def test_console_session_names_the_role(client: FlaskClient, app: Any) -> None:
    room = create(client)
    directory = app.extensions["livestage"].directory
    directory.add_key(PublisherKey(room["id"], "k1", "Guest", hash_stream_key("cohost-key")))
    directory.add_key(PublisherKey(room["id"], "k2", "Gone", hash_stream_key("revoked-key"), revoked=True))
    url = "/api/console/session"
    assert client.get(url, headers=ADMIN).get_json() == {"role": "admin", "room": None}
    host = client.get(f"{url}?room={room['id']}", headers=bearer(room["stream_key"]))
    assert host.get_json() == {"role": "host", "room": room["id"]}
    cohost = client.get(f"{url}?room={room['id']}", headers=bearer("cohost-key"))
    assert cohost.get_json() == {"role": "cohost", "room": room["id"]}
    assert client.get(f"{url}?room={room['id']}", headers=bearer("revoked-key")).status_code == 401
    assert client.get(url, headers=bearer(room["stream_key"])).status_code == 401  # a key needs its room
    assert "admin token" in client.get(url).get_json()["error"]


def test_pages_carry_a_strict_policy_and_no_inline_script(client: FlaskClient) -> None:
    for path in ("/", "/console"):
        resp = client.get(path)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert "script-src 'self';" in resp.headers["Content-Security-Policy"]
        assert "<script>" not in html and " on" + "click=" not in html and "style=" not in html
