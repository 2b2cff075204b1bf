""""Yes" and "no" answer the question the skill asked, in every locale, and only on the next turn."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from livestage.voice.conversation import Conversation
from livestage.voice.interaction_models import LOCALES, MODELS_DIR
from room_directory import InMemoryRoomDirectory, Room, RoomStatus
from skill import SkillConfig, build_skill
from skill.storage.catalogs import speech_for_locale
from tests.support.alexa_fixtures import split_listen_url

NOW = 1_900_000_000.0
HOUR = 3600.0


def live(directory: InMemoryRoomDirectory, room: Room) -> None:
    created = directory.create(room)
    directory.update(dataclasses.replace(created, status=RoomStatus.LIVE, live_since=NOW))


def stage(locale: str = "en-US", *, scheduled: int = 0) -> Conversation:
    directory = InMemoryRoomDirectory()
    live(directory, Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos",
                         genre="jazz"))
    live(directory, Room("morning-talk", "Morning Talk with Sam", "x", host="Sam Okafor",
                         genre="talk"))
    names = ["Friday Concert", "Poetry Slam", "Book Club"]
    for index in range(scheduled):
        directory.create(Room(f"show-{index}", names[index], "x", host="Dana Lee",
                              scheduled_start=NOW + (index + 2) * HOUR))
    config = SkillConfig(public_url="https://live.example.test", url_secret="s",
                         clock=lambda: NOW)
    return Conversation(build_skill(directory, config), locale=locale)


def speech(turn: object) -> str:
    return str(turn.body.get("outputSpeech", {}).get("ssml", ""))


def plays(turn: object) -> list[str]:
    return [split_listen_url(d["audioItem"]["stream"]["url"])[0].removeprefix("https://live.example.test")
            for d in turn.directives if d["type"] == "AudioPlayer.Play"]


def asks_reminder_permission_for(turn: object) -> str | None:
    for directive in turn.directives:
        if directive["type"] == "Connections.SendRequest":
            return str(directive["token"])
    return None


def follow_then_open(alexa: Conversation, host: str = "sam okafor") -> object:
    assert "following" in speech(alexa.say(f"follow {host}"))
    return alexa.say("open live stage")


def test_yes_to_would_you_like_to_join_joins_the_followed_hosts_room() -> None:
    alexa = stage()
    welcome = follow_then_open(alexa)
    assert "Would you like to join?" in speech(welcome)
    yes = alexa.say("yes")
    assert yes.resolution.intent_name == "AMAZON.YesIntent"
    assert plays(yes) == ["/hls/morning-talk/live.m3u8"]


def test_no_to_would_you_like_to_join_closes_politely_without_playing() -> None:
    alexa = stage()
    follow_then_open(alexa)
    no = alexa.say("no thanks")
    assert no.resolution.intent_name == "AMAZON.NoIntent"
    assert not plays(no) and no.body["shouldEndSession"] is True
    assert "All right" in speech(no)


def test_yes_to_a_reminder_for_the_one_show_asks_for_the_permission() -> None:
    alexa = stage(scheduled=1)
    listing = alexa.say("what's coming up")
    assert "Would you like a reminder?" in speech(listing)
    yes = alexa.say("sure")
    assert asks_reminder_permission_for(yes) == "show-0"


def test_yes_to_a_reminder_among_several_shows_asks_which_and_the_name_picks_it() -> None:
    alexa = stage(scheduled=3)
    alexa.say("what's coming up")
    which = alexa.say("yes")
    assert "Friday Concert, Poetry Slam, or Book Club" in speech(which)
    assert which.body["shouldEndSession"] is False and not which.directives
    picked = alexa.say("poetry slam")
    assert asks_reminder_permission_for(picked) == "show-1"


def test_no_to_a_reminder_says_no_reminder() -> None:
    alexa = stage(scheduled=2)
    alexa.say("what's coming up")
    no = alexa.say("no")
    assert "no reminder" in speech(no) and no.body["shouldEndSession"] is True


def test_yes_to_which_one_asks_again_with_the_rooms_offered() -> None:
    alexa = stage()
    alexa.say("open live stage")
    which = alexa.say("yes")
    assert "Which one would you like: " in speech(which) and not plays(which)
    assert "Late Night Jazz Concert" in speech(which) and which.body["shouldEndSession"] is False


def test_a_question_lives_for_one_turn_only() -> None:
    alexa = stage()
    follow_then_open(alexa)
    alexa.say("help")
    later = alexa.say("yes")
    assert not plays(later)


def test_yes_when_nothing_was_asked_asks_what_to_do() -> None:
    alexa = stage()
    yes = alexa.say("ask live stage yes")
    assert yes.resolution.intent_name == "AMAZON.YesIntent"
    assert "What would you like to do?" in speech(yes) and yes.body["shouldEndSession"] is False


def model(locale: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    return data["interactionModel"]["languageModel"]  # type: ignore[no-any-return]


def samples(locale: str, intent: str) -> list[str]:
    (found,) = [i for i in model(locale)["intents"] if i["name"] == intent]
    return [str(s) for s in found["samples"]]


def first_sample(locale: str, intent: str) -> str:
    return samples(locale, intent)[0]


def invocation(locale: str) -> str:
    return str(model(locale)["invocationName"])


@pytest.mark.parametrize("locale", LOCALES)
def test_yes_and_no_in_every_locale(locale: str) -> None:
    alexa = stage(locale)
    follow = [s for s in samples(locale, "FollowIntent") if "{host}" in s][0]
    alexa.say(follow.replace("{host}", "mia santos"))
    welcome = alexa.say(invocation(locale))
    assert welcome.resolution.request_type == "LaunchRequest"
    assert alexa.attributes["yesNoQuestion"]["roomIds"] == ["jazz-night"]
    yes = alexa.say(first_sample(locale, "AMAZON.YesIntent"))
    assert yes.resolution.intent_name == "AMAZON.YesIntent"
    assert plays(yes) == ["/hls/jazz-night/live.m3u8"]
    alexa.session_id = None
    alexa.say(invocation(locale))
    no = alexa.say(first_sample(locale, "AMAZON.NoIntent"))
    assert no.resolution.intent_name == "AMAZON.NoIntent"
    assert speech_for_locale(locale).say("no_thanks") in speech(no)
