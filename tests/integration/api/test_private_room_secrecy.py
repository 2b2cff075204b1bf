"""Without its key, a private room answers exactly as a room that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret-private-rooms"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
PATHS = ["/api/rooms/{}/keys", "/api/rooms/{}/levels", "/api/rooms/{}/messages",
         "/api/rooms/{}/listeners", "/api/rooms/{}", "/api/rooms/{}/shows"]


@pytest.fixture
def client_and_room(tmp_path: Path) -> tuple[FlaskClient, dict[str, str]]:
    app = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), run_encoders=False)
    client = app.test_client()
    reply = client.post("/api/rooms", json={"title": "Secret", "private": True}, headers=ADMIN)
    assert reply.status_code == 201, reply.get_json()
    room = reply.get_json()
    directory = app.extensions["livestage"].directory
    stored = directory.get(room["id"])
    assert stored is not None and stored.private
    return client, room


def answer(client: FlaskClient, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    reply = client.get(path, headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    kept = {k: v for k, v in reply.headers.items() if k not in ("Date", "Content-Length")}
    return reply.status_code, reply.get_data(), kept


@pytest.mark.parametrize("path", PATHS, ids=["keys", "levels", "messages", "listeners", "room", "shows"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}], ids=["no-key", "wrong-key"])
def test_a_private_room_is_indistinguishable_from_none(client_and_room: tuple[FlaskClient, dict[str, str]],
                                                       path: str, headers: dict[str, str]) -> None:
    client, room = client_and_room
    private = answer(client, path.format(room["id"]), headers)
    missing = answer(client, path.format("nosuchroom"), headers)
    assert private == missing and private[0] == 404


def test_wrong_keys_are_throttled_alike_for_a_private_room_and_none(
        client_and_room: tuple[FlaskClient, dict[str, str]]) -> None:
    client, room = client_and_room
    for room_id in (room["id"], "nosuchroom"):
        statuses = [answer(client, f"/api/rooms/{room_id}/keys", {"Authorization": f"Bearer guess-{i}"})[0]
                    for i in range(6)]
        assert statuses == [404] * 5 + [429], room_id


def test_the_host_and_the_admin_still_get_in(client_and_room: tuple[FlaskClient, dict[str, str]]) -> None:
    client, room = client_and_room
    for path in PATHS:
        keys = [TOKEN] if path.endswith("/shows") else [room["stream_key"], TOKEN]  # replays: admin only
        for key in keys:
            status = answer(client, path.format(room["id"]), {"Authorization": f"Bearer {key}"})[0]
            assert status == 200, (path, status)
