"""The skill through its AWS Lambda entry, over a real SQLite room directory."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ask_sdk_core.exceptions import AskSdkException

from room_directory import SqliteRoomDirectory
from tests.support.alexa_fixtures import (
    APPLICATION_ID,
    audio_player_event,
    checked_listen_path,
    intent_request,
    join_room,
    launch_request,
    playback_controller_event,
    session_ended_request,
)
from tests.support.lambda_entry import PUBLIC_URL, SECRET

JAZZ_PATH = "/hls/jazz-night/live.m3u8"


def call(entry: ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = entry.handler(event, None)
    return result


def speech(result: dict[str, Any]) -> str:
    return str(result["response"].get("outputSpeech", {}).get("ssml", ""))


def directives(result: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = result["response"].get("directives", [])
    return found


def audio_directives(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in directives(result) if d["type"].startswith("AudioPlayer.")]


def listen_path(url: str) -> str:
    """The path of a Play URL, after checking its base and its listener token."""
    return checked_listen_path(url, PUBLIC_URL, SECRET)


def only_play(result: dict[str, Any]) -> dict[str, Any]:
    plays = [d for d in directives(result) if d["type"] == "AudioPlayer.Play"]
    assert len(plays) == 1, directives(result)
    return plays[0]


def test_importing_builds_nothing_and_the_first_call_builds_once(entry: ModuleType) -> None:
    assert entry._skill is None
    call(entry, launch_request())
    first = entry._skill
    call(entry, launch_request())
    assert first is not None and entry._skill is first


def test_launch_names_up_to_three_live_rooms_and_asks(entry: ModuleType) -> None:
    result = call(entry, launch_request())
    said = speech(result)
    for title in ("Late Night Jazz Concert", "Morning Talk with Sam", "Indie Rock Hour"):
        assert title in said
    assert "Classical Mornings" not in said and "Open Mic Comedy" not in said
    assert result["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert result["response"]["shouldEndSession"] is False


def test_join_jazz_plays_the_jazz_room_from_the_live_edge(entry: ModuleType) -> None:
    result = call(entry, join_room("jazz"))
    play = only_play(result)
    stream = play["audioItem"]["stream"]
    assert play["playBehavior"] == "REPLACE_ALL"
    assert listen_path(stream["url"]) == JAZZ_PATH
    assert stream["offsetInMilliseconds"] == 0
    assert stream["token"].startswith("jazz-night:")
    assert play["audioItem"]["metadata"]["title"] == "Late Night Jazz Concert"
    assert result["response"]["shouldEndSession"] is True
    assert "Joining Late Night Jazz Concert" in speech(result)


def test_every_play_has_a_fresh_token(entry: ModuleType) -> None:
    tokens = {only_play(call(entry, join_room("jazz")))["audioItem"]["stream"]["token"]
              for _ in range(3)}
    assert len(tokens) == 3


@pytest.mark.parametrize(
    ("spoken", "room_id"),
    [
        ("the jazz room", "jazz-night"),
        ("mia's show", "jazz-night"),
        ("morning talk", "morning-talk"),
        ("indie rok", "indie-hour"),
    ],
    ids=["article-and-filler", "possessive-host", "title", "asr-typo"],
)
def test_join_understands_how_people_name_rooms(
    entry: ModuleType, spoken: str, room_id: str
) -> None:
    stream = only_play(call(entry, join_room(spoken)))["audioItem"]["stream"]
    assert listen_path(stream["url"]) == f"/hls/{room_id}/live.m3u8"


def test_unknown_room_plays_nothing_and_says_what_is_live(entry: ModuleType) -> None:
    result = call(entry, join_room("polka"))
    assert audio_directives(result) == []
    assert "couldn't find polka" in speech(result)
    assert "Late Night Jazz Concert" in speech(result)
    assert result["response"]["shouldEndSession"] is False


def test_a_room_that_is_not_live_is_not_played(entry: ModuleType) -> None:
    result = call(entry, join_room("classical"))
    assert audio_directives(result) == []
    assert "Classical Mornings isn't live" in speech(result)


def test_join_without_a_room_asks_which(entry: ModuleType) -> None:
    result = call(entry, join_room(None))
    assert audio_directives(result) == []
    assert "Which room" in speech(result)
    assert result["response"]["shouldEndSession"] is False


def test_ambiguous_asks_for_both_and_the_next_turn_joins_the_named_one(
    entry: ModuleType, db_path: Path
) -> None:
    directory = SqliteRoomDirectory(db_path)
    jazz = directory.get("jazz-night")
    assert jazz is not None
    directory.create(replace(jazz, id="jazz-brunch", title="Sunday Jazz Brunch", host="Leo"))
    first = call(entry, join_room("jazz"))
    assert directives(first) == []
    assert "Late Night Jazz Concert" in speech(first) and "Sunday Jazz Brunch" in speech(first)
    assert first["response"]["shouldEndSession"] is False
    attributes = first["sessionAttributes"]
    assert attributes

    second = call(entry, join_room("brunch", attributes=attributes))
    stream = only_play(second)["audioItem"]["stream"]
    assert listen_path(stream["url"]) == "/hls/jazz-brunch/live.m3u8"


def test_the_first_one_after_launch_joins_the_first_room_offered(entry: ModuleType) -> None:
    launch = call(entry, launch_request())
    said = speech(launch)
    titles = ("Late Night Jazz Concert", "Morning Talk with Sam", "Indie Rock Hour")
    first_title = min(titles, key=said.index)  # .index raises if a title was not said
    result = call(entry, join_room("the first one", attributes=launch["sessionAttributes"]))
    assert only_play(result)["audioItem"]["metadata"]["title"] == first_title


def test_pause_stops_the_stream_silently(entry: ModuleType) -> None:
    result = call(entry, intent_request("AMAZON.PauseIntent", audio_token="jazz-night:abc"))
    assert directives(result) == [{"type": "AudioPlayer.Stop"}]
    assert "outputSpeech" not in result["response"]


def test_resume_plays_the_last_room_again_from_the_live_edge(entry: ModuleType) -> None:
    token = only_play(call(entry, join_room("jazz")))["audioItem"]["stream"]["token"]
    result = call(entry, intent_request("AMAZON.ResumeIntent", audio_token=token))
    play = only_play(result)
    stream = play["audioItem"]["stream"]
    assert listen_path(stream["url"]) == JAZZ_PATH
    assert stream["offsetInMilliseconds"] == 0
    assert stream["token"] != token and stream["token"].startswith("jazz-night:")
    assert play["playBehavior"] == "REPLACE_ALL"
    assert result["response"]["shouldEndSession"] is True


def test_resume_with_nothing_played_says_so(entry: ModuleType) -> None:
    result = call(entry, intent_request("AMAZON.ResumeIntent"))
    assert directives(result) == []
    assert "nothing to resume" in speech(result)


def test_resume_of_an_ended_show_says_it_ended(entry: ModuleType) -> None:
    result = call(entry, intent_request("AMAZON.ResumeIntent", audio_token="open-mic:abc"))
    assert directives(result) == []
    assert "Open Mic Comedy has ended" in speech(result)


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_stop_and_end(entry: ModuleType, intent: str) -> None:
    result = call(entry, intent_request(intent, audio_token="jazz-night:abc"))
    assert directives(result) == [{"type": "AudioPlayer.Stop"}]
    assert result["response"]["shouldEndSession"] is True


@pytest.mark.parametrize("intent", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent"])
def test_help_and_fallback_explain_and_listen(entry: ModuleType, intent: str) -> None:
    result = call(entry, intent_request(intent))
    assert "jazz room" in speech(result)
    assert result["response"]["reprompt"]["outputSpeech"]["ssml"]
    assert directives(result) == []


@pytest.mark.parametrize(
    "intent",
    ["AMAZON.StartOverIntent", "AMAZON.RepeatIntent", "AMAZON.LoopOnIntent", "AMAZON.LoopOffIntent",
     "AMAZON.ShuffleOnIntent", "AMAZON.ShuffleOffIntent"],
)
def test_audio_built_ins_get_a_polite_answer_and_the_stream_plays_on(
    entry: ModuleType, intent: str
) -> None:
    result = call(entry, intent_request(intent, audio_token="jazz-night:abc",
                                        player_activity="PLAYING"))
    assert "live" in speech(result).lower()
    assert directives(result) == []
    assert result["response"]["shouldEndSession"] is True


def test_navigate_home_ends_quietly(entry: ModuleType) -> None:
    result = call(entry, intent_request("AMAZON.NavigateHomeIntent"))
    assert "outputSpeech" not in result["response"]
    assert result["response"]["shouldEndSession"] is True


def test_a_device_without_audio_player_gets_an_apology_not_a_play(entry: ModuleType) -> None:
    result = call(entry, join_room("jazz", supports_audio=False))
    assert directives(result) == []
    assert "can't play" in speech(result)


@pytest.mark.parametrize(
    "event",
    ["PlaybackStarted", "PlaybackFinished", "PlaybackStopped", "PlaybackNearlyFinished",
     "PlaybackFailed"],
)
def test_audio_player_events_get_no_speech_card_or_reprompt(entry: ModuleType, event: str) -> None:
    result = call(entry, audio_player_event(event, "jazz-night:abc"))
    for key in ("outputSpeech", "card", "reprompt"):
        assert key not in result["response"]
    assert "sessionAttributes" not in result or not result["sessionAttributes"]


def test_playback_failed_is_retried_once_then_clears_the_queue(entry: ModuleType) -> None:
    retry = only_play(call(entry, audio_player_event("PlaybackFailed", "jazz-night:abc")))
    token = retry["audioItem"]["stream"]["token"]
    assert token.startswith("jazz-night:") and token.endswith(":retry")
    assert listen_path(retry["audioItem"]["stream"]["url"]) == JAZZ_PATH
    result = call(entry, audio_player_event("PlaybackFailed", token))
    assert directives(result) == [{"type": "AudioPlayer.ClearQueue", "clearBehavior": "CLEAR_ALL"}]


def test_nearly_finished_enqueues_the_live_edge_after_the_current_token(
    entry: ModuleType,
) -> None:
    play = only_play(call(entry, audio_player_event("PlaybackNearlyFinished", "jazz-night:abc")))
    assert play["playBehavior"] == "ENQUEUE"
    assert play["audioItem"]["stream"]["expectedPreviousToken"] == "jazz-night:abc"
    assert listen_path(play["audioItem"]["stream"]["url"]) == JAZZ_PATH


def test_nearly_finished_of_an_ended_show_enqueues_nothing(entry: ModuleType) -> None:
    result = call(entry, audio_player_event("PlaybackNearlyFinished", "open-mic:abc"))
    assert directives(result) == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [("PlayCommandIssued", "AudioPlayer.Play"), ("PauseCommandIssued", "AudioPlayer.Stop"),
     ("NextCommandIssued", "AudioPlayer.Play"), ("PreviousCommandIssued", "AudioPlayer.Play")],
)
def test_playback_controller_events_get_directives_only(
    entry: ModuleType, command: str, expected: str | None
) -> None:
    result = call(entry, playback_controller_event(command, "jazz-night:abc"))
    assert "outputSpeech" not in result["response"]
    assert [d["type"] for d in directives(result)] == ([expected] if expected else [])


def test_session_ended_gets_an_empty_response(entry: ModuleType) -> None:
    result = call(entry, session_ended_request("EXCEEDED_MAX_REPROMPTS"))
    assert result["response"] == {}


def test_a_failing_directory_gets_an_apology_never_an_exception(
    entry: ModuleType, db_path: Path
) -> None:
    call(entry, launch_request())  # the skill and its connection exist
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE rooms")
    result = call(entry, join_room("jazz"))
    assert "something went wrong" in speech(result)
    assert directives(result) == []
    silent = call(entry, audio_player_event("PlaybackNearlyFinished", "jazz-night:abc"))
    assert "outputSpeech" not in silent["response"]


def test_a_request_for_another_skill_is_refused_when_the_skill_id_is_set(
    entry: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LIVESTAGE_SKILL_ID", APPLICATION_ID)
    entry.reset_skill()
    assert only_play(call(entry, join_room("jazz")))
    with pytest.raises(AskSdkException):
        call(entry, join_room("jazz", application_id="amzn1.ask.skill.someone-else"))


def test_missing_configuration_is_a_clear_error(
    entry: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIVESTAGE_PUBLIC_URL")
    with pytest.raises(RuntimeError, match="LIVESTAGE_PUBLIC_URL"):
        call(entry, launch_request())
