""""What am I listening to?" names the song on air where the stream server knows it."""

from __future__ import annotations

import dataclasses
import time

import pytest

from livestage.voice.conversation import Conversation
from room_directory import InMemoryRoomDirectory, Room, RoomStatus
from skill import SkillConfig, build_skill


def conversation(songs: dict[str, tuple[str, str]] | None, locale: str = "en-US") -> Conversation:
    directory = InMemoryRoomDirectory()
    room = directory.create(Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia", genre="jazz"))
    directory.update(dataclasses.replace(room, status=RoomStatus.LIVE, live_since=time.time()))
    config = SkillConfig(public_url="https://live.example.test", url_secret="s",
                         now_playing=(lambda room_id: (songs or {}).get(room_id))
                         if songs is not None else None)
    return Conversation(build_skill(directory, config), locale=locale)


def said(alexa: Conversation, utterance: str) -> str:
    return str(alexa.say(utterance).body["outputSpeech"]["ssml"])


@pytest.mark.parametrize(("songs", "expected"), [
    ({"jazz-night": ("Blue in Green", "Miles Davis")}, "Now playing Blue in Green by Miles Davis."),
    ({"jazz-night": ("Blue in Green", "")}, "Now playing Blue in Green."),
], ids=["with-artist", "title-only"])
def test_the_song_on_air_is_named(songs: dict[str, tuple[str, str]], expected: str) -> None:
    alexa = conversation(songs)
    alexa.say("join the jazz room")
    answer = said(alexa, "what am i listening to")
    assert "Late Night Jazz Concert" in answer and expected in answer


@pytest.mark.parametrize("songs", [{}, None], ids=["no-song-announced", "lambda-without-stream-server"])
def test_without_a_song_the_room_alone_is_named(songs: dict[str, tuple[str, str]] | None) -> None:
    alexa = conversation(songs)
    alexa.say("join the jazz room")
    answer = said(alexa, "what am i listening to")
    assert "Late Night Jazz Concert" in answer and "Now playing" not in answer


def test_song_titles_are_escaped_for_ssml() -> None:
    alexa = conversation({"jazz-night": ("Rock & <Roll>", "AC/DC")})
    alexa.say("join the jazz room")
    answer = said(alexa, "what am i listening to")
    assert "Rock &amp; &lt;Roll&gt;" in answer
