"""Wrong keys slow down the client that sent them, for that room only; right keys always pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret-for-wrong-key-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
PROXY = "127.0.0.1"


def make_client(tmp_path: Path, trusted: str) -> FlaskClient:
    settings = Settings(data_dir=tmp_path, admin_token=TOKEN, trusted_proxies=trusted)
    return create_app(settings, run_encoders=False).test_client()


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return make_client(tmp_path, PROXY)


def new_room(client: FlaskClient, title: str) -> dict[str, str]:
    reply = client.post("/api/rooms", json={"title": title}, headers=ADMIN)
    assert reply.status_code == 201, reply.get_json()
    return dict(reply.get_json())


def keys(client: FlaskClient, room_id: str, key: str, via: str = PROXY,
         forwarded_for: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {key}"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    reply = client.get(f"/api/rooms/{room_id}/keys", headers=headers,
                       environ_base={"REMOTE_ADDR": via})
    return reply.status_code


def lock_out(client: FlaskClient, room_id: str, forwarded_for: str | None) -> None:
    statuses = [keys(client, room_id, f"guess-{i}", forwarded_for=forwarded_for) for i in range(6)]
    assert statuses == [401] * 5 + [429]


def test_behind_a_trusted_proxy_one_guesser_locks_out_nobody_else(client: FlaskClient) -> None:
    room = new_room(client, "Festival stage")
    lock_out(client, room["id"], "198.51.100.66")
    assert keys(client, room["id"], room["stream_key"], forwarded_for="198.51.100.7") == 200
    assert keys(client, room["id"], "typo", forwarded_for="198.51.100.7") == 401  # its own allowance
    assert keys(client, room["id"], TOKEN, forwarded_for="198.51.100.7") == 200


def test_a_right_key_passes_even_from_a_throttled_client(client: FlaskClient) -> None:
    room = new_room(client, "Shared office")
    lock_out(client, room["id"], "198.51.100.66")
    assert keys(client, room["id"], room["stream_key"], forwarded_for="198.51.100.66") == 200
    assert keys(client, room["id"], TOKEN, forwarded_for="198.51.100.66") == 200
    assert keys(client, room["id"], "guess-7", forwarded_for="198.51.100.66") == 429  # still slowed


def test_the_throttle_is_per_room(client: FlaskClient) -> None:
    first, second = new_room(client, "First"), new_room(client, "Second")
    lock_out(client, first["id"], "198.51.100.66")
    assert keys(client, second["id"], "guess", forwarded_for="198.51.100.66") == 401


def test_a_forged_header_from_an_untrusted_peer_changes_nothing(tmp_path: Path) -> None:
    client = make_client(tmp_path, "")  # the default: no proxy trusted
    room = new_room(client, "Spoof target")
    statuses = [keys(client, room["id"], f"guess-{i}", via="192.0.2.10", forwarded_for=f"10.9.9.{i}")
                for i in range(6)]
    assert statuses == [401] * 5 + [429]  # a fresh X-Forwarded-For each time did not reset it
    assert keys(client, room["id"], "guess", via="192.0.2.11") == 401


def test_the_ingest_path_counts_the_same_way(client: FlaskClient) -> None:
    room = new_room(client, "Ingest")
    headers = {"Content-Type": "audio/mpeg", "X-Forwarded-For": "198.51.100.66"}
    for attempt in range(5):
        reply = client.put(f"/ingest/{room['id']}", data=b"", environ_base={"REMOTE_ADDR": PROXY},
                           headers={**headers, "Authorization": f"Bearer guess-{attempt}"})
        assert reply.status_code == 401
    assert keys(client, room["id"], "guess", forwarded_for="198.51.100.66") == 429
    assert keys(client, room["id"], "guess", forwarded_for="198.51.100.67") == 401
