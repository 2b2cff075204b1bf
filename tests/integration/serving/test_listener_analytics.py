"""Listener tokens counted from playlist fetches; host analytics on the room API and in the Show record."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import m3u8
import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from room_directory import RoomStatus
from room_directory.access import new_listener_token
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings

TOKEN = "admin-secret"
SECRET = "url-secret-for-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
MASTER = ("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS=\"mp4a.40.2\"\nlive-128k.m3u8\n"
          "#EXT-X-STREAM-INF:BANDWIDTH=70000,CODECS=\"mp4a.40.2\"\nlive-64k.m3u8\n")
MEDIA = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\nshow-00000000.ts\n"


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, url_secret=SECRET),
                      run_encoders=False)


@pytest.fixture
def client(app: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def room(client: FlaskClient, app: Any) -> dict[str, Any]:
    body = dict(client.post("/api/rooms", json={"title": "Counted"}, headers=ADMIN).get_json())
    room_dir = app.extensions["livestage"].settings.hls_dir / body["id"]
    room_dir.mkdir(parents=True)
    (room_dir / "live.m3u8").write_text(MASTER)
    for name in ("live-128k.m3u8", "live-64k.m3u8"):
        (room_dir / name).write_text(MEDIA)
    return body


def listen_path(client: FlaskClient, room_id: str) -> str:
    url = urlsplit(client.get(f"/api/rooms/{room_id}").get_json()["listen_url"])
    assert not url.query  # the token rides in the path
    return url.path


def listeners_now(client: FlaskClient, room_id: str) -> int:
    return int(client.get(f"/api/rooms/{room_id}").get_json()["listeners"])


def test_each_listener_token_counts_once_and_keeps_counting_through_relative_uris(
    client: FlaskClient, room: dict[str, Any],
) -> None:
    assert listeners_now(client, room["id"]) == 0
    path = listen_path(client, room["id"])
    master = client.get(path)
    assert master.status_code == 200 and master.get_data(as_text=True) == MASTER  # nothing rewritten
    variant = urljoin(path, m3u8.loads(MASTER).playlists[0].uri)
    assert variant.startswith(path.rsplit("/", 1)[0] + "/")  # the token reaches the variant
    for _ in range(3):  # the player polls its variant: still one listener
        assert client.get(variant).status_code == 200
    assert listeners_now(client, room["id"]) == 1
    # a variant poll counts by itself (the master was fetched minutes ago, say)
    polls_only = f"/hls/{room['id']}/t/{new_listener_token(SECRET)}/live-64k.m3u8"
    assert client.get(polls_only).status_code == 200
    assert listeners_now(client, room["id"]) == 2
    assert client.get(f"/hls/{room['id']}/t/{new_listener_token(SECRET)}/missing.m3u8").status_code == 404
    assert client.get(f"/hls/{room['id']}/t/{new_listener_token('x')}/live-64k.m3u8").status_code == 200
    assert listeners_now(client, room["id"]) == 2  # neither a 404 nor a forged token counts
    etag = client.get(variant).headers["ETag"]  # a path token leaves conditional GET intact
    assert client.get(variant, headers={"If-None-Match": etag}).status_code == 304


def test_an_older_query_token_is_carried_into_the_variants_of_the_master(
    client: FlaskClient, room: dict[str, Any],
) -> None:
    token = new_listener_token(SECRET)
    path = f"/hls/{room['id']}/live.m3u8?lt={token}"
    master = client.get(path)
    assert master.status_code == 200 and master.content_type == "application/vnd.apple.mpegurl"
    parsed = m3u8.loads(master.get_data(as_text=True))
    assert [p.uri for p in parsed.playlists] == [f"live-128k.m3u8?lt={token}", f"live-64k.m3u8?lt={token}"]
    for _ in range(3):  # the player polls its variant: still one listener
        assert client.get(f"/hls/{room['id']}/{parsed.playlists[0].uri}").status_code == 200
    assert listeners_now(client, room["id"]) == 1
    client.get(listen_path(client, room["id"]))  # a second listener
    assert listeners_now(client, room["id"]) == 2


@pytest.mark.parametrize(
    "query",
    ["", "?lt=made-up.AAAAAAAAAAAAAAAA", f"?lt={new_listener_token('other-secret')}", "?lt=", "?lt=x" * 30],
    ids=["none", "forged-tag", "other-secret", "empty", "junk"],
)
def test_fetches_without_a_valid_token_are_served_but_not_counted(
    client: FlaskClient, room: dict[str, Any], query: str,
) -> None:
    resp = client.get(f"/hls/{room['id']}/live.m3u8{query}")
    assert resp.status_code == 200 and "?lt=" not in resp.get_data(as_text=True)
    assert listeners_now(client, room["id"]) == 0


def test_host_analytics_per_minute_then_saved_into_the_show(
    client: FlaskClient, app: Any, room: dict[str, Any],
) -> None:
    services = app.extensions["livestage"]
    now = time.time()
    start = (now // 60 - 2) * 60 + 1  # the show began two minutes ago
    stored = services.directory.get(room["id"])
    services.directory.update(replace(stored, status=RoomStatus.LIVE, show_id="show-1", live_since=start))
    tokens = [new_listener_token(SECRET) for _ in range(3)]
    for token in tokens:  # minute 0: three listeners, minute 1: one
        services.listeners.seen(room["id"], token, at=start + 5)
    services.listeners.seen(room["id"], tokens[0], at=start + 65)
    client.get(listen_path(client, room["id"]))  # minute 2 (now): one, through real fetches

    for headers in ({}, {"Authorization": "Bearer wrong"}):
        assert client.get(f"/api/rooms/{room['id']}/listeners", headers=headers).status_code == 401
    host = {"Authorization": f"Bearer {room['stream_key']}"}
    for headers in (ADMIN, host):
        body = client.get(f"/api/rooms/{room['id']}/listeners", headers=headers).get_json()
        assert body["live"] is True and body["listeners"] == 1
        per_minute = body["listeners_per_minute"]  # a minute may turn over during the test
        assert per_minute[:2] == [3, 1] and sum(per_minute[2:]) == 1 and body["peak_listeners"] == 3

    assert client.post(f"/api/rooms/{room['id']}/end", headers=ADMIN).status_code == 200
    show = services.directory.get_show(room["id"], "show-1")
    assert show is not None and show.peak_listeners == 3
    assert list(show.listeners_per_minute)[:2] == [3, 1] and sum(show.listeners_per_minute[2:]) == 1
    after = client.get(f"/api/rooms/{room['id']}/listeners", headers=host).get_json()
    assert after["live"] is False and after["peak_listeners"] == 3
    assert after["listeners_per_minute"] == list(show.listeners_per_minute)


def test_metrics_expose_counters_and_live_gauges(client: FlaskClient, app: Any, room: dict[str, Any]) -> None:
    services = app.extensions["livestage"]
    stored = services.directory.get(room["id"])
    services.directory.update(replace(stored, status=RoomStatus.LIVE, show_id="s", live_since=time.time()))
    client.get(listen_path(client, room["id"]))
    client.get(listen_path(client, room["id"]))
    resp = client.get("/metrics")
    assert resp.status_code == 200 and resp.content_type.startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(resp.get_data(as_text=True))}
    for counter in ("livestage_segments_written", "livestage_segments_late", "livestage_encoder_restarts",
                    "livestage_ingest_bytes", "livestage_ingest_errors"):
        assert families[counter].type == "counter"
    gauges = {name: families[name].samples[0].value for name in
              ("livestage_rooms_live", "livestage_encoders", "livestage_publishers", "livestage_listeners")}
    assert gauges == {"livestage_rooms_live": 1, "livestage_encoders": 0, "livestage_publishers": 0,
                      "livestage_listeners": 2}
    assert room["id"] not in resp.get_data(as_text=True)


def test_a_show_ended_by_the_stage_itself_keeps_its_listener_figures(
    client: FlaskClient, app: Any, room: dict[str, Any],
) -> None:
    """Dead air ends shows through ``OnAir.end_show``, not the API: the figures are saved there too."""
    services = app.extensions["livestage"]
    stored = services.directory.get(room["id"])
    services.directory.update(replace(stored, status=RoomStatus.LIVE, show_id="show-2",
                                      live_since=time.time() - 30))
    client.get(listen_path(client, room["id"]))
    client.get(listen_path(client, room["id"]))
    services.on_air.end_show(room["id"])
    show = services.directory.get_show(room["id"], "show-2")
    assert show is not None and show.peak_listeners == 2 and sum(show.listeners_per_minute) >= 2
    assert services.listeners.count(room["id"]) == 0  # forgotten once saved
