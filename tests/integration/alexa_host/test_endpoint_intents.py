"""The skill's newer intents through ``POST /alexa`` (Flask test client, signatures off)."""

from __future__ import annotations

from pathlib import Path

from stream_server.serving.listeners import ListenerTracker
from tests.support.alexa_fixtures import intent_request, join_room, launch_request
from tests.support.alexa_host import make_app, post, speech


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
