"""Whole conversations in process: launch → list → join → pause → resume → next → stop."""

from __future__ import annotations

import dataclasses
import time

from livestage.voice.conversation import Conversation
from room_directory import InMemoryRoomDirectory, Room, RoomStatus, Show
from skill import SkillConfig, build_skill
from tests.support.alexa_fixtures import split_listen_url


def live(directory: InMemoryRoomDirectory, room: Room) -> None:
    created = directory.create(room)
    directory.update(dataclasses.replace(created, status=RoomStatus.LIVE, live_since=time.time()))


def stage(listeners: dict[str, int] | None = None) -> tuple[InMemoryRoomDirectory, Conversation]:
    directory = InMemoryRoomDirectory()
    live(directory, Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos",
                         genre="jazz"))
    live(directory, Room("morning-talk", "Morning Talk with Sam", "x", host="Sam Okafor",
                         genre="talk"))
    live(directory, Room("sports-desk", "The Sports Desk", "x", host="Kim", genre="sports"))
    counts = listeners or {}
    config = SkillConfig(public_url="https://live.example.test", url_secret="s",
                         listener_count=(lambda room_id: counts.get(room_id, 0))
                         if listeners is not None else None)
    return directory, Conversation(build_skill(directory, config))


def speech(turn: object) -> str:
    return str(turn.body["outputSpeech"]["ssml"])


def plays(turn: object) -> list[str]:
    return [split_listen_url(d["audioItem"]["stream"]["url"])[0].removeprefix("https://live.example.test")
            for d in turn.directives if d["type"] == "AudioPlayer.Play"]


def test_launch_list_join_pause_resume_next_stop() -> None:
    _, alexa = stage()
    launch = alexa.say("open live stage")
    assert "Live now" in speech(launch) and alexa.session_id is not None
    listing = alexa.say("what's live")
    assert "3 rooms are live" in speech(listing)
    joined = alexa.say("play mia's show")
    assert plays(joined) == ["/hls/jazz-night/live.m3u8"] and alexa.session_id is None
    paused = alexa.say("pause")
    assert [d["type"] for d in paused.directives] == ["AudioPlayer.Stop"]
    resumed = alexa.say("resume")
    assert plays(resumed) == ["/hls/jazz-night/live.m3u8"]
    nxt = alexa.say("next")
    assert plays(nxt) and plays(nxt) != ["/hls/jazz-night/live.m3u8"]
    stopped = alexa.say("stop")
    assert [d["type"] for d in stopped.directives] == ["AudioPlayer.Stop"]


def test_put_on_some_sports_talk_joins_the_sports_room() -> None:
    _, alexa = stage()
    assert plays(alexa.say("put on some sports talk")) == ["/hls/sports-desk/live.m3u8"]


def test_disambiguation_is_understood_on_the_next_turn() -> None:
    directory, alexa = stage()
    live(directory, Room("jazz-brunch", "Sunday Jazz Brunch", "x", genre="jazz"))
    asked = alexa.say("join the jazz room")
    assert "Did you mean" in speech(asked) and not plays(asked)
    assert plays(alexa.say("brunch")) == ["/hls/jazz-brunch/live.m3u8"]


def test_now_playing_counts_listeners_where_the_tracker_is_at_hand() -> None:
    _, alexa = stage({"jazz-night": 12})
    alexa.say("join the jazz room")
    said = speech(alexa.say("what am i listening to"))
    assert "Late Night Jazz Concert" in said and "12 people are listening" in said


def test_replay_resume_across_a_stop_event() -> None:
    directory, alexa = stage()
    now = time.time()
    directory.save_show(Show("jazz-night", "sh1", now - 7200, now - 3600, title="Jazz Night"))
    first = alexa.say("play the last jazz show")
    assert plays(first) == ["/hls/jazz-night/sh1.m3u8"]
    alexa.event("PlaybackStopped", offset_ms=90_000)
    again = alexa.say("play the last jazz show")
    assert again.directives[0]["audioItem"]["stream"]["offsetInMilliseconds"] == 90_000


def test_a_whole_conversation_in_german() -> None:
    directory = InMemoryRoomDirectory()
    live(directory, Room("jazz-night", "Late Night Jazz Concert", "x", genre="jazz"))
    alexa = Conversation(build_skill(directory, SkillConfig(public_url="https://l.example")),
                         locale="de-DE")
    launch = alexa.say("öffne live bühne")
    assert "Live Bühne" in speech(launch)
    joined = alexa.say("spiele jazz")
    assert plays(joined) and "Late Night Jazz Concert" in speech(joined)


def test_a_conversation_in_japanese_and_in_hindi() -> None:
    directory = InMemoryRoomDirectory()
    live(directory, Room("jazz-night", "ジャズナイト", "x", genre="ジャズ"))
    ja = Conversation(build_skill(directory, SkillConfig(public_url="https://live.example.test")),
                      locale="ja-JP")
    assert "ライブステージへようこそ" in speech(ja.say("ライブステージを開いて"))
    joined = ja.say("ジャズをかけて")
    assert plays(joined) == ["/hls/jazz-night/live.m3u8"]
    assert "ジャズナイトに参加します" in speech(joined)
    hi = Conversation(build_skill(directory, SkillConfig(public_url="https://l.example")),
                      locale="hi-IN")
    assert "अभी लाइव है" in speech(hi.say("लाइव स्टेज खोलो"))
