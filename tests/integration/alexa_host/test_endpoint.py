"""``POST /alexa``: the skill hosted in the Flask app, with its request checks."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from room_directory import InMemoryRoomDirectory
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.alexa_fixtures import (
    APPLICATION_ID,
    alexa_timestamp,
    audio_player_event,
    intent_request,
    join_room,
    launch_request,
    seed_rooms,
)

PUBLIC_URL = "https://live.example.test"


def make_client(tmp_path: Path, **settings: Any) -> FlaskClient:
    options: dict[str, Any] = {
        "data_dir": tmp_path, "verify_signatures": False, "public_url": PUBLIC_URL,
    } | settings
    directory = InMemoryRoomDirectory()
    seed_rooms(directory)
    app = create_app(Settings(**options), directory=directory, run_encoders=False)
    return app.test_client()


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return make_client(tmp_path)


def stamped(envelope: dict[str, Any], moment: datetime) -> dict[str, Any]:
    envelope["request"]["timestamp"] = alexa_timestamp(moment)
    return envelope


def test_join_jazz_answers_with_a_play_of_the_jazz_room(client: FlaskClient) -> None:
    reply = client.post("/alexa", json=join_room("jazz"))
    assert reply.status_code == 200
    assert reply.mimetype == "application/json"
    body = reply.get_json()
    (play,) = body["response"]["directives"]
    assert play["type"] == "AudioPlayer.Play"
    assert play["playBehavior"] == "REPLACE_ALL"
    url = play["audioItem"]["stream"]["url"]
    assert re.fullmatch(rf"{PUBLIC_URL}/hls/jazz-night/t/[^/?]+/live\.m3u8", url)
    assert play["audioItem"]["stream"]["offsetInMilliseconds"] == 0
    assert body["response"]["shouldEndSession"] is True
    assert body["version"] == "1.0"


def test_launch_lists_what_is_live(client: FlaskClient) -> None:
    body = client.post("/alexa", json=launch_request()).get_json()
    assert "Late Night Jazz Concert" in body["response"]["outputSpeech"]["ssml"]


def test_unknown_room_gets_no_play(client: FlaskClient) -> None:
    body = client.post("/alexa", json=join_room("polka")).get_json()
    types = [d["type"] for d in body["response"].get("directives", [])]
    assert types == ["Dialog.UpdateDynamicEntities"]
    assert "couldn't find" in body["response"]["outputSpeech"]["ssml"]


def test_pause_answers_audio_player_stop(client: FlaskClient) -> None:
    body = client.post("/alexa", json=intent_request("AMAZON.PauseIntent")).get_json()
    assert body["response"]["directives"] == [{"type": "AudioPlayer.Stop"}]


def test_resume_replays_the_room_of_the_token_from_the_live_edge(client: FlaskClient) -> None:
    envelope = intent_request("AMAZON.ResumeIntent", audio_token="jazz-night:0f0f")
    (play,) = client.post("/alexa", json=envelope).get_json()["response"]["directives"]
    url = play["audioItem"]["stream"]["url"]
    assert re.fullmatch(rf"{PUBLIC_URL}/hls/jazz-night/t/[^/?]+/live\.m3u8", url)
    assert play["audioItem"]["stream"]["offsetInMilliseconds"] == 0


@pytest.mark.parametrize(
    "event",
    ["PlaybackStarted", "PlaybackFinished", "PlaybackStopped", "PlaybackNearlyFinished",
     "PlaybackFailed"],
)
def test_audio_player_events_get_no_speech(client: FlaskClient, event: str) -> None:
    reply = client.post("/alexa", json=audio_player_event(event, "jazz-night:0f0f"))
    assert reply.status_code == 200
    assert "outputSpeech" not in reply.get_json()["response"]


def assert_refused(reply: Any, reason: str) -> None:
    assert reply.status_code == 400
    assert reply.mimetype == "application/json"
    assert reason in reply.get_json()["error"]
    assert "directives" not in reply.get_data(as_text=True)


def test_an_unsigned_request_is_refused_when_signatures_are_verified(tmp_path: Path) -> None:
    client = make_client(tmp_path, verify_signatures=True)
    assert_refused(client.post("/alexa", json=join_room("jazz")), "SignatureCertChainUrl header missing")


@pytest.mark.parametrize(
    "skew", [timedelta(seconds=-151), timedelta(minutes=-30), timedelta(seconds=151)],
    ids=["just-stale", "replayed", "from-the-future"],
)
def test_a_timestamp_outside_150_seconds_is_refused(
    client: FlaskClient, skew: timedelta, caplog: pytest.LogCaptureFixture
) -> None:
    envelope = stamped(join_room("jazz"), datetime.now(UTC) + skew)
    with caplog.at_level(logging.WARNING, logger="stream_server.alexa_host.view"):
        assert_refused(client.post("/alexa", json=envelope), "timestamp")
    assert "timestamp" in caplog.text


def test_a_timestamp_inside_the_window_is_accepted(client: FlaskClient) -> None:
    envelope = stamped(join_room("jazz"), datetime.now(UTC) - timedelta(seconds=120))
    assert client.post("/alexa", json=envelope).status_code == 200


def test_a_request_for_another_skill_is_refused(tmp_path: Path) -> None:
    client = make_client(tmp_path, skill_id=APPLICATION_ID)
    other = join_room("jazz", application_id="amzn1.ask.skill.someone-else")
    assert_refused(client.post("/alexa", json=other), "another skill")
    assert client.post("/alexa", json=join_room("jazz")).status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"\xff\xfe", b"[1, 2]", json.dumps({"version": "1.0"}).encode(),
     json.dumps({"version": "1.0", "request": {"type": "LaunchRequest"}}).encode(), b""],
    ids=["broken-json", "not-utf8", "json-array", "no-request", "no-context", "empty"],
)
def test_a_body_that_is_not_a_request_envelope_is_refused(client: FlaskClient, body: bytes) -> None:
    reply = client.post("/alexa", data=body, content_type="application/json")
    assert reply.status_code == 400
    assert reply.get_json()["error"]


def test_a_request_without_a_timestamp_is_refused(client: FlaskClient) -> None:
    envelope = join_room("jazz")
    del envelope["request"]["timestamp"]
    assert_refused(client.post("/alexa", json=envelope), "timestamp")


def test_the_skill_sees_the_same_directory_as_the_app(tmp_path: Path) -> None:
    directory = InMemoryRoomDirectory()
    seed_rooms(directory)
    app = create_app(
        Settings(data_dir=tmp_path, verify_signatures=False, public_url=PUBLIC_URL),
        directory=directory, run_encoders=False,
    )
    jazz = directory.get("jazz-night")
    assert jazz is not None
    directory.update(dataclasses.replace(jazz, title="Jazz After Dark"))
    body = app.test_client().post("/alexa", json=join_room("jazz")).get_json()
    assert body["response"]["directives"][0]["audioItem"]["metadata"]["title"] == "Jazz After Dark"
