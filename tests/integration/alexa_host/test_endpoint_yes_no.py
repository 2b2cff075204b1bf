""""Yes" and "no" through ``POST /alexa``: answered, never "something went wrong"."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.support.alexa_fixtures import intent_request, launch_request, split_listen_url
from tests.support.alexa_host import make_app, post, speech


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
    assert "/hls/morning-talk/live.m3u8" in split_listen_url(play["audioItem"]["stream"]["url"])[0]
