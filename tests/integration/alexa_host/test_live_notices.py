"""A followed host goes on air: subscribed followers get a Proactive Events notice.

The whole path over real parts: follows and the subscription arrive through ``POST /alexa``,
the room goes on air through ``OnAir.go_live`` (a real ffmpeg encoder), and the notices go
over HTTPS to a local stand-in of Login with Amazon and the Proactive Events API, which
records them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from room_directory import InMemoryRoomDirectory, Room
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support.alexa_api_server import AlexaApiServer, alexa_api_server
from tests.support.alexa_fixtures import intent_request

ADA, BO, CY = (f"amzn1.ask.account.{name}" for name in ("ADA", "BO", "CY"))


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AlexaApiServer]:
    with alexa_api_server(tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
        yield server


def make_app(tmp_path: Path, api: AlexaApiServer) -> tuple[Flask, InMemoryRoomDirectory]:
    directory = InMemoryRoomDirectory()
    directory.create(Room("mia-live", "Late Night Jazz", "x", host="Mia Santos"))
    directory.create(Room("mia-secret", "Mia Rehearsal", "x", host="Mia Santos", private=True,
                          join_code="4719"))
    settings = Settings(data_dir=tmp_path, verify_signatures=False, segment_seconds=1,
                        window_segments=6, alexa_client_id="amzn1.application-oa2-client.x",
                        alexa_client_secret="secret", alexa_token_url=f"{api.url}/auth/o2/token",
                        alexa_events_url=f"{api.url}/v1/proactiveEvents/stages/development")
    return create_app(settings, directory=directory), directory


def post(app: Flask, envelope: dict[str, Any]) -> dict[str, Any]:
    reply = app.test_client().post("/alexa", json=envelope)
    assert reply.status_code == 200
    body: dict[str, Any] = reply.get_json()
    return body


def subscription(user_id: str, subscribed: bool) -> dict[str, Any]:
    envelope = intent_request("AMAZON.HelpIntent", user_id=user_id)
    del envelope["session"]
    envelope["request"] = {
        "type": "AlexaSkillEvent.ProactiveSubscriptionChanged", "requestId": "r1",
        "timestamp": envelope["request"]["timestamp"], "locale": "en-US",
        "body": {"subscriptions": [{"eventName": "AMAZON.MediaContent.Available"}]
                 if subscribed else []}}
    return envelope


def go_live_and_wait(app: Flask, directory: InMemoryRoomDirectory, room_id: str) -> float:
    services = app.extensions["livestage"]
    room = directory.get(room_id)
    assert room is not None
    started = time.monotonic()
    services.on_air.go_live(room)
    took = time.monotonic() - started
    for sender in services.notices.senders:
        sender.join(timeout=10)
    services.on_air.end_show(room_id)
    return took


def events(api: AlexaApiServer) -> list[dict[str, Any]]:
    return [r.body for r in api.requests if r.path.startswith("/v1/proactiveEvents")]


def test_subscribed_followers_hear_when_the_host_goes_live(tmp_path: Path,
                                                          api: AlexaApiServer) -> None:
    app, directory = make_app(tmp_path, api)
    post(app, intent_request("FollowIntent", {"host": "mia santos"}, user_id=ADA, locale="de-DE"))
    post(app, intent_request("FollowIntent", {"host": "mia santos"}, user_id=BO))  # no notices
    post(app, intent_request("FollowIntent", {"host": "sam okafor"}, user_id=CY))  # another host
    for user in (ADA, CY):
        post(app, subscription(user, True))
    go_live_and_wait(app, directory, "mia-live")

    (token_request,) = [r for r in api.requests if r.path == "/auth/o2/token"]
    assert token_request.body["grant_type"] == "client_credentials"
    assert token_request.body["scope"] == "alexa::proactive_events"
    (sent,) = [r for r in api.requests if r.path.startswith("/v1/proactiveEvents")]
    assert sent.headers["Authorization"] == "Bearer Atc|skill-token"
    event = sent.body
    assert event["relevantAudience"] == {"type": "Unicast", "payload": {"user": ADA}}
    assert event["event"]["name"] == "AMAZON.MediaContent.Available"
    payload = event["event"]["payload"]
    assert payload["availability"]["method"] == "STREAM"
    assert payload["content"]["contentType"] == "EPISODE"
    assert event["localizedAttributes"] == [
        {"locale": "de-DE", "providerName": "Mia Santos", "contentName": "Late Night Jazz"}]
    assert event["timestamp"] < event["expiryTime"]


def test_unsubscribing_or_unfollowing_stops_the_notices(tmp_path: Path,
                                                         api: AlexaApiServer) -> None:
    app, directory = make_app(tmp_path, api)
    post(app, intent_request("FollowIntent", {"host": "mia santos"}, user_id=ADA))
    post(app, subscription(ADA, True))
    post(app, subscription(ADA, False))
    go_live_and_wait(app, directory, "mia-live")
    assert events(api) == []
    post(app, subscription(ADA, True))
    state = post(app, intent_request("FollowsIntent", user_id=ADA))
    assert "Mia Santos" in state["response"]["outputSpeech"]["ssml"]
    post(app, intent_request("UnfollowIntent", {"host": "mia santos"}, user_id=ADA))
    go_live_and_wait(app, directory, "mia-live")
    assert events(api) == []


def test_a_private_room_is_never_announced(tmp_path: Path, api: AlexaApiServer) -> None:
    app, directory = make_app(tmp_path, api)
    post(app, intent_request("FollowIntent", {"host": "mia santos"}, user_id=ADA))
    post(app, subscription(ADA, True))
    go_live_and_wait(app, directory, "mia-secret")
    assert events(api) == []


def test_going_on_air_never_waits_for_amazon(tmp_path: Path, api: AlexaApiServer) -> None:
    app, directory = make_app(tmp_path, api)
    post(app, intent_request("FollowIntent", {"host": "mia santos"}, user_id=ADA))
    post(app, subscription(ADA, True))
    api.delay = 3.0  # the stand-in answers slowly
    took = go_live_and_wait(app, directory, "mia-live")
    assert took < 2.0 and len(events(api)) == 1
