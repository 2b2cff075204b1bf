"""Private rooms: never listed publicly, joined by code, served only under signed, unexpired paths."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from room_directory.access import room_signature
from stream_server.api import rooms as api
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret"
SECRET = "url-secret-for-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(tmp_path: Path) -> Any:
    (tmp_path / "secret.txt").write_text("nope")
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, url_secret=SECRET,
                               public_url="https://ls.example"), run_encoders=False)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


def create(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    resp = client.post("/api/rooms", json={"title": "Room", **fields}, headers=ADMIN)
    assert resp.status_code == 201, resp.get_json()
    return dict(resp.get_json())


def publish_files(app: Any, room_id: str) -> None:
    room_dir = app.extensions["livestage"].settings.hls_dir / room_id
    room_dir.mkdir(parents=True, exist_ok=True)
    (room_dir / "live.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nshow-00000001.ts\n")
    (room_dir / "show-00000001.ts").write_bytes(b"G" * 376)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_private_room_gets_a_join_code_and_a_signed_url_only_admins_see(client: FlaskClient) -> None:
    room = create(client, title="Secret Session", private=True)
    assert re.fullmatch(r"[0-9]{4}", room["join_code"])
    assert re.fullmatch(rf"https://ls\.example/hls/{room['id']}/s/[0-9]+/[A-Za-z0-9_-]{{43}}/t/[^/]+/live\.m3u8",
                        room["listen_url"])
    public = client.get("/api/rooms").get_json()["rooms"]
    assert room["id"] not in {r["id"] for r in public}
    assert all("join_code" not in r for r in public)
    assert client.get(f"/api/rooms/{room['id']}").status_code == 404
    as_admin = client.get("/api/rooms", headers=ADMIN).get_json()["rooms"]
    assert [r["join_code"] for r in as_admin if r["id"] == room["id"]] == [room["join_code"]]
    as_host = client.get(f"/api/rooms/{room['id']}",
                         headers={"Authorization": f"Bearer {room['stream_key']}"})
    assert as_host.status_code == 200 and "join_code" not in as_host.get_json()
    page = client.get("/").get_data(as_text=True)
    assert "Secret Session" not in page and room["id"] not in page


def test_join_codes_are_unique_and_a_collision_draws_again(client: FlaskClient, app: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    first = create(client, private=True)
    drawn = iter([first["join_code"], first["join_code"], "0042" if first["join_code"] != "0042" else "0043"])
    monkeypatch.setattr(api, "new_join_code", lambda: next(drawn))
    second = create(client, private=True)
    assert second["join_code"] not in (None, first["join_code"])
    directory = app.extensions["livestage"].directory
    assert directory.find_by_join_code(second["join_code"]).id == second["id"]


def test_making_a_room_private_and_public_again(client: FlaskClient) -> None:
    room = create(client)
    assert "join_code" not in room
    private = client.patch(f"/api/rooms/{room['id']}", json={"private": True}, headers=ADMIN).get_json()
    assert private["private"] is True and re.fullmatch(r"[0-9]{4}", private["join_code"])
    public = client.patch(f"/api/rooms/{room['id']}", json={"private": False}, headers=ADMIN).get_json()
    assert public["private"] is False and "join_code" not in public
    assert "/s/" not in public["listen_url"]


def test_private_room_files_play_under_the_signed_path(client: FlaskClient, app: Any) -> None:
    room = create(client, private=True)
    publish_files(app, room["id"])
    playlist = client.get(path_of(room["listen_url"]))
    assert playlist.status_code == 200 and b"show-00000001.ts" in playlist.data
    prefix = path_of(room["listen_url"]).rsplit("/", 1)[0]
    segment = client.get(f"{prefix}/show-00000001.ts")
    assert segment.status_code == 200 and segment.data == b"G" * 376


def _signed(room_id: str, expires: int, secret: str = SECRET) -> str:
    return f"/hls/{room_id}/s/{expires}/{room_signature(room_id, expires, secret)}"


REFUSALS = {
    "unsigned-playlist": lambda r: f"/hls/{r}/live.m3u8",
    "unsigned-segment": lambda r: f"/hls/{r}/show-00000001.ts",
    "forged": lambda r: f"/hls/{r}/s/{int(time.time()) + 3600}/{'A' * 43}/live.m3u8",
    "expired": lambda r: _signed(r, int(time.time()) - 1) + "/live.m3u8",
    "other-secret": lambda r: _signed(r, int(time.time()) + 3600, "not-the-secret") + "/live.m3u8",
    "other-room": lambda r: f"/hls/{r}/s/{int(time.time()) + 3600}/"
                            f"{room_signature('other-room', int(time.time()) + 3600, SECRET)}/live.m3u8",
    "expiry-changed": lambda r: _signed(r, int(time.time()) + 3600).replace(
        f"/s/{int(time.time()) + 3600}/", f"/s/{int(time.time()) + 7200}/") + "/live.m3u8",
}
MALFORMED = {  # not a signed path at all: 404 on every serving path (stream_server/serving/rules.py)
    "bad-expiry": lambda r: f"/hls/{r}/s/-5/{room_signature(r, -5, SECRET)}/live.m3u8",
    "short-signature": lambda r: f"/hls/{r}/s/{int(time.time()) + 3600}/abc/live.m3u8",
}


@pytest.mark.parametrize("make_path", list(REFUSALS.values()), ids=list(REFUSALS))
def test_private_room_refuses_with_403(client: FlaskClient, app: Any, make_path: Any) -> None:
    room = create(client, private=True)
    publish_files(app, room["id"])
    assert client.get(make_path(room["id"])).status_code == 403


@pytest.mark.parametrize("make_path", list(MALFORMED.values()), ids=list(MALFORMED))
def test_malformed_signed_paths_are_403(client: FlaskClient, app: Any, make_path: Any) -> None:
    # the same answer as the fast path and nginx give (hls_rules.resolve)
    room = create(client, private=True)
    publish_files(app, room["id"])
    assert client.get(make_path(room["id"])).status_code == 403


def test_public_room_plays_plain_and_signed_but_never_forged(client: FlaskClient, app: Any) -> None:
    room = create(client)
    publish_files(app, room["id"])
    assert client.get(f"/hls/{room['id']}/live.m3u8").status_code == 200
    signed = _signed(room["id"], int(time.time()) + 60)
    assert client.get(f"{signed}/live.m3u8").status_code == 200
    assert client.get(f"/hls/{room['id']}/s/{int(time.time()) + 60}/{'B' * 43}/live.m3u8").status_code == 403
    assert client.get(_signed(room["id"], int(time.time()) - 10) + "/live.m3u8").status_code == 403


@pytest.mark.parametrize(
    "suffix",
    ["..%2f..%2fsecret.txt", "%2e%2e%2f%2e%2e%2fsecret.txt", "..%252f..%252fsecret.txt",
     "..\\..\\secret.txt", "%2e%2e", "live.m3u8%00.ts", "..%2f..%2f..%2fetc%2fpasswd"],
    ids=["encoded-slash", "encoded-dots", "double-encoded", "backslash", "dots-only", "nul", "passwd"],
)
def test_traversal_never_leaves_the_room_folder(client: FlaskClient, app: Any, suffix: str) -> None:
    public, private = create(client), create(client, private=True)
    publish_files(app, public["id"])
    publish_files(app, private["id"])
    signed = _signed(private["id"], int(time.time()) + 60)
    for path in (f"/hls/{public['id']}/{suffix}", f"{signed}/{suffix}",
                 f"/hls/{public['id']}/s/{suffix}/{'A' * 43}/live.m3u8", f"/hls/{suffix}/live.m3u8"):
        resp = client.get(path)
        assert resp.status_code in (403, 404), path
        assert b"nope" not in resp.data


def test_a_room_gone_from_the_directory_is_not_served(client: FlaskClient, app: Any) -> None:
    from stream_server.serving.rules import PRIVATE_MARKER

    publish_files(app, "ghost-room")
    assert client.get("/hls/ghost-room/live.m3u8").status_code == 404  # as the fast path
    (app.extensions["livestage"].settings.hls_dir / "ghost-room" / PRIVATE_MARKER).touch()
    assert client.get("/hls/ghost-room/live.m3u8").status_code == 404
    assert client.get(_signed("ghost-room", int(time.time()) + 60) + "/live.m3u8").status_code == 404


def test_a_private_rooms_replays_are_listed_with_signed_urls_that_play(client: FlaskClient, app: Any) -> None:
    from room_directory import Show

    room = create(client, private=True)
    publish_files(app, room["id"])
    (app.extensions["livestage"].settings.hls_dir / room["id"] / "show-1.m3u8").write_text("#EXTM3U\n")
    app.extensions["livestage"].directory.save_show(
        Show(room_id=room["id"], show_id="show-1", started_at=1000.0, ended_at=1100.0))
    assert client.get(f"/api/rooms/{room['id']}/shows").status_code == 404
    shows = client.get(f"/api/rooms/{room['id']}/shows", headers=ADMIN).get_json()["shows"]
    url = shows[0]["replay_url"]
    assert "/s/" in url and "/t/" in url and url.endswith("/show-1.m3u8")
    assert client.get(path_of(url)).status_code == 200
    assert client.get(f"/hls/{room['id']}/show-1.m3u8").status_code == 403
