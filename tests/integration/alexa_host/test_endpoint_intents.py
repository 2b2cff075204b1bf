"""The skill's newer intents through ``POST /alexa`` (Flask test client, signatures off)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from room_directory import InMemoryRoomDirectory
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.serving.listeners import ListenerTracker
from tests.support.alexa_fixtures import intent_request, join_room, launch_request, seed_rooms

PUBLIC_URL = "https://live.example.test"


def make_app(tmp_path: Path) -> Flask:
    directory = InMemoryRoomDirectory()
    seed_rooms(directory)
    settings = Settings(data_dir=tmp_path, verify_signatures=False, public_url=PUBLIC_URL)
    return create_app(settings, directory=directory, run_encoders=False)


def post(app: Flask, envelope: dict[str, Any]) -> dict[str, Any]:
    reply = app.test_client().post("/alexa", json=envelope)
    assert reply.status_code == 200
    body: dict[str, Any] = reply.get_json()
    return body


def speech(body: dict[str, Any]) -> str:
    return str(body["response"].get("outputSpeech", {}).get("ssml", ""))


def test_now_playing_counts_listeners_from_the_stream_servers_tracker(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    tracker: ListenerTracker = app.extensions["livestage"].listeners  # fed by playlist fetches
    for token in ("a", "b", "c"):
        tracker.seen("jazz-night", token)
    play = post(app, join_room("jazz"))["response"]["directives"][0]
    token = play["audioItem"]["stream"]["token"]
    said = speech(post(app, intent_request("NowPlayingIntent", audio_token=token)))
    assert "Late Night Jazz Concert" in said and "3 people are listening" in said


def test_listener_state_lives_in_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    followed = post(make_app(tmp_path), intent_request("FollowIntent", {"host": "sam okafor"}))
    assert "following Sam Okafor" in speech(followed)
    assert (tmp_path / "skill-state.db").is_file()
    launch = post(make_app(tmp_path), launch_request())  # a new app: state came from the file
    assert launch["sessionAttributes"]["offeredRoomIds"][0] == "morning-talk"


def test_what_is_live_through_the_web_service(tmp_path: Path) -> None:
    body = post(make_app(tmp_path), intent_request("WhatsLiveIntent", supports_apl=True))
    types = [d["type"] for d in body["response"]["directives"]]
    assert "Alexa.Presentation.APL.RenderDocument" in types
    assert "3 rooms are live" in speech(body)
