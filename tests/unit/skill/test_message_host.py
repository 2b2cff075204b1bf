""""Tell the host …" goes to the room playing now; with nothing playing the skill asks which room."""

from __future__ import annotations

import dataclasses
import time

from livestage.voice.conversation import Conversation
from room_directory import InMemoryRoomDirectory, Room, RoomStatus
from skill import SkillConfig, build_skill


def live(directory: InMemoryRoomDirectory, room: Room) -> Room:
    created = directory.create(room)
    return directory.update(dataclasses.replace(created, status=RoomStatus.LIVE,
                                                live_since=time.time()))


def stage(*, public: bool = True) -> tuple[InMemoryRoomDirectory, Conversation]:
    directory = InMemoryRoomDirectory()
    if public:
        live(directory, Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos"))
        live(directory, Room("morning-talk", "Morning Talk with Sam", "x", host="Sam Okafor"))
    live(directory, Room("family", "Family Call", "x", host="Grandma", private=True,
                         join_code="4719"))
    config = SkillConfig(public_url="https://live.example.test", url_secret="s")
    return directory, Conversation(build_skill(directory, config))


def said(turn: object) -> str:
    return str(turn.body.get("outputSpeech", {}).get("ssml", ""))


def texts(directory: InMemoryRoomDirectory, room_id: str) -> list[str]:
    return [m.text for m in directory.list_messages(room_id)]


def test_while_a_room_plays_the_message_goes_to_its_host() -> None:
    directory, alexa = stage()
    alexa.say("join room four seven one nine")
    assert alexa.player_activity == "PLAYING"
    assert "Grandma will see your message" in said(alexa.say("tell the host hello grandma"))
    assert texts(directory, "family") == ["hello grandma"]


def test_after_leaving_a_private_room_the_skill_asks_which_room() -> None:
    directory, alexa = stage()
    alexa.say("join room four seven one nine")
    alexa.say("stop")
    asked = alexa.say("tell the host play blue in green")
    assert "Which room's host should get your message?" in said(asked)
    assert "Family Call" not in said(asked) and "Late Night Jazz Concert" in said(asked)
    assert texts(directory, "family") == []
    sent = alexa.say("late night jazz")
    assert "Mia Santos will see your message" in said(sent)
    assert texts(directory, "jazz-night") == ["play blue in green"]
    assert texts(directory, "family") == []


def test_the_first_one_picks_from_the_rooms_read_out() -> None:
    directory, alexa = stage()
    asked = alexa.say("tell the host good morning")
    first = said(asked).split("Live now: ")[1].split(",")[0].split(" and ")[0].rstrip(".")
    alexa.say("the first one")
    (room,) = [r for r in directory.list_rooms() if r.title == first]
    assert texts(directory, room.id) == ["good morning"]


def test_a_waiting_message_does_not_outlive_the_next_turn() -> None:
    directory, alexa = stage()
    alexa.say("tell the host good morning")
    alexa.say("what's live")
    joined = alexa.say("late night jazz")
    assert [d["type"] for d in joined.directives] == ["AudioPlayer.Play"]
    assert texts(directory, "jazz-night") == []


def test_with_nothing_public_live_nothing_is_sent() -> None:
    directory, alexa = stage(public=False)
    answer = alexa.say("tell the host hello")
    assert "Join a room first" in said(answer) and texts(directory, "family") == []
