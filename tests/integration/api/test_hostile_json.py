"""Hostile JSON on every route that reads a body: 400, never a 500 or a traceback."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret-hostile-json"
ADMIN = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
BODIES = {
    "nested-arrays": b"[" * 2000 + b"]" * 2000,
    "nested-objects": b'{"a":' * 2000 + b"1" + b"}" * 2000,
    "nested-in-a-field": b'{"title": ' + b"[" * 1500 + b"]" * 1500 + b"}",
    "surrogate-value": json.dumps({"title": "a\ud800b", "name": "a\ud800b"}).encode(),
    "surrogate-key": json.dumps({"title": "ok", "\udfff": 1}).encode(),
}


@pytest.fixture
def client_and_room(tmp_path: Path) -> tuple[FlaskClient, str]:
    client = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), run_encoders=False).test_client()
    reply = client.post("/api/rooms", json={"title": "Target"}, headers=ADMIN)
    assert reply.status_code == 201
    return client, reply.get_json()["id"]


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/alexa"), ("POST", "/api/rooms"), ("PATCH", "/api/rooms/{room}"),
    ("POST", "/api/rooms/{room}/keys"), ("POST", "/api/rooms/{room}/messages"),
], ids=["alexa", "create-room", "update-room", "cohost-key", "message"])
def test_hostile_json_is_400_with_no_traceback(client_and_room: tuple[FlaskClient, str], method: str,
                                               path: str, body: bytes,
                                               caplog: pytest.LogCaptureFixture) -> None:
    client, room = client_and_room
    with caplog.at_level(logging.WARNING):
        reply = client.open(path.format(room=room), method=method, data=body, headers=ADMIN)
    assert reply.status_code in (400, 404, 405), reply.get_data()[:200]
    assert reply.status_code != 404 or "messages" in path  # only a route that may not exist here
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_the_room_is_untouched_by_a_surrogate_title(client_and_room: tuple[FlaskClient, str]) -> None:
    client, room = client_and_room
    client.patch(f"/api/rooms/{room}", data=BODIES["surrogate-value"], headers=ADMIN)
    assert client.get(f"/api/rooms/{room}").get_json()["title"] == "Target"
