"""The offline Alexa: utterances to requests, envelopes, and ``livestage say``."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import IntentRequest, RequestEnvelope
from click.testing import CliRunner

from livestage.say_command import say
from livestage.voice.simulator import (
    Resolution,
    build_envelope,
    load_interaction_model,
    resolve_utterance,
    sample_pattern,
)
from room_directory import Room, RoomStatus, SqliteRoomDirectory

MODEL = load_interaction_model()
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("join the jazz room", ("IntentRequest", "JoinRoomIntent", {"room": "jazz"})),
        ("Alexa, ask Live Stage to join the jazz room",
         ("IntentRequest", "JoinRoomIntent", {"room": "jazz"})),
        ("tell live stage to play morning talk",
         ("IntentRequest", "JoinRoomIntent", {"room": "morning talk"})),
        ("ask live stage for indie rock",
         ("IntentRequest", "JoinRoomIntent", {"room": "indie rock"})),
        ("take me to Mia's show", ("IntentRequest", "JoinRoomIntent", {"room": "mia's show"})),
        ("i want to hear studio four",
         ("IntentRequest", "JoinRoomIntent", {"room": "studio four"})),
        ("late night jazz", ("IntentRequest", "JoinRoomIntent", {"room": "late night jazz"})),
        ("open live stage", ("LaunchRequest", None, {})),
        ("Alexa, launch Live Stage", ("LaunchRequest", None, {})),
        ("", ("LaunchRequest", None, {})),
        ("pause", ("IntentRequest", "AMAZON.PauseIntent", {})),
        ("resume", ("IntentRequest", "AMAZON.ResumeIntent", {})),
        ("stop please", ("IntentRequest", "AMAZON.StopIntent", {})),
        ("cancel", ("IntentRequest", "AMAZON.CancelIntent", {})),
        ("help", ("IntentRequest", "AMAZON.HelpIntent", {})),
        ("what can i say", ("IntentRequest", "AMAZON.HelpIntent", {})),
        ("next", ("IntentRequest", "AMAZON.NextIntent", {})),
        ("shuffle off", ("IntentRequest", "AMAZON.ShuffleOffIntent", {})),
        ("ask live stage to start over", ("IntentRequest", "AMAZON.StartOverIntent", {})),
    ],
    ids=["join-room", "one-shot-ask", "one-shot-tell", "one-shot-for", "possessive",
         "i-want-to-hear", "bare-slot", "open", "alexa-launch", "nothing", "pause", "resume",
         "stop-please", "cancel", "help", "help-sample", "next", "shuffle-off",
         "one-shot-built-in"],
)
def test_resolve_utterance(text: str, expected: tuple[str, str | None, dict[str, str]]) -> None:
    assert resolve_utterance(text, MODEL) == Resolution(*expected)


def test_the_most_specific_sample_wins() -> None:
    join_the_room, literal_long = sample_pattern("join the {room} room")
    _, literal_short = sample_pattern("join {room}")
    assert literal_long > literal_short
    found = join_the_room.match("join the jazz room")
    assert found is not None and found.group("room") == "jazz"


def test_an_utterance_nothing_matches_is_the_fallback_intent() -> None:
    model = {"interactionModel": {"languageModel": {
        "invocationName": "live stage",
        "intents": [{"name": "JoinRoomIntent", "samples": ["join {room}"],
                     "slots": [{"name": "room", "type": "ROOM_NAME"}]}],
    }}}
    assert resolve_utterance("what time is it", model).intent_name == "AMAZON.FallbackIntent"


def test_the_envelope_is_a_real_request_envelope() -> None:
    resolution = resolve_utterance("join the jazz room", MODEL)
    raw = build_envelope(resolution, now=NOW, audio_token="jazz-night:1")
    envelope = DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)
    assert isinstance(envelope.request, IntentRequest)
    intent = envelope.request.intent
    assert intent is not None and intent.slots is not None
    assert intent.slots["room"].value == "jazz"
    assert envelope.request.timestamp == NOW
    assert envelope.context.system.device.supported_interfaces.audio_player is not None
    assert envelope.context.audio_player.token == "jazz-night:1"
    assert envelope.session is not None and envelope.session.new is True


@pytest.fixture
def directory_url(tmp_path: Path) -> str:
    path = tmp_path / "rooms.db"
    directory = SqliteRoomDirectory(path)
    room = directory.create(Room("jazz-night", "Late Night Jazz Concert", "x", genre="jazz"))
    directory.update(dataclasses.replace(room, status=RoomStatus.LIVE, show_id="s1",
                                         live_since=time.time()))
    return f"sqlite:///{path}"


def run_say(directory_url: str, *args: str) -> str:
    result = CliRunner().invoke(
        say, ["--directory", directory_url, "--public-url", "https://live.example.test", *args],
        env={"LIVESTAGE_SKILL_ID": "", "LIVESTAGE_SKILL_STATE": "memory:"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_say_prints_the_speech_and_the_play_directive(directory_url: str) -> None:
    output = run_say(directory_url, "join the jazz room")
    assert "JoinRoomIntent room=jazz" in output
    assert "Joining Late Night Jazz Concert." in output
    assert re.search(r'"url": "https://live\.example\.test/hls/jazz-night/t/[^/"]+/live\.m3u8"', output)


def test_say_json_prints_the_whole_response(directory_url: str) -> None:
    response = json.loads(run_say(directory_url, "--json", "ask live stage to play jazz"))
    (play,) = response["response"]["directives"]
    assert play["audioItem"]["stream"]["offsetInMilliseconds"] == 0
    assert response["response"]["shouldEndSession"] is True


def test_say_resume_with_a_token_replays_that_room(directory_url: str) -> None:
    output = run_say(directory_url, "--token", "jazz-night:abc", "resume")
    assert re.search(r"hls/jazz-night/t/[^/\"]+/live\.m3u8", output)
