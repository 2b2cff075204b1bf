""""Yes" and "no" through ``POST /alexa``: answered, never "something went wrong"."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from room_directory import InMemoryRoomDirectory
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.alexa_fixtures import intent_request, launch_request, seed_rooms

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


@pytest.mark.parametrize("intent", ["AMAZON.YesIntent", "AMAZON.NoIntent"])
def test_a_bare_yes_or_no_is_answered_without_an_error(
    intent: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        body = post(make_app(tmp_path), intent_request(intent))
    assert speech(body) and "went wrong" not in speech(body)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_yes_after_the_followed_hosts_welcome_plays_the_room(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    post(app, intent_request("FollowIntent", {"host": "sam okafor"}))
    welcome = post(app, launch_request())
    assert "Would you like to join?" in speech(welcome)
    yes = post(app, intent_request("AMAZON.YesIntent", attributes=welcome["sessionAttributes"]))
    (play,) = yes["response"]["directives"]
    assert play["type"] == "AudioPlayer.Play"
    assert "/hls/morning-talk/live.m3u8" in play["audioItem"]["stream"]["url"]
