"""The WHIP exchange's edges through Flask's test client, with real encoders and real offers.

The engine is the memory one (no media), so these tests pin what the endpoint answers: status,
headers, JSON reasons, the refusal metric, and that revoking, rotating, removing and ending the
show each end a member's session at once. Offers are made by aiortc, so they are real SDP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiortc import RTCPeerConnection
from flask.testing import FlaskClient

from stream_server.ingest.keys import HOST_KEY_ID
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.ops.metrics import INGEST_ERRORS
from stream_server.stage.memory_engine import MemoryEngine
from stream_server.stage.state import ENGINE_CONFIG
from tests.support import wait_for
from tests.support.stage import run_async

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def make_offer(direction: str = "sendrecv", kind: str = "audio") -> str:
    async def offer() -> str:
        pc = RTCPeerConnection()
        pc.addTransceiver(kind, direction=direction)
        await pc.setLocalDescription(await pc.createOffer())
        sdp = str(pc.localDescription.sdp)
        await pc.close()
        return sdp

    return run_async(offer())


@pytest.fixture(scope="module")
def offers() -> dict[str, str]:
    return {d: make_offer(d) for d in ("sendrecv", "sendonly", "recvonly")} | {
        "video": make_offer("sendrecv", "video")}


@pytest.fixture
def engine() -> MemoryEngine:
    return MemoryEngine()


@pytest.fixture
def app(tmp_path: Path, engine: MemoryEngine) -> Iterator[Any]:
    app = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN,
                              stage_ice_servers="stun:stun.example.net,turn:turn.example.net:3478",
                              stage_turn_secret="coturn-secret"))
    app.config[ENGINE_CONFIG] = engine
    yield app
    app.extensions["livestage"].on_air.shutdown()


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


def bearer(key: str, content_type: str = "application/sdp") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": content_type}


def room_with_cohost(client: FlaskClient) -> tuple[dict[str, Any], dict[str, Any]]:
    room = client.post("/api/rooms", json={"title": "Panel"}, headers=ADMIN).get_json()
    cohost = client.post(f"/api/rooms/{room['id']}/keys", json={"name": "Ada"}, headers=ADMIN).get_json()
    return room, cohost


def refusals(reason: str) -> float:
    return INGEST_ERRORS.labels(reason=reason)._value.get()


def test_an_offer_joins_with_answer_location_etag_and_ice_servers(
        client: FlaskClient, offers: dict[str, str], engine: MemoryEngine) -> None:
    room, _ = room_with_cohost(client)
    resp = client.post(f"/whip/{room['id']}", data=offers["sendrecv"], headers=bearer(room["stream_key"]))
    assert resp.status_code == 201
    assert resp.mimetype == "application/sdp" and resp.get_data(as_text=True).startswith("v=0")
    location = resp.headers["Location"]
    session_id = location.rsplit("/", 1)[1]
    assert location == f"/whip/{room['id']}/{session_id}" and resp.headers["ETag"] == f'"{session_id}"'
    links = resp.headers.getlist("Link")
    assert links[0] == '<stun:stun.example.net>; rel="ice-server"'
    assert links[1].startswith('<turn:turn.example.net:3478>; rel="ice-server"; username="')
    assert 'credential-type="password"' in links[1]
    assert "Location" in resp.headers["Access-Control-Expose-Headers"]
    assert engine.members[session_id].receives
    stage = client.get(f"/api/rooms/{room['id']}/stage", headers=ADMIN).get_json()
    assert [(m["key_id"], m["receives"]) for m in stage["members"]] == [(HOST_KEY_ID, True)]
    assert stage["ice_servers"][1]["username"].endswith(":livestage")
    wait_for(lambda: app_room_live(client, room["id"]), 20, what="the room on air (its first segment)")


def app_room_live(client: FlaskClient, room_id: str) -> bool:
    return bool(client.get(f"/api/rooms/{room_id}", headers=ADMIN).get_json()["live"])


def test_sendonly_publishes_without_hearing(client: FlaskClient, offers: dict[str, str],
                                            engine: MemoryEngine) -> None:
    room, cohost = room_with_cohost(client)
    resp = client.post(f"/whip/{room['id']}", data=offers["sendonly"],
                       headers=bearer(cohost["stream_key"]))
    assert resp.status_code == 201
    session_id = resp.headers["Location"].rsplit("/", 1)[1]
    assert engine.members[session_id].receives is False
    assert "a=recvonly" in resp.get_data(as_text=True)


@pytest.mark.parametrize(("body", "content_type", "status", "reason"), [
    ("recvonly", "application/sdp", 400, "sdp"),
    ("video", "application/sdp", 400, "sdp"),
    ("garbage", "application/sdp", 400, "sdp"),
    ("", "application/sdp", 400, "sdp"),
    ("sendrecv", "application/json", 415, "codec"),
    ("sendrecv", "text/plain", 415, "codec"),
], ids=["recvonly", "video-only", "not-sdp", "empty", "json", "text"])
def test_offers_that_cannot_join(client: FlaskClient, app: Any, offers: dict[str, str], body: str,
                                 content_type: str, status: int, reason: str) -> None:
    room, _ = room_with_cohost(client)
    data = offers.get(body, "v=0 but not really" if body == "garbage" else "")
    before = refusals(reason)
    resp = client.post(f"/whip/{room['id']}", data=data, headers=bearer(room["stream_key"], content_type))
    assert resp.status_code == status
    assert resp.get_json()["reason"] == reason and resp.get_json()["error"]
    assert refusals(reason) == before + 1
    assert app.extensions["livestage"].on_air.stream(room["id"]) is None  # nor puts the room on air


def test_wrong_keys_are_refused_then_throttled(client: FlaskClient, offers: dict[str, str]) -> None:
    room, _ = room_with_cohost(client)
    url = f"/whip/{room['id']}"
    anonymous = client.post(url, data=offers["sendrecv"], headers={"Content-Type": "application/sdp"})
    assert anonymous.status_code == 401
    before = refusals("auth")
    for _ in range(4):
        resp = client.post(url, data=offers["sendrecv"], headers=bearer("wrong-key"))
        assert resp.status_code == 401 and resp.get_json()["reason"] == "auth"
        assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert refusals("auth") == before + 4
    client.post(url, data=offers["sendrecv"], headers=bearer("wrong-key"))
    resp = client.post(url, data=offers["sendrecv"], headers=bearer("another-wrong-key"))
    assert resp.status_code == 429 and resp.get_json()["reason"] == "throttled"
    assert int(resp.headers["Retry-After"]) > 0
    # the throttle holds guesses back; the room's right key still goes through
    assert client.post(url, data=offers["sendrecv"], headers=bearer(room["stream_key"])).status_code == 201


def test_unknown_room_is_401_like_a_wrong_key(client: FlaskClient, offers: dict[str, str]) -> None:
    resp = client.post("/whip/nosuchroom1", data=offers["sendrecv"], headers=bearer("some-key"))
    assert resp.status_code == 401 and resp.get_json()["reason"] == "auth"


def test_leave_trickle_and_their_edges(client: FlaskClient, offers: dict[str, str],
                                       engine: MemoryEngine) -> None:
    room, cohost = room_with_cohost(client)
    host = room["stream_key"]
    trickle = bearer(host, "application/trickle-ice-sdpfrag")
    location = client.post(f"/whip/{room['id']}", data=offers["sendrecv"], headers=bearer(host)
                           ).headers["Location"]
    session_id = location.rsplit("/", 1)[1]
    candidate = "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host"
    frag = f"a=mid:0\r\n{candidate}\r\n"
    assert client.patch(location, data=frag, headers=trickle).status_code == 204
    assert engine.members[session_id].candidates == [candidate]
    restart = "a=ice-ufrag:other\r\na=ice-pwd:otherpasswordotherpassword\r\n"
    resp = client.patch(location, data=restart, headers=trickle)
    assert resp.status_code == 422 and resp.get_json()["reason"] == "ice_restart"
    assert client.patch(location, data=frag, headers=bearer(host)).status_code == 415
    assert client.patch(location, data=frag, headers={**trickle, "If-Match": '"another"'}).status_code == 412
    # a co-host may not end the host's session; the host may
    resp = client.delete(location, headers=bearer(cohost["stream_key"]))
    assert resp.status_code == 403 and resp.get_json()["reason"] == "forbidden"
    assert client.delete(location, headers=bearer("wrong")).status_code == 401
    assert client.delete(location, headers=bearer(room["stream_key"])).status_code == 200
    assert engine.left == [session_id]
    resp = client.delete(location, headers=bearer(room["stream_key"]))
    assert resp.status_code == 404 and resp.get_json()["reason"] == "not_found"
    assert client.delete(f"/whip/{room['id']}/nonexistent", headers=ADMIN).status_code == 404
    assert client.delete("/whip/0/0", headers=ADMIN).status_code == 404  # no such room (found by the fuzz)
    assert client.patch(location, data=frag, headers=trickle).status_code == 404


def test_cors_preflight(client: FlaskClient) -> None:
    resp = client.options("/whip/someroom", headers={"Origin": "https://studio.example",
                                                     "Access-Control-Request-Method": "POST"})
    assert resp.status_code == 204
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in resp.headers["Access-Control-Allow-Headers"]
    assert resp.headers["Accept-Post"] == "application/sdp"
    assert "Link" not in resp.headers  # a preflight carries no key
    session = client.options("/whip/someroom/abc")
    assert "DELETE" in session.headers["Access-Control-Allow-Methods"]


def test_options_with_a_stage_key_names_the_ice_servers(client: FlaskClient) -> None:
    room, cohost = room_with_cohost(client)
    url = f"/whip/{room['id']}"
    with_key = client.options(url, headers={"Authorization": f"Bearer {cohost['stream_key']}"})
    assert with_key.status_code == 204 and len(with_key.headers.getlist("Link")) == 2
    wrong = client.options(url, headers={"Authorization": "Bearer wrong-key"})
    assert wrong.status_code == 204 and not wrong.headers.getlist("Link")


@pytest.mark.parametrize("how", ["revoke", "remove", "rotate", "end_show", "rejoin", "network"])
def test_a_member_is_cut_off_at_once(client: FlaskClient, offers: dict[str, str], engine: MemoryEngine,
                                     how: str) -> None:
    room, cohost = room_with_cohost(client)
    rid = room["id"]
    key = room["stream_key"] if how == "rotate" else cohost["stream_key"]
    key_id = HOST_KEY_ID if how == "rotate" else cohost["key_id"]
    resp = client.post(f"/whip/{rid}", data=offers["sendrecv"], headers=bearer(key))
    session_id = resp.headers["Location"].rsplit("/", 1)[1]
    if how == "revoke":
        assert client.delete(f"/api/rooms/{rid}/keys/{key_id}", headers=ADMIN).get_json()["disconnected"]
    elif how == "remove":
        assert client.delete(f"/api/rooms/{rid}/stage/{key_id}", headers=bearer(cohost["stream_key"])
                             ).status_code == 403
        assert client.delete(f"/api/rooms/{rid}/stage/{key_id}", headers=bearer(room["stream_key"])
                             ).get_json() == {"removed": True, "key_id": key_id}
    elif how == "rotate":
        assert client.post(f"/api/rooms/{rid}/rotate-key", headers=ADMIN).get_json()["disconnected"]
    elif how == "end_show":
        assert client.post(f"/api/rooms/{rid}/end", headers=ADMIN).status_code == 200
    elif how == "rejoin":
        again = client.post(f"/whip/{rid}", data=offers["sendrecv"], headers=bearer(key))
        assert again.status_code == 201
    else:
        engine.drop(session_id, "network")
    assert session_id not in engine.members
    members = client.get(f"/api/rooms/{rid}/stage", headers=ADMIN).get_json()
    assert [m["session_id"] for m in members["members"]] == (
        [again.headers["Location"].rsplit("/", 1)[1]] if how == "rejoin" else [])
    ended = {e["session_id"]: e["reason"] for e in members["recent_ends"]}
    reason = {"revoke": "revoked", "remove": "removed", "rotate": "rotated", "end_show": "room_ended",
              "rejoin": "replaced", "network": "network"}[how]
    assert ended[session_id] == reason
    if how in ("revoke", "rotate"):  # the old key cannot come back
        assert client.post(f"/whip/{rid}", data=offers["sendrecv"], headers=bearer(key)).status_code == 401


def test_mute_reaches_the_stage(client: FlaskClient, offers: dict[str, str], engine: MemoryEngine) -> None:
    room, cohost = room_with_cohost(client)
    key = cohost["stream_key"]
    resp = client.post(f"/whip/{room['id']}", data=offers["sendrecv"], headers=bearer(key))
    session_id = resp.headers["Location"].rsplit("/", 1)[1]
    muted = client.post(f"/api/rooms/{room['id']}/keys/{cohost['key_id']}/mute", json={"muted": True},
                        headers=ADMIN)
    assert muted.status_code == 200 and engine.members[session_id].muted
    stage = client.get(f"/api/rooms/{room['id']}/stage", headers=bearer(cohost["stream_key"])).get_json()
    assert stage["members"][0]["muted"] is True
    # a muted key joins muted
    client.delete(resp.headers["Location"], headers=bearer(key))
    again = client.post(f"/whip/{room['id']}", data=offers["sendrecv"], headers=bearer(key))
    assert engine.members[again.headers["Location"].rsplit("/", 1)[1]].muted


def test_a_full_stage_and_a_room_that_cannot_go_on_air(tmp_path: Path, offers: dict[str, str]) -> None:
    app = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN), run_encoders=False)
    app.config[ENGINE_CONFIG] = MemoryEngine()
    client = app.test_client()
    room, _ = room_with_cohost(client)
    resp = client.post(f"/whip/{room['id']}", data=offers["sendrecv"], headers=bearer(room["stream_key"]))
    assert resp.status_code == 503 and resp.get_json()["reason"] == "unavailable"


def test_an_accepted_listener_joins_with_the_guest_key_until_removed(
        client: FlaskClient, offers: dict[str, str], engine: MemoryEngine) -> None:
    room, _ = room_with_cohost(client)
    rid, host = room["id"], bearer(room["stream_key"])
    assert client.post(f"/whip/{rid}", data=offers["sendrecv"], headers=host).status_code == 201
    wait_for(lambda: app_room_live(client, rid), 20, what="the room on air (hands open then)")
    hand = client.post(f"/api/rooms/{rid}/hands", json={"name": "Ada"}).get_json()
    assert client.post(f"/api/rooms/{rid}/hands/{hand['hand_id']}/accept", headers=ADMIN).status_code == 200
    collected = client.get(f"/api/rooms/{rid}/hands/{hand['hand_id']}?token={hand['hand_token']}").get_json()
    guest = collected["guest_key"]
    assert collected["stage_url"].endswith(f"/whip/{rid}")
    joined = client.post(f"/whip/{rid}", data=offers["sendrecv"], headers=bearer(guest))
    assert joined.status_code == 201
    session_id = joined.headers["Location"].rsplit("/", 1)[1]
    stage = client.get(f"/api/rooms/{rid}/stage", headers=ADMIN).get_json()
    assert ("guest", "Ada") in [(m["role"], m["name"]) for m in stage["members"]]
    levels = client.get(f"/api/rooms/{rid}/levels", headers=ADMIN).get_json()
    assert {p["key_id"]: p["kind"] for p in levels["publishers"]}[hand["hand_id"]] == "stage"
    assert client.get(f"/api/rooms/{rid}/stage", headers=bearer(guest)).status_code == 403  # the stage only
    removed = client.post(f"/api/rooms/{rid}/hands/{hand['hand_id']}/remove", headers=ADMIN).get_json()
    assert removed["disconnected"] is True and session_id not in engine.members
    again = client.post(f"/whip/{rid}", data=offers["sendrecv"], headers=bearer(guest))
    assert again.status_code == 401 and again.get_json()["reason"] == "auth"
