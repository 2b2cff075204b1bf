"""On AWS the room API's listener figures come from CloudFront's access logs, through the directory."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import RoomStatus
from room_directory.access import new_listener_token
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.serving.cloudfront_log import record_log
from tests.support.cloudfront import standard_log

TOKEN = "admin-secret"
SECRET = "url-secret-for-tests"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


def _app(tmp_path: Path, from_logs: bool) -> Any:
    return create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, url_secret=SECRET,
                               listeners_from_logs=from_logs), run_encoders=False)


def _live_room(app: Any, client: FlaskClient, start: float) -> str:
    room_id = str(client.post("/api/rooms", json={"title": "Edge"}, headers=ADMIN).get_json()["id"])
    directory = app.extensions["livestage"].directory
    directory.update(replace(directory.get(room_id), status=RoomStatus.LIVE, show_id="show-1",
                             live_since=start))
    return room_id


def _log_fetches(app: Any, room_id: str, fetches: list[tuple[float, str]]) -> None:
    lines = standard_log([(at, f"/hls/{room_id}/live.m3u8", f"lt={token}") for at, token in fetches])
    record_log(app.extensions["livestage"].directory, lines, SECRET)


@pytest.mark.parametrize("from_logs", [True, False], ids=["logs-counted", "logs-ignored"])
def test_live_figures_come_from_the_logged_minutes(tmp_path: Path, from_logs: bool) -> None:
    app = _app(tmp_path, from_logs)
    client = app.test_client()
    now = time.time()
    start = (now // 60 - 3) * 60 + 1  # on air for three minutes
    room_id = _live_room(app, client, start)
    a, b, c = (new_listener_token(SECRET) for _ in range(3))
    forged = a.split(".")[0] + ".AAAAAAAAAAAAAAAA"
    _log_fetches(app, room_id, [(start + 5, a), (start + 7, a), (start + 9, b),  # minute 0: two
                                (start + 65, a), (start + 66, b), (start + 67, c),  # minute 1: three
                                (start + 125, c), (start + 126, forged)])  # minute 2: one
    body = client.get(f"/api/rooms/{room_id}/listeners", headers=ADMIN).get_json()
    per_minute = body["listeners_per_minute"]
    if from_logs:
        assert per_minute[:3] == [2, 3, 1] and body["peak_listeners"] == 3
        # "now" is the newest minute the logs have reached (the logs come minutes late)
        assert body["listeners"] == 1
        assert client.get(f"/api/rooms/{room_id}", headers=ADMIN).get_json()["listeners"] == 1
    else:
        assert not any(per_minute) and body["peak_listeners"] == 0 and body["listeners"] == 0


def test_an_ended_shows_figures_take_in_logs_delivered_after_it_ended(tmp_path: Path) -> None:
    app = _app(tmp_path, True)
    client = app.test_client()
    now = time.time()
    start = (now // 60 - 3) * 60 + 1
    room_id = _live_room(app, client, start)
    early, late = new_listener_token(SECRET), new_listener_token(SECRET)
    _log_fetches(app, room_id, [(start + 5, early)])
    assert client.post(f"/api/rooms/{room_id}/end", headers=ADMIN).status_code == 200
    show = app.extensions["livestage"].directory.get_show(room_id, "show-1")
    assert show is not None and show.peak_listeners == 1 and show.listeners_per_minute[0] == 1
    _log_fetches(app, room_id, [(start + 6, late), (start + 70, late)])  # a file delivered late
    body = client.get(f"/api/rooms/{room_id}/listeners", headers=ADMIN).get_json()
    assert body["live"] is False
    assert body["listeners_per_minute"][:2] == [2, 1] and body["peak_listeners"] == 2
