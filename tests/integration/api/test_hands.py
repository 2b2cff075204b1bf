"""Hands end to end through Flask's test client on SQLite: raise, answer, guest key, removal, show end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import KeyRole
from room_directory.hands import raise_hand
from stream_server.ingest.keys import Publisher
from stream_server.ingest.registry import Connection
from stream_server.ingest.state import ingest_state
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.hands import RevocationSpy, bearer, put_on_air

TOKEN = "admin-secret"
ADMIN = bearer(TOKEN)


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, public_url="https://ls.example"),
                      run_encoders=False)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def room(client: FlaskClient, app: Any) -> dict[str, Any]:
    resp = client.post("/api/rooms", json={"title": "Open Mic", "host": "Mia"}, headers=ADMIN)
    assert resp.status_code == 201
    return dict(resp.get_json())


def role_of(client: FlaskClient, room_id: str, key: str) -> str | int:
    """What the server takes ``key`` to be in the room: a role, or the refusal status."""
    resp = client.get(f"/api/console/session?room={room_id}", headers=bearer(key))
    return str(resp.get_json()["role"]) if resp.status_code == 200 else resp.status_code


def raise_one(client: FlaskClient, room_id: str, name: str = "Ada", **extra: Any) -> dict[str, Any]:
    resp = client.post(f"/api/rooms/{room_id}/hands", json={"name": name, **extra})
    assert resp.status_code == 201, resp.get_json()
    return dict(resp.get_json())


def poll(client: FlaskClient, room_id: str, hand: dict[str, Any]) -> dict[str, Any]:
    resp = client.get(f"/api/rooms/{room_id}/hands/{hand['hand_id']}?token={hand['hand_token']}")
    assert resp.status_code == 200, resp.get_json()
    return dict(resp.get_json())


def test_raise_accept_guest_key_remove_then_show_end(client: FlaskClient, app: Any,
                                                      room: dict[str, Any]) -> None:
    rid, host = room["id"], bearer(room["stream_key"])
    directory = app.extensions["livestage"].directory
    spy = RevocationSpy().attach(app)
    assert client.post(f"/api/rooms/{rid}/hands", json={"name": "Ada"}).status_code == 409  # not on air
    put_on_air(directory, rid, "show-1")

    ada = raise_one(client, rid, "Ada", line="a question about the bridge")
    ben = raise_one(client, rid, "Ben")
    assert (ada["state"], ada["position"], ben["position"]) == ("queued", 1, 2)
    assert ada["hand_token"] and "guest_key" not in ada
    assert poll(client, rid, ben)["position"] == 2

    queue = client.get(f"/api/rooms/{rid}/hands", headers=host).get_json()
    assert [(h["name"], h["line"], h["state"]) for h in queue["hands"]] == [
        ("Ada", "a question about the bridge", "queued"), ("Ben", "", "queued")]
    assert all("hand_token" not in h and "token_hash" not in h for h in queue["hands"])

    accepted = client.post(f"/api/rooms/{rid}/hands/{ada['hand_id']}/accept", headers=host)
    assert accepted.status_code == 200 and accepted.get_json()["state"] == "accepted"
    assert poll(client, rid, ben)["position"] == 1

    collected = poll(client, rid, ada)
    guest_key = collected["guest_key"]
    assert collected["state"] == "accepted" and collected["stage_url"] == f"https://ls.example/whip/{rid}"
    assert "guest_key" not in poll(client, rid, ada)  # handed out once
    assert role_of(client, rid, guest_key) == "guest"
    assert role_of(client, "other-room", guest_key) == 401
    keys = client.get(f"/api/rooms/{rid}/keys", headers=host).get_json()["keys"]
    assert [(k["name"], k["role"]) for k in keys if k["role"] == "guest"] == [("Ada", "guest")]

    removed = client.post(f"/api/rooms/{rid}/hands/{ada['hand_id']}/remove", headers=host)
    assert removed.status_code == 200
    assert removed.get_json()["state"] == "removed" and removed.get_json()["disconnected"] is True
    assert spy.events == [(rid, ada["hand_id"], "removed")]
    assert role_of(client, rid, guest_key) == 401
    assert poll(client, rid, ada)["state"] == "removed"

    client.post(f"/api/rooms/{rid}/hands/{ben['hand_id']}/accept", headers=host)
    ben_key = poll(client, rid, ben)["guest_key"]
    assert role_of(client, rid, ben_key) == "guest"
    assert client.post(f"/api/rooms/{rid}/end", headers=host).status_code == 200
    assert role_of(client, rid, ben_key) == 401
    assert spy.events[-1] == (rid, ben["hand_id"], "show_ended")
    assert poll(client, rid, ben)["state"] == "expired"
    put_on_air(directory, rid, "show-2")  # the next show does not bring the old guest back
    assert role_of(client, rid, ben_key) == 401


def test_a_guest_may_not_publish_over_icecast_nor_use_the_room_api(client: FlaskClient, app: Any,
                                                                   room: dict[str, Any]) -> None:
    rid, host = room["id"], bearer(room["stream_key"])
    put_on_air(app.extensions["livestage"].directory, rid, "show-1")
    hand = raise_one(client, rid)
    client.post(f"/api/rooms/{rid}/hands/{hand['hand_id']}/accept", headers=host)
    guest = bearer(poll(client, rid, hand)["guest_key"])
    ingest = client.put(f"/ingest/{rid}", headers={**guest, "Content-Type": "audio/mpeg"}, data=b"\xff")
    assert ingest.status_code == 403
    chunk = client.post(f"/ingest/{rid}/chunks?session=guest-session&seq=0", data=b"\x1a\x45\xdf\xa3",
                        headers={**guest, "Content-Type": "audio/webm;codecs=opus"})
    assert chunk.status_code == 403  # nor through the browser's chunk path
    assert client.get(f"/api/rooms/{rid}/hands", headers=guest).status_code == 403
    assert client.post(f"/api/rooms/{rid}/hands/{hand['hand_id']}/remove", headers=guest).status_code == 403
    assert client.get(f"/api/rooms/{rid}/keys", headers=guest).status_code == 403
    assert client.get(f"/api/rooms/{rid}/messages", headers=guest).status_code == 403
    assert client.post(f"/api/rooms/{rid}/end", headers=guest).status_code == 403


def test_removing_a_guest_cuts_its_live_connection_through_the_registry(
        client: FlaskClient, app: Any, room: dict[str, Any]) -> None:
    rid, host = room["id"], bearer(room["stream_key"])
    put_on_air(app.extensions["livestage"].directory, rid, "show-1")
    hand = raise_one(client, rid)
    client.post(f"/api/rooms/{rid}/hands/{hand['hand_id']}/accept", headers=host)
    key_id = poll(client, rid, hand)["key_id"]
    cut: list[bool] = []
    with app.test_request_context():
        registry = ingest_state().registry
        registry.claim(Connection(Publisher(rid, key_id, "Ada", KeyRole.GUEST, False), "stage", "127.0.0.1",
                                  interrupt=lambda: cut.append(True)))
    resp = client.delete(f"/api/rooms/{rid}/keys/{key_id}", headers=host)  # the console's stage row
    assert resp.status_code == 200 and resp.get_json()["disconnected"] is True and cut == [True]
    assert poll(client, rid, hand)["state"] == "removed"


def test_answers_follow_the_states(client: FlaskClient, app: Any, room: dict[str, Any]) -> None:
    rid, host = room["id"], bearer(room["stream_key"])
    put_on_air(app.extensions["livestage"].directory, rid, "show-1")
    hand = raise_one(client, rid)
    url = f"/api/rooms/{rid}/hands/{hand['hand_id']}"
    assert client.post(url + "/remove", headers=host).status_code == 409  # not on stage
    assert client.post(url + "/decline", headers=host).get_json()["state"] == "declined"
    assert client.post(url + "/decline", headers=host).status_code == 200  # the same click twice
    assert client.post(url + "/accept", headers=host).status_code == 409
    assert client.post(url + "/accept").status_code == 401
    assert client.post(f"/api/rooms/{rid}/hands/nope/accept", headers=host).status_code == 404
    assert "guest_key" not in poll(client, rid, hand)


def test_raising_checks_its_fields_and_limits_each_address(client: FlaskClient, app: Any,
                                                           room: dict[str, Any]) -> None:
    rid = room["id"]
    put_on_air(app.extensions["livestage"].directory, rid, "show-1")
    for body in ({}, {"name": ""}, {"name": "x" * 81}, {"name": "Ada", "line": 5},
                 {"name": "A\u0000da"}):
        assert client.post(f"/api/rooms/{rid}/hands", json=body).status_code == 400, body
    assert client.post("/api/rooms/no-such-room/hands", json={"name": "Ada"}).status_code == 404
    for n in range(5):
        raise_one(client, rid, f"Listener {n}")
    refused = client.post(f"/api/rooms/{rid}/hands", json={"name": "One more"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    other = client.post(f"/api/rooms/{rid}/hands", json={"name": "Neighbour"},
                        environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 201


def test_a_voice_hand_is_taken_over_with_its_call_in_code(client: FlaskClient, app: Any,
                                                          room: dict[str, Any]) -> None:
    rid, host = room["id"], bearer(room["stream_key"])
    directory = app.extensions["livestage"].directory
    put_on_air(directory, rid, "show-1")
    voice, code = raise_hand(directory, directory.get(rid), "Kitchen speaker", via="voice")
    assert len(code) == 5 and code.isdigit() and voice.token_hash == ""
    claim = f"/api/rooms/{rid}/hands/claim"
    assert client.post(claim, json={"code": "12a45"}).status_code == 400
    wrong = str((int(code) + 1) % 100_000).zfill(5)
    assert client.post(claim, json={"code": wrong}).status_code == 404
    taken = client.post(claim, json={"code": code})
    assert taken.status_code == 200
    hand = taken.get_json()
    assert hand["hand_id"] == voice.hand_id and hand["via"] == "voice" and hand["hand_token"]
    assert client.post(claim, json={"code": code}).status_code == 404  # one take-over per code
    client.post(f"/api/rooms/{rid}/hands/{voice.hand_id}/accept", headers=host)
    assert role_of(client, rid, poll(client, rid, hand)["guest_key"]) == "guest"


def test_wrong_hand_tokens_are_guesses_and_get_throttled(client: FlaskClient, app: Any,
                                                         room: dict[str, Any]) -> None:
    rid = room["id"]
    put_on_air(app.extensions["livestage"].directory, rid, "show-1")
    hand = raise_one(client, rid)
    statuses = [client.get(f"/api/rooms/{rid}/hands/{hand['hand_id']}?token=guess{n}").status_code
                for n in range(6)]
    assert statuses == [404] * 5 + [429]
    own = f"/api/rooms/{rid}/hands/{hand['hand_id']}?token={hand['hand_token']}"
    assert client.get(own).status_code == 429  # a short secret: the pair waits, whatever it presents
